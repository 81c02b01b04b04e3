"""Applying in a browser: the organ chooser, the 申请表, the submitted page (real app, real DB)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import Case
from app.organs import service as organs_service
from app.organs.schemas import OrganCreate
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.fixtures.identity import resident_id, uscc, with_wrong_check
from tests.validation.samples import js_action, make_pdf, pdf_with, saved

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
KEY = re.compile(r'name="_key" value="([A-Za-z0-9_-]+)"')
FORM = "/apply/org-a"


def _organ(runtime: Runtime, code: str, name: str, parent: str | None = None) -> None:
    with runtime.sessions.write.begin() as session:
        organs_service.create_organ(
            session,
            OrganCreate(
                code=code,
                name=name,
                reconsideration_body="示例省人民政府",
                court="示例市中级人民法院",
                parent_code=parent,
            ),
            now=runtime.clock(),
        )


def _hidden(page: str) -> dict[str, str]:
    csrf, key = CSRF.search(page), KEY.search(page)
    assert csrf, page[:800]
    assert key, page[:800]
    return {"csrf_token": csrf.group(1), "_key": key.group(1)}


def _person(page: str, **overrides: str) -> dict[str, str]:
    data = {
        **_hidden(page),
        "_kind": "person",
        "applicant.name": "张三",
        "applicant.id_type": "resident_id",
        "applicant.id_number": resident_id(),
        "applicant.phone": "13800138000",
        "applicant.email": "zhangsan@example.com",
        "applicant.address": "",
        "applicant.postal_code": "",
        "items.0.description": "2025年本区老旧小区改造项目清单及资金安排",
        "items.0.document_number": "",
        "delivery.form": "electronic",
        "delivery.method": "online",
        "e_service_consent": "true",
        "_action": "submit",
    }
    data.update(overrides)
    return data


def _company(page: str, **overrides: str) -> dict[str, str]:
    data = {
        **_hidden(page),
        "_kind": "organisation",
        "applicant.category": "commercial_enterprise",
        "applicant.name": "示例科技有限公司",
        "applicant.id_number": uscc(),
        "applicant.legal_representative": "李四",
        "applicant.contact_person": "王五",
        "applicant.phone": "0571-88886666",
        "applicant.email": "legal@example.com",
        "items.0.description": "本公司所在地块的规划许可文件",
        "delivery.form": "electronic",
        "delivery.method": "online",
        "_action": "submit",
    }
    data.update(overrides)
    return data


def _field_error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', page)
    assert found, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("错误：", "")


def _value(page: str, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}"[^>]*value="([^"]*)"', page)
    if found is None:
        found = re.search(rf'id="{re.escape(field_id)}"[^>]*>([^<]*)</textarea>', page)
    assert found, f"no field {field_id}"
    return html.unescape(found.group(1))


def _cases(client: TestClient, organ: Staff) -> list[dict[str, Any]]:
    body = client.get("/api/v1/cases", headers=organ.headers("clerk")).json()
    items: list[dict[str, Any]] = body["items"]
    return items


# --- the organ chooser ------------------------------------------------------------------------


def test_chooser_groups_organs_under_their_government_and_searches(
    client: TestClient, runtime: Runtime
) -> None:
    _organ(runtime, "gov", "示例市人民政府")
    _organ(runtime, "zjj", "示例市住房和城乡建设局", "gov")
    _organ(runtime, "zrzy", "示例市自然资源和规划局", "gov")
    _organ(runtime, "qx", "示例市某某区人民政府")

    r = client.get("/apply")
    assert r.status_code == 200
    assert "<h1>选择受理机关</h1>" in r.text
    assert '<label for="q">机关名称</label>' in r.text
    assert ">搜索</button>" in r.text
    assert "no-store" not in r.headers.get("cache-control", "")
    groups = re.findall(r'<h2 id="group-\d+">(.*?)</h2>', r.text)
    assert groups == ["示例市人民政府", "示例市某某区人民政府"]
    links = re.findall(r'<a href="/apply/([a-z]+)">(.*?)</a>', r.text)
    assert links == [
        ("gov", "示例市人民政府"),
        ("zjj", "示例市住房和城乡建设局"),
        ("zrzy", "示例市自然资源和规划局"),
        ("qx", "示例市某某区人民政府"),
    ]

    found = client.get("/apply", params={"q": "  自然资源 "})
    assert re.findall(r'<a href="/apply/([a-z]+)">', found.text) == ["zrzy"]
    assert re.findall(r'<h2 id="group-\d+">(.*?)</h2>', found.text) == ["示例市人民政府"]

    none = client.get("/apply", params={"q": "不存在的机关"})
    assert none.status_code == 200
    assert "没有名称包含" in none.text

    long = client.get("/apply", params={"q": "局" * 51})
    assert long.status_code == 422
    assert "不超过 50 个字" in _field_error(long.text, "q")

    api = client.get("/api/v1/organs", params={"q": "住房"})
    assert api.json() == [
        {
            "code": "zjj",
            "name": "示例市住房和城乡建设局",
            "parent_code": "gov",
            "parent_name": "示例市人民政府",
        }
    ]
    assert [o["code"] for o in client.get("/api/v1/organs").json()] == [
        "gov",
        "zjj",
        "zrzy",
        "qx",
    ]
    assert client.get("/api/v1/organs", params={"q": "x" * 51}).status_code == 422


# --- the form ---------------------------------------------------------------------------------


def test_form_shows_every_field_of_the_contract(client: TestClient, organ_a: Staff) -> None:
    r = client.get(FORM)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    text = r.text
    assert "<h1>政府信息公开申请表</h1>" in text
    assert "org-a 示例区人民政府办公室" in text
    for label in (
        "申请人类别",
        "自然人",
        "法人或其他组织",
        "姓名",
        "证件类型",
        "证件号码",
        "联系电话",
        "电子邮箱",
        "通信地址",
        "邮政编码",
        "第1项",
        "所需信息的名称或描述",
        "文号",
        "获取信息的方式",
        "纸质",
        "电子",
        "查阅",
        "送达方式",
        "自行领取",
        "邮寄",
        "电子邮件",
        "网上下载",
        "同意电子送达",
        "附件",
    ):
        assert re.search(rf"<(label|legend)[^>]*>{label}[<（]", text), label
    for button in ("选择", "添加一项", "提交申请"):
        assert re.search(rf"<button[^>]*>{button}</button>", text), button
    assert "删除第1项" not in text
    assert '<option value="passport">护照</option>' in text
    assert 'type="file" id="attachments" name="attachments"' in text
    assert " multiple" in text
    assert KEY.search(text)
    assert 'autocomplete="tel"' in text
    assert "apply.js" in text
    # Each rendered form has its own idempotency key.
    assert KEY.search(client.get(FORM).text).group(1) != KEY.search(text).group(1)  # type: ignore[union-attr]

    org = client.post(FORM, data={**_hidden(text), "_kind": "organisation", "_action": "switch"})
    assert org.status_code == 200
    for label in ("名称", "统一社会信用代码", "法定代表人", "联系人", "组织类别"):
        assert re.search(rf"<label[^>]*>{label}[<（]", org.text), label
    for category in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"):
        assert f">{category}</option>" in org.text
    assert "<label" in org.text
    assert ">姓名<" not in org.text


def test_unknown_organ_is_the_not_found_page(client: TestClient, organ_a: Staff) -> None:
    for path in ("/apply/no-such", "/apply/%00x", "/apply/" + "a" * 200, "/apply/a%2Fb"):
        r = client.get(path)
        # A NUL in the address is refused before routing (400); it names no organ either way.
        assert r.status_code == (400 if "%00" in path else 404), path
        if r.status_code == 400:
            continue
        assert r.headers["content-type"].startswith("text/html")
        assert "返回首页" in r.text
    page = client.get(FORM).text
    r = client.post("/apply/no-such", data=_person(page))
    assert r.status_code == 404
    assert "返回首页" in r.text


def test_a_person_applies_and_gets_the_number_and_code_once(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    page = client.get(FORM).text
    r = client.post(FORM, data=_person(page), follow_redirects=False)

    assert r.status_code == 201, r.text[:2000]
    assert r.headers["cache-control"] == "no-store"
    assert "location" not in r.headers
    assert "<h1>申请已提交</h1>" in r.text
    number = html.unescape(re.search(r'id="registration-number"[^>]*>([^<]+)<', r.text).group(1))  # type: ignore[union-attr]
    code = re.search(r'id="query-code"[^>]*>([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert number == "org-a依申〔2026〕0001号"
    assert "查询码只显示这一次" in r.text
    assert re.search(r'<button[^>]*id="print-button" hidden>打印本页</button>', r.text)
    assert "print.js" in r.text
    assert "Ctrl+P" in r.text
    # Received the day it was submitted (the organ confirms online submissions at once).
    assert "2026年3月2日（星期一）" in r.text
    # 20 working days from Mon 2 March 2026: Mon 30 March.
    assert "2026年3月30日（星期一）" in r.text
    assert "<summary>为什么是这一天</summary>" in r.text
    letter = re.search(r'<a href="/query/letters/(\d+)">下载受理回执</a>', r.text)
    assert letter
    assert r.cookies.get("gk_case")

    (case,) = _cases(client, organ_a)
    assert case["number"] == number
    mine = client.get(f"/api/v1/applications/{number}", headers={"X-Query-Code": code})
    assert mine.status_code == 200, mine.text
    assert mine.json()["number"] == number
    letters = client.get(f"/api/v1/applications/{number}/letters", headers={"X-Query-Code": code})
    assert [x["id"] for x in letters.json()] == [int(letter.group(1))]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert detail["applicant"]["name"] == "张三"
    assert detail["applicant"]["category"] == "natural_person"
    assert detail["e_service_consent"] is True


def test_a_company_applies_with_a_pdf_attachment(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    page = client.get(FORM).text
    pdf = make_pdf()
    r = client.post(
        FORM,
        data=_company(page),
        files=[("attachments", ("营业执照.pdf", pdf, "application/pdf"))],
    )

    assert r.status_code == 201, r.text[:3000]
    (case,) = _cases(client, organ_a)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert detail["applicant"]["category"] == "commercial_enterprise"
    assert detail["applicant"]["id_type"] == "uscc"
    assert detail["applicant"]["legal_representative"] == "李四"
    (att,) = detail["attachments"]
    assert (att["filename"], att["content_type"], att["size"]) == (
        "营业执照.pdf",
        "application/pdf",
        len(pdf),
    )
    stored = client.get(
        f"/api/v1/cases/{case['id']}/attachments/{att['id']}", headers=organ_a.headers("clerk")
    )
    assert stored.content == pdf


def test_switching_category_and_rows_without_javascript_keeps_every_value(
    client: TestClient, organ_a: Staff
) -> None:
    page = client.get(FORM).text
    typed = _person(
        page,
        **{
            "items.0.description": "第一项内容",
            "items.0.document_number": "示府办〔2025〕1号",
            "applicant.address": "示例市人民路100号",
        },
    )

    added = client.post(FORM, data={**typed, "_action": "add"})
    assert added.status_code == 200
    assert "<legend>第2项</legend>" in added.text
    assert ">删除第1项</button>" in added.text
    assert ">删除第2项</button>" in added.text
    assert _value(added.text, "items-0-description") == "第一项内容"
    assert _value(added.text, "items-0-document_number") == "示府办〔2025〕1号"
    assert _value(added.text, "applicant-name") == "张三"
    assert _value(added.text, "applicant-address") == "示例市人民路100号"
    assert KEY.search(added.text).group(1) == typed["_key"]  # type: ignore[union-attr]
    assert _cases(client, organ_a) == []

    two = {**typed, "items.1.description": "第二项内容", "items.1.document_number": ""}
    removed = client.post(FORM, data={**two, "_action": "remove-1"})
    assert "<legend>第2项</legend>" not in removed.text
    assert _value(removed.text, "items-0-description") == "第二项内容"
    assert "删除第1项" not in removed.text

    org = client.post(FORM, data={**typed, "_kind": "organisation", "_action": "switch"})
    assert _value(org.text, "applicant-name") == "张三"
    assert _value(org.text, "applicant-phone") == "13800138000"
    assert _value(org.text, "items-0-description") == "第一项内容"
    assert 'value="organisation" checked' in org.text
    # The person's document type is carried along, and back again.
    assert '<input type="hidden" name="applicant.id_type" value="resident_id">' in org.text
    org_form = {
        **_hidden(org.text),
        **{k: v for k, v in typed.items() if k not in ("csrf_token", "_key")},
        "_kind": "organisation",
        "applicant.legal_representative": "李四",
    }
    back = client.post(FORM, data={**org_form, "_kind": "person", "_action": "switch"})
    assert 'value="resident_id" selected' in back.text
    assert '<input type="hidden" name="applicant.legal_representative" value="李四">' in back.text
    assert _cases(client, organ_a) == []


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        ({"applicant.id_number": with_wrong_check(resident_id())}, "applicant-id_number", "校验"),
        ({"items.0.description": ""}, "items-0-description", "请填写此项"),
        ({"applicant.phone": "12"}, "applicant-phone", "电话"),
        ({"applicant.email": "not-an-email"}, "applicant-email", "电子邮箱"),
        ({"delivery.method": "post"}, "applicant-address", "通信地址"),
        ({"applicant.email": "", "delivery.method": "pickup"}, "e_service_consent", "电子送达"),
    ],
)
def test_field_errors_rerender_the_form_with_the_values(
    client: TestClient,
    organ_a: Staff,
    change: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    page = client.get(FORM).text
    data = _person(page, **change)
    r = client.post(FORM, data=data)

    assert r.status_code == 422, r.text[:2000]
    assert r.headers["cache-control"] == "no-store"
    assert message in _field_error(r.text, field_id)
    assert 'role="alert"' in r.text
    assert f'href="#{field_id}"' in r.text
    assert _value(r.text, "applicant-name") == "张三"
    assert _value(r.text, "applicant-phone") == data["applicant.phone"]
    assert _cases(client, organ_a) == []


def test_a_hostile_pdf_is_refused_beside_the_attachments(
    client: TestClient, organ_a: Staff
) -> None:
    page = client.get(FORM).text
    hostile = saved(pdf_with(OpenAction=js_action()))
    r = client.post(
        FORM,
        data=_person(page, **{"items.0.document_number": "示府办〔2025〕1号"}),
        files=[("attachments", ("声明.pdf", hostile, "application/pdf"))],
    )

    assert r.status_code == 415
    assert "JavaScript" in _field_error(r.text, "attachments")
    assert "重新选择附件" in r.text
    assert _value(r.text, "items-0-document_number") == "示府办〔2025〕1号"
    assert _cases(client, organ_a) == []


def test_a_double_submit_registers_one_case(client: TestClient, organ_a: Staff) -> None:
    page = client.get(FORM).text
    data = _person(page)
    first = client.post(FORM, data=data)
    second = client.post(FORM, data=data)

    assert (first.status_code, second.status_code) == (201, 200)
    numbers = [
        re.search(r'id="registration-number"[^>]*>([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
        for r in (first, second)
    ]
    assert numbers[0] == numbers[1]
    assert "没有重复登记" in second.text
    assert len(_cases(client, organ_a)) == 1

    # Back, edit, resend with the same form: refused, with a fresh key for a new application.
    edited = client.post(FORM, data={**data, "items.0.description": "另一项信息"})
    assert edited.status_code == 409
    assert "此表单已经提交过" in edited.text
    assert KEY.search(edited.text).group(1) != data["_key"]  # type: ignore[union-attr]
    assert len(_cases(client, organ_a)) == 1


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, organ_a: Staff) -> None:
    page = client.get(FORM).text
    data = _person(page)
    del data["csrf_token"]
    r = client.post(FORM, data=data)
    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert _cases(client, organ_a) == []


def test_malformed_posts_never_fail_the_server(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    page = client.get(FORM).text
    base = _person(page)
    huge = client.post(FORM, data={**base, "applicant.name": "张" * 100_000})
    assert huge.status_code == 422
    assert "长度不能超过 200 个字符" in _field_error(huge.text, "applicant-name")

    # 500 rows are more fields than any form has: the parser refuses them, as a page.
    rows = {f"items.{i}.description": f"第{i}项" for i in range(500)}
    flood = client.post(FORM, data={**base, **rows})
    assert flood.status_code == 400
    assert flood.headers["content-type"].startswith("text/html")
    assert "返回首页" in flood.text
    rows = {f"items.{i}.description": f"第{i}项" for i in range(60)}
    many = client.post(FORM, data={**base, **rows})
    assert many.status_code == 422
    assert "最多 50 项" in many.text
    assert many.text.count("<legend>第") <= 51

    odd = client.post(
        FORM,
        data={
            **base,
            "_kind": "robot",
            "applicant.category": "king",
            "applicant.id_type": "dna",
            "delivery.form": "pigeon",
            "items.x.description": "?",
            "applicant.name.first": "x",
            "e_service_consent": "maybe",
            "_action": "remove-9999",
        },
    )
    assert odd.status_code in (200, 422), odd.text[:1000]

    add_past = client.post(
        FORM,
        data={**base, **{f"items.{i}.description": "x" for i in range(50)}, "_action": "add"},
    )
    assert add_past.status_code == 200
    assert "最多 50 项" in add_past.text

    bad_file = client.post(
        FORM, data=base, files=[("attachments", ("x.exe", b"MZ\x90\x00" * 10, "application/pdf"))]
    )
    assert bad_file.status_code == 415
    with runtime.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_the_query_code_is_never_in_a_url(client: TestClient, organ_a: Staff) -> None:
    page = client.get(FORM).text
    r = client.post(FORM, data=_person(page), follow_redirects=False)
    code = re.search(r'id="query-code"[^>]*>([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert "location" not in r.headers
    for url in re.findall(r'(?:href|src|action)="([^"]+)"', r.text):
        assert code not in url
        assert code.replace("-", "") not in url
    assert code not in r.headers.get("set-cookie", "")


def test_an_organ_that_confirms_receipt_later_shows_awaiting_confirmation(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        organs_service.create_organ(
            session,
            OrganCreate.model_validate(
                {
                    "code": "org-slow",
                    "name": "示例县人民政府",
                    "reconsideration_body": "示例市人民政府",
                    "court": "示例县人民法院",
                    "settings": {"online_auto_confirm": False},
                }
            ),
            now=runtime.clock(),
        )
    page = client.get("/apply/org-slow").text
    r = client.post("/apply/org-slow", data=_person(page))

    assert r.status_code == 201, r.text[:2000]
    assert "待确认" in r.text
    assert "答复期限从确认之日起计算 20 个工作日" in r.text
    assert "下载受理回执" not in r.text
    assert "为什么是这一天" not in r.text


@pytest.mark.parametrize("ticked", [True, False])
def test_the_form_records_the_consent_to_pass_the_application_on(
    client: TestClient, organ_a: Staff, ticked: bool
) -> None:
    page = client.get(FORM).text
    assert '<label for="transfer_consent">同意转交</label>' in page
    data = _person(page, **({"transfer_consent": "true"} if ticked else {}))
    r = client.post(FORM, data=data, follow_redirects=False)
    assert r.status_code == 201, r.text[:2000]

    (case,) = _cases(client, organ_a)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert detail["transfer_consent"] is ticked
