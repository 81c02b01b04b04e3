"""Departments in the workbench (/staff/admin/departments): create, rename, retire, members —
the same service as /api/v1/departments; an organ's admin sees only its own organ's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

LIST = "/staff/admin/departments"


def test_an_organs_admin_creates_a_department_and_chooses_its_members(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff
) -> None:
    li = make_staff(runtime, "org-a", "clerk", login="li", name="李承办")
    wang = make_staff(runtime, "org-a", "clerk", login="wang", name="王承办")
    outsider = make_staff(runtime, "org-b", "clerk", login="zhou", name="周承办")
    make_staff(runtime, "org-a", "admin", login="boss", name="管理员")
    signed_in(client, "boss")
    assert "还没有科室" in client.get(LIST).text

    token = csrf(client, LIST)
    r = client.post(LIST, data={"csrf_token": token, "name": "规划科"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    edit = r.headers["location"].split("?")[0]
    page = client.get(r.headers["location"]).text
    assert "已新建科室" in page
    assert "李承办" in page
    assert "王承办" in page
    assert "周承办" not in page  # another organ's staff are not offered

    # The same name again: refused beside the field.
    r = client.post(LIST, data={"csrf_token": token, "name": "规划科"})
    assert r.status_code == 422
    assert "已有" in r.text

    form = {"csrf_token": token, "name": "规划和自然资源科", "active": "true",
            "members": [str(li), str(wang)]}  # fmt: skip
    r = client.post(edit, data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    listed = client.get(LIST).text
    assert "规划和自然资源科" in listed
    assert "李承办、王承办" in listed or "王承办、李承办" in listed

    # A member from another organ (a forged form) is refused; nothing changes.
    r = client.post(edit, data={**form, "members": [str(outsider)]})
    assert r.status_code == 422
    assert "不是本机关工作人员" in r.text
    # Retired: no longer offered for new assignments.
    r = client.post(edit, data={**form, "active": ""}, follow_redirects=False)
    assert r.status_code == 303
    assert "已停用" in client.get(LIST).text
    api = client.get("/api/v1/departments", headers=organ_a.headers("clerk")).json()
    assert [(d["name"], d["active"], len(d["members"])) for d in api] == [
        ("规划和自然资源科", False, 2)
    ]

    # Another organ's admin cannot open it.
    make_staff(runtime, "org-b", "admin", login="boss-b", name="乙管理员")
    signed_in(client, "boss-b")
    assert client.get(edit).status_code == 404
    assert "规划和自然资源科" not in client.get(LIST).text
