"""The organ pages (/staff/admin/organs): the list, settings through OrganSettings and the same
service as the JSON PUT, the seal image checked as the API checks it, admins only."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.validation.test_files import make_png
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PAGE = "/staff/admin/organs"


@pytest.fixture
def root(client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff) -> TestClient:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    return signed_in(client, "root")


def _api(client: TestClient, admin: dict[str, str], code: str = "org-a") -> dict[str, Any]:
    r = client.get(f"/api/v1/admin/organs/{code}", headers=admin)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert found, html[:3000]
    return found.group(1)


def _settings(client: TestClient, text: str, code: str = "org-a") -> Any:
    path = f"{PAGE}/{code}/settings"
    return client.post(
        path, data={"csrf_token": csrf(client, PAGE), "settings": text}, follow_redirects=False
    )


def _seal(client: TestClient, data: bytes, name: str = "seal.png") -> Any:
    return client.post(
        f"{PAGE}/org-a/seal",
        data={"csrf_token": csrf(client, PAGE)},
        files={"seal": (name, data, "image/png")},
        follow_redirects=False,
    )


def test_the_list_shows_every_organ_the_api_lists(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    r = root.get(PAGE)
    assert r.status_code == 200
    listed = client.get("/api/v1/admin/organs", headers=admin).json()
    assert len(listed) >= 2
    for organ in listed:
        assert f'<a href="{PAGE}/{organ["code"]}">{organ["name"]}</a>' in r.text


def test_an_organ_page_shows_its_settings_and_every_settings_field(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    r = root.get(f"{PAGE}/org-a")
    assert r.status_code == 200
    api = _api(client, admin)
    assert f"<h1>{api['name']}</h1>" in r.text
    for name in api["settings"]:
        assert f'<span class="code">{name}</span>' in r.text
    shown = re.search(
        r'<textarea id="settings" name="settings"[^>]*>(.*?)</textarea>', r.text, re.S
    )
    assert shown
    assert (
        json.loads(shown.group(1).replace("&#34;", '"').replace("&quot;", '"')) == api["settings"]
    )
    assert "未上传" in r.text


def test_saving_settings_goes_through_the_service_and_the_api_sees_it(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    r = _settings(root, json.dumps({"correction_period_wd": 10, "letter_sequence": "shared"}))
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == f"{PAGE}/org-a?done=settings"
    stored = _api(client, admin)["settings"]
    assert stored["correction_period_wd"] == 10
    assert stored["letter_sequence"] == "shared"
    assert stored["online_auto_confirm"] is True  # left out: back to its default
    done = root.get(r.headers["location"])
    assert "已保存机关设置" in done.text
    assert (
        "&#34;correction_period_wd&#34;: 10" in done.text
        or '"correction_period_wd": 10' in done.text
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "JSON 格式有误"),
        ("[1, 2]", "内容应为一个 JSON 对象"),
        ('{"correction_period_wd": 0}', "correction_period_wd"),
        ('{"colour": "red"}', "colour"),
        ('{"letter_sequence": "weekly"}', "letter_sequence"),
        ("[" * 100_000, "内容过长"),
        ("[" * 5000 + "]" * 5000, "JSON"),
    ],
)
def test_bad_settings_are_shown_beside_the_field_and_nothing_changes(
    root: TestClient, client: TestClient, admin: dict[str, str], text: str, says: str
) -> None:
    before = _api(client, admin)["settings"]
    r = _settings(root, text)
    assert r.status_code == 422
    assert says in _error(r.text, "settings")
    assert 'aria-invalid="true"' in r.text
    assert _api(client, admin)["settings"] == before


def test_a_png_seal_is_stored_as_by_the_api_and_can_be_removed(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    png = make_png()
    r = _seal(root, png)
    assert r.status_code == 303, r.text[:2000]
    assert _api(client, admin)["seal_sha256"] == hashlib.sha256(png).hexdigest()
    page = root.get(r.headers["location"])
    assert "已上传电子印章" in page.text
    assert "删除印章" in page.text
    removed = root.post(
        f"{PAGE}/org-a/seal",
        data={"csrf_token": csrf(root, PAGE), "remove": "1"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert _api(client, admin)["seal_sha256"] is None


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"GIF89a....", "seal.png", "印章须为 PNG 图片"),
        (b"%PDF-1.4 not an image", "seal.png", "印章须为 PNG 图片"),
        (make_png() + b"\0" * (1024 * 1024), "seal.png", "不超过 1 MB"),
        (b"", "", "请选择印章图片"),
    ],
)
def test_a_seal_that_is_not_a_small_png_is_refused_beside_the_field(
    root: TestClient, client: TestClient, admin: dict[str, str], data: bytes, name: str, says: str
) -> None:
    r = _seal(root, data, name)
    assert r.status_code == 422
    assert says in _error(r.text, "seal")
    assert _api(client, admin)["seal_sha256"] is None


def test_other_roles_are_refused_as_by_the_api(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    make_staff(runtime, "org-a", "clerk", "supervisor", "approver", "legal", login="boss")
    signed_in(client, "boss")
    for path in (PAGE, f"{PAGE}/org-a"):
        assert client.get(path).status_code == 403, path
    token = csrf(client, "/staff/")
    r = client.post(f"{PAGE}/org-a/settings", data={"csrf_token": token, "settings": "{}"})
    assert r.status_code == 403
    r = client.post(f"{PAGE}/org-a/seal", data={"csrf_token": token, "remove": "1"})
    assert r.status_code == 403
    api = client.get("/api/v1/admin/organs/org-a", headers=organ_a.headers("supervisor"))
    assert api.status_code == 403


def test_the_forms_need_their_token(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    r = root.post(f"{PAGE}/org-a/settings", data={"settings": '{"correction_period_wd": 9}'})
    assert r.status_code == 403
    assert _api(client, admin)["settings"]["correction_period_wd"] == 15


@pytest.mark.parametrize("code", ["no-such-organ", "x" * 40, "%00", "org-a%2F.."])
def test_an_unknown_organ_is_a_page_not_a_crash(root: TestClient, code: str) -> None:
    r = root.get(f"{PAGE}/{code}")
    assert r.status_code in (400, 404, 422)
    if code != "%00":  # a NUL in the URL is refused (400) before any page is reached
        assert r.headers["content-type"].startswith("text/html")
    r = _settings(root, "{}", code)
    assert r.status_code in (400, 404, 422)
