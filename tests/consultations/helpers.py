"""Consulting third parties, other organs and the legal office over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.letters.helpers import act
from tests.reply.helpers import deadline, ok

CASES = "/api/v1/cases"
EXTERNAL = ("third_party", "other_organ")
PARTIES = {
    "third_party": "北京某某建设工程有限公司",
    "other_organ": "示例区财政局",
    "legal_office": "本机关法制机构",
    "joint_meeting": "法制机构及区住建委",
}
QUESTIONS = {
    "third_party": "是否同意公开贵公司投标文件中的报价明细",
    "other_organ": "是否同意公开贵局出具的资金拨付意见",
    "legal_office": "报价明细是否属于商业秘密",
    "joint_meeting": "报价明细能否区分处理后公开",
}


def start(
    client: TestClient,
    staff: Staff,
    case: dict[str, Any],
    kind: str,
    *,
    role: str = "clerk",
    **fields: Any,
) -> Any:
    """start_consultation with sensible defaults: external kinds sent electronically (the
    party receives the letter the same day), internal kinds with no dispatch at all."""
    fields.setdefault("party", PARTIES[kind])
    fields.setdefault("question", QUESTIONS[kind])
    if kind in EXTERNAL:
        fields.setdefault("dispatch_method", "electronic")
    return act(client, staff, case, "start_consultation", role, kind=kind, **fields)


def opinion(
    client: TestClient,
    staff: Staff,
    case: dict[str, Any],
    code: str,
    received_on: str,
    result: str,
    *,
    role: str = "clerk",
    **fields: Any,
) -> Any:
    fields.setdefault("opinion", "意见如下")
    return act(
        client,
        staff,
        case,
        "record_opinion",
        role,
        consultation_id=code,
        received_on=received_on,
        result=result,
        **fields,
    )


def conclude(client: TestClient, staff: Staff, case: dict[str, Any]) -> Any:
    return act(client, staff, case, "conclude_consultation", "clerk")


def consultation(case: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in case["consultations"] if c["code"] == code)


def reply(case: dict[str, Any]) -> dict[str, Any]:
    return deadline(case, "reply")


def case_list(client: TestClient, staff: Staff, role: str, **query: Any) -> list[dict[str, Any]]:
    r = client.get(CASES, params=query, headers=staff.headers(*role.split("+")))
    return list(ok(r)["items"])


def listed(client: TestClient, staff: Staff, role: str, **query: Any) -> set[int]:
    return {c["id"] for c in case_list(client, staff, role, **query)}
