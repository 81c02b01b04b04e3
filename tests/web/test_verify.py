"""The public verification page (/verify): the code form, the result, the upload, errors; and
the certificate section of the workbench's organ page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from app.signing.certificates import self_signed_pkcs12
from tests.conftest import Staff
from tests.fixtures.certificates import PASSWORD, VALID_FROM, organ_pkcs12
from tests.fixtures.factories import make_organ
from tests.signing.helpers import flip_byte, receipt_pdf
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

ORGAN_PAGE = "/staff/admin/organs/org-a"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _upload(client: TestClient, pdf: bytes) -> Any:
    return client.post(
        "/verify",
        data={"csrf_token": csrf(client, "/verify")},
        files={"file": ("letter.pdf", pdf, "application/pdf")},
    )


def test_the_page_offers_both_ways_and_needs_no_sign_in(client: TestClient) -> None:
    r = client.get("/verify")
    assert r.status_code == 200
    text = _text(r.text)
    assert "按验证码查询" in text
    assert "上传 PDF 文件核验" in text
    assert 'action="/verify"' in r.text
    assert "文书核验" in _text(client.get("/").text)  # in the portal's navigation


def test_a_typed_code_goes_to_its_result_without_the_applicant(
    client: TestClient, organ_a: Staff
) -> None:
    letter, _ = receipt_pdf(client, organ_a)
    code = letter["verify_code"]
    r = client.get(
        "/verify", params={"code": f" {code[:5].lower()}-{code[5:]} "}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/verify/{code}"
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    text = _text(page.text)
    assert "验证码有效：是本平台出具的文书" in text
    assert "org-a 示例区人民政府办公室" in text
    assert "政府信息公开申请登记回执" in text
    assert letter["number"] in text
    assert "2026年3月2日" in text
    assert "出具时已加电子签名" in text
    assert "张三" not in text
    assert "13800138000" not in text


def test_a_malformed_or_unknown_code_is_said_plainly(client: TestClient, organ_a: Staff) -> None:
    r = client.get("/verify", params={"code": "12"})
    assert r.status_code == 422
    assert "10 位验证码" in _text(r.text)
    r = client.get("/verify", params={"code": ""})
    assert r.status_code == 422
    r = client.get("/verify/0000000000")
    assert r.status_code == 404
    assert "没有找到与该验证码对应的文书" in _text(r.text)


def test_an_uploaded_letter_is_unaltered_and_a_changed_one_altered(
    client: TestClient, organ_a: Staff
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    page = _upload(client, pdf)
    assert page.status_code == 200, page.text[:2000]
    text = _text(page.text)
    assert "是本平台出具的文书，文件未经改动" in text
    assert "有效，签名覆盖整个文件" in text
    assert "测试机关签名证书" in text
    assert letter["number"] in text

    changed = _upload(client, flip_byte(pdf, b"%%EOF"))
    assert changed.status_code == 200
    assert "文件已被改动，与出具的原件不一致" in _text(changed.text)


def test_upload_errors_are_beside_the_field(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    r = _upload(client, b"hello")
    assert r.status_code == 422
    assert 'id="file-error"' in r.text
    assert "请上传 PDF 文件" in _text(r.text)
    none = client.post("/verify", data={"csrf_token": csrf(client, "/verify")})
    assert none.status_code == 422
    assert "请选择要核验的 PDF 文件" in _text(none.text)
    other = runtime.press.render(["<html><body><p>别处的文件</p></body></html>"]).pdf
    r = _upload(client, other)
    assert r.status_code == 404
    assert "不是本平台出具的文书" in _text(r.text)
    # Without the page's token the form is refused, as every form is.
    assert (
        client.post("/verify", files={"file": ("a.pdf", other, "application/pdf")}).status_code
        == 403
    )


# --- the organ page's certificate section -------------------------------------------------


@pytest.fixture
def root(client: TestClient, runtime: Runtime, organ_a: Staff) -> TestClient:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    return signed_in(client, "root")


def _certificate(client: TestClient, p12: bytes, password: str, code: str = "org-a") -> Any:
    return client.post(
        f"/staff/admin/organs/{code}/certificate",
        data={"csrf_token": csrf(client, f"/staff/admin/organs/{code}"), "password": password},
        files={"file": ("organ.p12", p12, "application/x-pkcs12")},
        follow_redirects=False,
    )


def test_the_organ_page_shows_the_certificate_in_use(root: TestClient) -> None:
    text = _text(root.get(ORGAN_PAGE).text)
    assert "电子签名证书" in text
    assert "CN=测试机关签名证书,C=CN" in text
    assert "EC P-256" in text
    assert "尚未上传签名证书" not in text


def test_an_organ_without_a_certificate_is_warned_and_uploads_one(
    root: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-u")
    page = root.get("/staff/admin/organs/org-u")
    assert "尚未上传签名证书" in _text(page.text)
    assert 'id="certificate-missing"' in page.text

    wrong = _certificate(root, organ_pkcs12(), "wrong", "org-u")
    assert wrong.status_code == 422
    assert 'id="password-error"' in wrong.text
    assert "证书密码不正确" in _text(wrong.text)
    not_p12 = _certificate(root, b"plain text", PASSWORD, "org-u")
    assert not_p12.status_code == 422
    assert "不是 PKCS#12" in _text(not_p12.text)

    done = _certificate(root, organ_pkcs12(), PASSWORD, "org-u")
    assert done.status_code == 303
    page = root.get(done.headers["location"])
    text = _text(page.text)
    assert "已上传签名证书" in text
    assert "尚未上传签名证书" not in text
    assert "CN=测试机关签名证书,C=CN" in text

    # A replacement lists the one before it.
    new = self_signed_pkcs12("新证书", "pw", now=VALID_FROM)
    assert _certificate(root, new, "pw", "org-u").status_code == 303
    text = _text(root.get("/staff/admin/organs/org-u").text)
    assert "CN=新证书,C=CN" in text
    assert "此前使用的证书" in text


def test_an_expired_certificate_is_warned_about_and_not_used(
    client: TestClient, root: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    runtime.clock.set("2036-01-02T10:00+08:00")  # type: ignore[attr-defined]
    signed_in(root, "root")  # the session from 2026 has long ended
    assert "签名证书已过期" in _text(root.get(ORGAN_PAGE).text)
    letter, pdf = receipt_pdf(client, organ_a)
    assert letter["signed"] is False
    assert b"/ByteRange" not in pdf


def test_another_organs_administrator_cannot_upload_here(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff
) -> None:
    make_staff(runtime, "org-b", "admin", login="adminb", name="乙机关管理员")
    signed_in(client, "adminb")
    r = _certificate(client, organ_pkcs12(), PASSWORD)
    assert r.status_code == 403
    assert "只能管理本机关的签名证书" in _text(r.text)


def test_the_organ_page_withdraws_the_certificate_in_use_and_the_verify_page_says_so(
    client: TestClient, root: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    letter, _pdf = receipt_pdf(client, organ_a)
    page = root.get(ORGAN_PAGE)
    found = re.search(r'action="(/staff/admin/organs/org-a/certificates/\d+/withdraw)"', page.text)
    assert found, page.text[:3000]
    url = found.group(1)

    def withdraw(reason: str) -> Any:
        token = csrf(root, ORGAN_PAGE)
        return root.post(url, data={"csrf_token": token, "reason": reason}, follow_redirects=False)

    empty = withdraw("  ")
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.text
    done = withdraw("保管人员调离")
    assert done.status_code == 303
    text = _text(root.get(done.headers["location"]).text)
    assert "已停用签名证书" in text
    assert "签名证书均已停用" in text
    assert "保管人员调离" in text
    assert 'id="certificate-withdraw"' not in root.get(ORGAN_PAGE).text  # nothing left to stop
    again = withdraw("再停一次")
    assert again.status_code == 409
    assert "已停用" in _text(again.text)

    shown = _text(client.get(f"/verify/{letter['verify_code']}").text)
    assert "停用该证书" in shown
    assert "停用前所作的签名仍然有效" in shown
