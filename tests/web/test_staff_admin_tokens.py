"""A user's API tokens (/staff/admin/users/{id}/tokens): issued through the same service as the
JSON route (the secret works on the API and is shown once), revoked by prefix, admins only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

SECRET = re.compile(r'<span class="code token-secret">(gk_[^<]+)</span>')


@pytest.fixture
def users(runtime: Runtime, organ_a: Staff) -> dict[str, int]:
    return {
        "root": make_staff(runtime, None, "admin", login="root"),
        "clerk": make_staff(runtime, "org-a", "clerk", login="clerk", name="承办人 李明"),
    }


@pytest.fixture
def root(client: TestClient, users: dict[str, int]) -> TestClient:
    return signed_in(client, "root")


def _path(users: dict[str, int]) -> str:
    return f"/staff/admin/users/{users['clerk']}/tokens"


def test_issuing_a_token_shows_it_once_and_it_works_on_the_api(
    root: TestClient, client: TestClient, users: dict[str, int]
) -> None:
    path = _path(users)
    listed = root.get("/staff/admin/users")
    assert f'href="{path}"' in listed.text
    page = root.get(path)
    assert page.status_code == 200
    assert "<h1>API 令牌：承办人 李明</h1>" in page.text
    before = page.text.count("有效</td>")

    r = root.post(path, data={"csrf_token": csrf(root, path)})
    assert r.status_code == 201, r.text[:2000]
    found = SECRET.search(r.text)
    assert found
    secret = found.group(1)
    assert r.headers["cache-control"] == "no-store"
    assert r.text.count("有效</td>") == before + 1
    me = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    again = root.get(path)
    assert secret not in again.text  # never shown again
    assert secret[:11] in again.text


def test_revoking_a_token_stops_it_on_the_api(
    root: TestClient, client: TestClient, users: dict[str, int]
) -> None:
    path = _path(users)
    issued = root.post(path, data={"csrf_token": csrf(root, path)})
    found = SECRET.search(issued.text)
    assert found
    secret = found.group(1)
    r = root.post(
        f"{path}/revoke",
        data={"csrf_token": csrf(root, path), "prefix": secret[:11]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"{path}?revoked=1"
    assert "已吊销 1 个令牌" in root.get(r.headers["location"]).text
    refused = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401


@pytest.mark.parametrize("prefix", ["", "gk_nothere", "x" * 5000])
def test_a_token_not_the_users_is_not_revoked(
    root: TestClient, client: TestClient, users: dict[str, int], organ_a: Staff, prefix: str
) -> None:
    other = organ_a.headers("clerk")  # another user's live token
    other_prefix = other["Authorization"].removeprefix("Bearer ")[:11]
    path = _path(users)
    for value in (prefix, other_prefix):
        r = root.post(f"{path}/revoke", data={"csrf_token": csrf(root, path), "prefix": value})
        assert r.status_code == 422
        assert "该用户没有这个有效令牌" in r.text
    assert client.get("/api/v1/cases", headers=other).status_code == 200


def test_other_roles_are_refused_as_by_the_api(
    client: TestClient, users: dict[str, int], organ_a: Staff
) -> None:
    signed_in(client, "clerk")
    path = _path(users)
    assert client.get(path).status_code == 403
    token = csrf(client, "/staff/")
    assert client.post(path, data={"csrf_token": token}).status_code == 403
    api = client.post(
        f"/api/v1/admin/users/{users['clerk']}/tokens", headers=organ_a.headers("clerk")
    )
    assert api.status_code == 403


def test_issuing_needs_the_form_token(root: TestClient, users: dict[str, int]) -> None:
    path = _path(users)
    before = root.get(path).text.count("有效</td>")
    assert root.post(path, data={}).status_code == 403
    assert root.get(path).text.count("有效</td>") == before


@pytest.mark.parametrize("user_id", ["999999", "abc", "-1", "1" * 40])
def test_an_unknown_user_is_a_page_not_a_crash(root: TestClient, user_id: str) -> None:
    path = f"/staff/admin/users/{user_id}/tokens"
    assert root.get(path).status_code in (400, 404, 422)
    token = csrf(root, "/staff/admin/users")
    assert root.post(path, data={"csrf_token": token}).status_code in (400, 404, 422)
    r = root.post(f"{path}/revoke", data={"csrf_token": token, "prefix": "gk_abcdefgh"})
    assert r.status_code in (400, 404, 422)
