"""Shapes of the certificate admin API and of public verification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.fields import Reason


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="证书记录编号 / certificate record id")
    subject: str = Field(description="证书主题 / subject (RFC 4514)")
    common_name: str = Field(description="证书主题的通用名称 / subject common name")
    issuer: str = Field(description="颁发者 / issuer (RFC 4514)")
    serial_number: str = Field(description="序列号（十六进制）/ serial number (hex)")
    not_before: datetime = Field(description="有效期起 / valid from")
    not_after: datetime = Field(description="有效期至 / valid until")
    sha256_fingerprint: str = Field(description="SHA-256 指纹 / SHA-256 fingerprint (hex)")
    key_type: str = Field(description="密钥类型 / key type, e.g. EC P-256, RSA 2048")
    uploaded_at: datetime = Field(description="上传时间 / uploaded at")
    uploaded_by: str = Field(description="上传人 / uploaded by")
    current: bool = Field(
        False,
        description=(
            "是否为正在使用的证书（最新上传且未停用的一份）/ whether letters are signed with it "
            "now (the newest upload not withdrawn)"
        ),
    )
    withdrawn_at: datetime | None = Field(None, description="停用时间 / withdrawn at")
    withdrawn_by: str | None = Field(None, description="停用人 / withdrawn by")
    withdrawal_reason: str | None = Field(None, description="停用原因 / why it was withdrawn")


class CertificateWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(
        description="停用原因（如私钥泄露、人员变动）/ why (a compromised key, a change of staff)"
    )


SignatureStatus = Literal[
    "valid",
    "changed_after_signing",
    "invalid",
    "unknown_signer",
    "unreadable",
    "not_signed",
    "signed",
    "pending",
]


class SignatureRead(BaseModel):
    status: SignatureStatus = Field(
        description=(
            "电子签名情况：valid 签名有效且覆盖整个文件；changed_after_signing 签名有效但签名后文件"
            "被追加改动；invalid 签名无效；unknown_signer 签名人不是出具机关；unreadable 无法读取"
            "签名；not_signed 未签名；signed 出具时已签名（按验证码查询，未上传文件）；pending "
            "文件尚未生成 / valid: valid and covering the whole file; changed_after_signing: "
            "valid, but the file was changed after signing; invalid; unknown_signer: not signed by the "
            "issuing organ; unreadable; not_signed; signed: signed when issued (looked up by "
            "code, no file checked); pending: the file is not made yet"
        )
    )
    signer: str | None = Field(None, description="签名人（证书通用名称）/ signer (common name)")
    certificate_sha256: str | None = Field(
        None, description="签名证书的 SHA-256 指纹 / the signing certificate's SHA-256"
    )
    signed_at: datetime | None = Field(
        None, description="签名时间（签名中所载）/ signing time, as the signature states"
    )
    certificate_withdrawn_at: datetime | None = Field(
        None,
        description=(
            "签名证书此后被停用的时间（停用前的签名仍然有效）/ when the signing certificate was "
            "withdrawn afterwards (signatures made before stay valid)"
        ),
    )


Verdict = Literal["unaltered", "altered", "issued"]


class VerificationRead(BaseModel):
    verdict: Verdict = Field(
        description=(
            "unaltered：上传的文件即本平台出具的文书原件，未经改动；altered：是本平台出具的文书，"
            "但文件已被改动；issued：按验证码查到本平台出具的文书（未上传文件，无从比对）/ "
            "unaltered: the file is the letter as issued; altered: a letter issued here, but "
            "the file was changed; issued: found by its code (no file to compare)"
        )
    )
    code: str | None = Field(None, description="验证码 / verification code")
    organ_code: str = Field(description="出具机关代码 / issuing organ's code")
    organ_name: str = Field(description="出具机关 / issuing organ")
    kind: str = Field(description="文书种类代码 / letter kind")
    kind_label: str = Field(description="文书名称 / letter title")
    number: str | None = Field(None, description="文号 / document number")
    letter_date: date = Field(description="成文日期 / date of the letter")
    pdf_sha256: str | None = Field(
        None, description="出具文件的 SHA-256（尚未生成时为空）/ SHA-256 of the issued file"
    )
    file_sha256: str | None = Field(
        None, description="上传文件的 SHA-256 / SHA-256 of the uploaded file"
    )
    hash_matches: bool | None = Field(
        None, description="上传文件与出具文件是否一致 / whether the upload is the issued file"
    )
    signature: SignatureRead = Field(description="电子签名 / the digital signature")
    summary: str = Field(description="结论 / the finding in words")
