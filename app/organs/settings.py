"""Per-organ settings: the [interpretation] choices of RULES, in one place."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from app.fields import Flag, Text50, Text100
from app.organs.numbering import DEFAULT_LETTER_PATTERN, validate_letter_pattern
from app.outcomes import OUTCOMES


def _outcome_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    for code in codes:
        group = code.endswith(".") and any(k.startswith(code) for k in OUTCOMES)
        if code not in OUTCOMES and not group:
            raise ValueError(f"不是答复类型或类型组 / not an outcome code or group: {code[:60]!r}")
    return codes


class OrganSettings(BaseModel):
    """Settings an organ may change; unknown keys are refused so a typo cannot pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    online_auto_confirm: Flag = Field(
        True,
        description=(
            "网上申请平台即时回执的，提交日即为收到申请之日 / an online submission acknowledged "
            "instantly with a registration number is received on the day it is submitted "
            "(RULES §3 [interpretation])"
        ),
    )
    fee_pauses_clock: Flag = Field(
        True,
        description="收费通知至缴费期间不计入答复期限 / fee notice to payment does not count",
    )
    correction_period_wd: int = Field(
        15,
        ge=1,
        le=60,
        description="申请人补正期限（工作日）/ working days the applicant has to correct",
    )
    record_correction_period_wd: int = Field(
        20,
        ge=1,
        le=60,
        description=(
            "更正申请答复期限（工作日，自收到申请之日起）；条例第四十一条未规定期限，参照第三十三条"
            "默认20个工作日 / working days to answer a request to correct records about oneself "
            "(Art. 41 sets none; 20 by analogy with Art. 33) [interpretation]"
        ),
    )
    letter_number_pattern: Annotated[Text100, AfterValidator(validate_letter_pattern)] = Field(
        DEFAULT_LETTER_PATTERN,
        description=(
            "文书编号格式，可用 {code}、{year}、{seq}、{mark}（文书种类简称，如“补”“答”）/ letter "
            "number pattern; {mark} is the kind's short mark"
        ),
    )
    letter_sequence: Literal["per_kind", "shared"] = Field(
        "per_kind",
        description=(
            "文书编号按文书种类分别编号（per_kind）或共用一个序列（shared）/ one number "
            "sequence per letter kind, or one shared by all kinds (RULES §7)"
        ),
    )

    legal_review_outcomes: Annotated[tuple[Text50, ...], AfterValidator(_outcome_codes)] = Field(
        ("partially_disclosed", "withheld.", "not_processed."),
        max_length=40,
        description=(
            "须经法制审核的答复类型；以“.”结尾的表示该类全部 / reply outcomes that need the "
            "legal office's review; a code ending in '.' covers its whole group"
        ),
    )
    sign_off_required: Flag = Field(
        True, description="答复须经负责人签发 / every reply needs the approver's sign-off"
    )
    # Art. 17: information is reviewed for secrets before it is provided. The default covers
    # every outcome that provides information (RULES §9): disclosed and the provided part of a
    # partial disclosure. already_public points to what is public already, so it is not listed.
    confidentiality_review_outcomes: Annotated[
        tuple[Text50, ...], AfterValidator(_outcome_codes)
    ] = Field(
        ("disclosed", "partially_disclosed"),
        max_length=40,
        description=(
            "须经保密审查的答复类型；以“.”结尾的表示该类全部 / reply outcomes that need the "
            "recorded confidentiality review (Art. 17); a code ending in '.' covers its group"
        ),
    )
    # Any staff role that can act on a case; supervisors only read.
    confidentiality_review_role: Literal["approver", "clerk", "legal", "front_desk"] = Field(
        "approver",
        description="登记保密审查结果的角色 / the role that records the confidentiality review",
    )

    mail_from: Annotated[EmailStr, Field(max_length=254)] | None = Field(
        None,
        description=(
            "发给申请人的邮件的发件地址；为空则用部署的默认地址 / the sender address of mail to "
            "applicants; empty: the deployment's GONGKAI_MAIL_FROM"
        ),
    )
    warning_thresholds_wd: tuple[Annotated[int, Field(ge=1, le=30)], ...] = Field(
        (5, 1),
        max_length=5,
        description=(
            "答复期限、申请人补正期限届满前提醒的工作日数（逾期次日另行提醒）/ working days "
            "before the reply (or the applicant's correction period) is due at which its handlers "
            "are warned (and again on the day after it passes)"
        ),
    )

    archive_retention_years: int = Field(
        10,
        ge=1,
        le=100,
        description=(
            "归档案卷的保管期限（年），自归档之日起算 / years an archived case file is kept, "
            "counted from the day the case is archived"
        ),
    )

    released_file_max_mb: int = Field(
        100,
        ge=1,
        le=1024,
        description=(
            "答复所附公开文件每个文件的大小上限（MB）/ the largest file (MB) a clerk may upload "
            "as a released document (the deployment's GONGKAI_RELEASE_UPLOAD_MAX_BYTES caps it)"
        ),
    )
    released_files_days: int = Field(
        60,
        ge=7,
        le=3650,
        description=(
            "公开文件可供申请人下载的天数，自答复书出具之日起算，答复书载明 / days the released "
            "files stay downloadable, counted from the reply's date; the reply letter states it"
        ),
    )

    def needs_legal_review(self, outcome: str) -> bool:
        """Whether a reply with this outcome goes to the legal office before sign-off."""
        return any(
            outcome == code or (code.endswith(".") and outcome.startswith(code))
            for code in self.legal_review_outcomes
        )

    def needs_confidentiality_review(self, outcome: str) -> bool:
        """Whether a reply with this outcome needs the recorded confidentiality review."""
        return any(
            outcome == code or (code.endswith(".") and outcome.startswith(code))
            for code in self.confidentiality_review_outcomes
        )


def organ_settings(raw: dict[str, Any] | None) -> OrganSettings:
    """Stored settings with defaults filled in."""
    return OrganSettings.model_validate(raw or {})
