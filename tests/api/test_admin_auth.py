"""Administration: organs, staff users, API tokens (issued, revoked, stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import ApiToken
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application, bearer, staff_case

ORGANS = "/api/v1/admin/organs"
USERS = "/api/v1/admin/users"
CASES_URL = "/api/v1/cases"


def _organ(code: str = "org-c", **overrides: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "示例市交通运输局",
        "reconsideration_body": "示例市人民政府",
        "court": "示例市中级人民法院",
        **overrides,
    }


def _locs(r: Any) -> list[list[Any]]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "validation-error"
    return [e["loc"] for e in r.json()["errors"]]


def _create_user(
    client: TestClient, admin: dict[str, str], organ_code: str | None, *roles: str
) -> dict[str, Any]:
    r = client.post(
        USERS,
        json={"organ_code": organ_code, "name": "赵六", "roles": list(roles)},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


# --- organs ------------------------------------------------------------------------------------


def test_admin_creates_an_organ_with_default_settings(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post(
        ORGANS,
        json=_organ(address="示例市人民路1号", phone="0571-87000000"),
        headers=admin,
    )

    assert r.status_code == 201, r.text
    organ = r.json()
    assert organ["code"] == "org-c"
    assert organ["name"] == "示例市交通运输局"
    assert organ["reconsideration_body"] == "示例市人民政府"
    assert organ["court"] == "示例市中级人民法院"
    assert organ["address"] == "示例市人民路1号"
    assert organ["phone"] == "0571-87000000"
    assert organ["number_pattern"] == "{code}依申〔{year}〕{seq:04d}号"
    assert organ["settings"] == {
        "online_auto_confirm": True,
        "fee_pauses_clock": True,
        "correction_period_wd": 15,
        "letter_number_pattern": "{code}依申{mark}〔{year}〕{seq}号",
        "letter_sequence": "per_kind",
        "legal_review_outcomes": ["partially_disclosed", "withheld.", "not_processed."],
        "sign_off_required": True,
        "record_correction_period_wd": 20,
        "confidentiality_review_outcomes": ["disclosed", "partially_disclosed"],
        "confidentiality_review_role": "approver",
        "mail_from": None,
        "warning_thresholds_wd": [5, 1],
        "archive_retention_years": 10,
        "released_file_max_mb": 100,
        "released_files_days": 60,
    }
    assert isinstance(organ["id"], int)


def test_created_organ_can_be_read_back(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        ORGANS, json=_organ(settings={"correction_period_wd": 10}), headers=admin
    ).json()

    one = client.get(f"{ORGANS}/org-c", headers=admin)
    every = client.get(ORGANS, headers=admin)

    assert one.status_code == 200, one.text
    assert one.json() == created
    assert one.json()["settings"] == {
        "online_auto_confirm": True,
        "fee_pauses_clock": True,
        "correction_period_wd": 10,
        "letter_number_pattern": "{code}依申{mark}〔{year}〕{seq}号",
        "letter_sequence": "per_kind",
        "legal_review_outcomes": ["partially_disclosed", "withheld.", "not_processed."],
        "sign_off_required": True,
        "record_correction_period_wd": 20,
        "confidentiality_review_outcomes": ["disclosed", "partially_disclosed"],
        "confidentiality_review_role": "approver",
        "mail_from": None,
        "warning_thresholds_wd": [5, 1],
        "archive_retention_years": 10,
        "released_file_max_mb": 100,
        "released_files_days": 60,
    }
    assert every.json() == [created]


def test_unknown_organ_is_not_found(client: TestClient, admin: dict[str, str]) -> None:
    r = client.get(f"{ORGANS}/nope", headers=admin)

    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


def test_duplicate_organ_code_conflicts(client: TestClient, admin: dict[str, str]) -> None:
    assert client.post(ORGANS, json=_organ(), headers=admin).status_code == 201

    r = client.post(ORGANS, json=_organ(name="另一个机关"), headers=admin)

    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "conflict"
    assert [o["name"] for o in client.get(ORGANS, headers=admin).json()] == ["示例市交通运输局"]


@pytest.mark.parametrize(
    "pattern",
    [
        "{code}-{year}",  # no {seq}: numbers would repeat
        "{code}-{year}-{seq}-{foo}",  # unknown field
        "{code}-{year}-{seq",  # unparsable
        "{",  # unparsable
        "{code}-{seq:04d}",  # no {year}
        "{code}-{year}-{}",  # positional field
        "{code}-{year}-{seq:q}",  # a format spec an int cannot take
    ],
)
def test_bad_number_pattern_is_refused(
    client: TestClient, admin: dict[str, str], pattern: str
) -> None:
    r = client.post(ORGANS, json=_organ(number_pattern=pattern), headers=admin)

    assert _locs(r) == [["body", "number_pattern"]]
    assert client.get(ORGANS, headers=admin).json() == []


def test_unknown_settings_key_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(ORGANS, json=_organ(settings={"online_auto_confirmm": False}), headers=admin)

    assert _locs(r) == [["body", "settings", "online_auto_confirmm"]]


@pytest.mark.parametrize("period", [0, 61])
def test_correction_period_out_of_range_is_refused(
    client: TestClient, admin: dict[str, str], period: int
) -> None:
    r = client.post(ORGANS, json=_organ(settings={"correction_period_wd": period}), headers=admin)

    assert _locs(r) == [["body", "settings", "correction_period_wd"]]


@pytest.mark.parametrize("code", ["", "-org", "org c", "机关", "x" * 33])
def test_bad_organ_code_is_refused(client: TestClient, admin: dict[str, str], code: str) -> None:
    r = client.post(ORGANS, json=_organ(code=code), headers=admin)

    assert _locs(r) == [["body", "code"]]


def test_custom_number_pattern_numbers_staff_and_online_registrations(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post(ORGANS, json=_organ(number_pattern="{code}-{year}-{seq:05d}"), headers=admin)
    assert r.status_code == 201, r.text
    clerk = _create_user(client, admin, "org-c", "clerk")

    staff = client.post(CASES_URL, json=staff_case("in_person"), headers=bearer(clerk["token"]))
    online = client.post("/api/v1/applications", json=application("org-c"))

    assert staff.status_code == 201, staff.text
    assert staff.json()["number"] == "org-c-2026-00001"
    assert online.status_code == 201, online.text
    assert online.json()["number"] == "org-c-2026-00002"


def test_organ_without_auto_confirm_leaves_online_submissions_awaiting(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.post(ORGANS, json=_organ(settings={"online_auto_confirm": False}), headers=admin)

    r = client.post("/api/v1/applications", json=application("org-c"))

    assert r.status_code == 201, r.text
    assert r.json()["state"] == "awaiting_confirmation"
    assert r.json()["receipt_date"] is None


# --- who may administer ------------------------------------------------------------------------

ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", ORGANS, _organ("org-x")),
    ("GET", ORGANS, None),
    ("GET", f"{ORGANS}/org-a", None),
    ("POST", USERS, {"organ_code": "org-a", "name": "钱七", "roles": ["clerk"]}),
    ("POST", f"{USERS}/1/tokens", None),
    ("DELETE", "/api/v1/admin/tokens/gk_abcdefgh", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor"])
def test_organ_staff_are_forbidden_every_admin_route(
    client: TestClient,
    organ_a: Staff,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    role: str,
) -> None:
    r = client.request(method, path, json=body, headers=organ_a.headers(role))

    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_every_admin_route_needs_a_token(
    client: TestClient, organ_a: Staff, method: str, path: str, body: dict[str, Any] | None
) -> None:
    r = client.request(method, path, json=body)

    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["code"] == "unauthenticated"


def test_forbidden_admin_calls_change_nothing(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    client.post(ORGANS, json=_organ("org-x"), headers=organ_a.headers("clerk"))
    client.post(
        USERS,
        json={"organ_code": "org-a", "name": "钱七", "roles": ["admin"]},
        headers=organ_a.headers("clerk"),
    )

    assert [o["code"] for o in client.get(ORGANS, headers=admin).json()] == ["org-a"]


# --- users and tokens --------------------------------------------------------------------------


def test_admin_creates_a_clerk_whose_token_works(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    created = _create_user(client, admin, "org-a", "clerk", "front_desk", "clerk")

    user = created["user"]
    assert user["organ_code"] == "org-a"
    assert user["name"] == "赵六"
    assert user["roles"] == ["clerk", "front_desk"]
    assert user["active"] is True
    assert isinstance(user["id"], int)
    assert created["token"].startswith("gk_")
    r = client.get(CASES_URL, headers=bearer(created["token"]))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0


def test_new_users_name_is_recorded_on_what_they_do(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    token = _create_user(client, admin, "org-a", "front_desk")["token"]
    case = client.post(CASES_URL, json=staff_case("in_person"), headers=bearer(token)).json()

    events = client.get(f"{CASES_URL}/{case['id']}/events", headers=bearer(token)).json()

    assert events[0]["actor_label"] == "赵六"


def test_user_for_an_unknown_organ_is_refused(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    r = client.post(
        USERS, json={"organ_code": "org-zz", "name": "赵六", "roles": ["clerk"]}, headers=admin
    )

    assert _locs(r) == [["body", "organ_code"]]


@pytest.mark.parametrize("role", ["clerk", "legal", "approver", "front_desk", "supervisor"])
def test_organ_role_without_organ_is_refused(
    client: TestClient, admin: dict[str, str], role: str
) -> None:
    r = client.post(USERS, json={"name": "赵六", "roles": [role]}, headers=admin)

    assert _locs(r) == [["body", "organ_code"]]


def test_admin_with_organ_role_still_needs_an_organ(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post(USERS, json={"name": "赵六", "roles": ["admin", "clerk"]}, headers=admin)

    assert _locs(r) == [["body", "organ_code"]]


def test_applicant_is_not_a_staff_role(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    r = client.post(
        USERS, json={"organ_code": "org-a", "name": "赵六", "roles": ["applicant"]}, headers=admin
    )

    assert _locs(r) == [["body", "roles"]]


@pytest.mark.parametrize(
    ("roles", "loc"),
    [
        (["superuser"], ["body", "roles", 0]),
        (["clerk", "janitor"], ["body", "roles", 1]),
        ([], ["body", "roles"]),
    ],
)
def test_unknown_or_missing_roles_are_refused(
    client: TestClient, organ_a: Staff, admin: dict[str, str], roles: list[str], loc: list[Any]
) -> None:
    r = client.post(
        USERS, json={"organ_code": "org-a", "name": "赵六", "roles": roles}, headers=admin
    )

    assert _locs(r) == [loc]


def test_platform_admin_needs_no_organ(client: TestClient, admin: dict[str, str]) -> None:
    created = _create_user(client, admin, None, "admin")

    assert created["user"]["organ_code"] is None
    assert created["user"]["roles"] == ["admin"]
    r = client.get(ORGANS, headers=bearer(created["token"]))
    assert r.status_code == 200, r.text


def test_second_token_works_and_revoking_it_spares_the_first(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    created = _create_user(client, admin, "org-a", "clerk")
    first = created["token"]

    issued = client.post(f"{USERS}/{created['user']['id']}/tokens", headers=admin)
    assert issued.status_code == 201, issued.text
    second = issued.json()["token"]
    assert second != first
    assert client.get(CASES_URL, headers=bearer(second)).status_code == 200

    revoked = client.delete(f"/api/v1/admin/tokens/{second[:11]}", headers=admin)

    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"revoked": 1}
    r = client.get(CASES_URL, headers=bearer(second))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    assert client.get(CASES_URL, headers=bearer(first)).status_code == 200


def test_revoking_twice_revokes_nothing_the_second_time(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    token = _create_user(client, admin, "org-a", "clerk")["token"]

    first = client.delete(f"/api/v1/admin/tokens/{token[:11]}", headers=admin)
    again = client.delete(f"/api/v1/admin/tokens/{token[:11]}", headers=admin)

    assert first.json() == {"revoked": 1}
    assert again.status_code == 200, again.text
    assert again.json() == {"revoked": 0}


def test_revoking_an_unknown_prefix_revokes_nothing(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    token = _create_user(client, admin, "org-a", "clerk")["token"]

    r = client.delete("/api/v1/admin/tokens/gk_00000000", headers=admin)

    assert r.status_code == 200, r.text
    assert r.json() == {"revoked": 0}
    assert client.get(CASES_URL, headers=bearer(token)).status_code == 200


def test_revoking_needs_at_least_the_whole_prefix(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.delete("/api/v1/admin/tokens/gk_abc", headers=admin)

    assert _locs(r) == [["path", "prefix"]]


def test_token_for_an_unknown_user_is_not_found(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(f"{USERS}/987654/tokens", headers=admin)

    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


def test_token_for_a_user_id_beyond_the_id_range_is_not_found(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post(f"{USERS}/{2**31}/tokens", headers=admin)

    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


def test_tokens_are_stored_only_as_keyed_hashes(
    client: TestClient, organ_a: Staff, admin: dict[str, str], runtime: Runtime
) -> None:
    created = _create_user(client, admin, "org-a", "clerk")
    second = client.post(f"{USERS}/{created['user']['id']}/tokens", headers=admin).json()["token"]
    key = runtime.settings.secret_key.get_secret_value().encode()

    with runtime.sessions.read() as session:
        rows = {
            row.prefix: row
            for row in session.scalars(
                select(ApiToken).where(ApiToken.user_id == created["user"]["id"])
            )
        }

    assert len(rows) == 2
    for token in (created["token"], second):
        row = rows[token[:11]]
        assert token not in row.token_hash
        assert token not in row.label
        assert row.token_hash == hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
        assert row.revoked_at is None


# --- public organ list -------------------------------------------------------------------------


def test_public_organ_list_gives_code_and_name_only(
    client: TestClient, organ_b: Staff, organ_a: Staff, admin: dict[str, str]
) -> None:
    client.post(ORGANS, json=_organ(phone="0571-87000000"), headers=admin)

    r = client.get("/api/v1/organs")

    assert r.status_code == 200, r.text
    assert r.json() == [
        {
            "code": "org-a",
            "name": "org-a 示例区人民政府办公室",
            "parent_code": None,
            "parent_name": None,
        },
        {
            "code": "org-b",
            "name": "org-b 示例区人民政府办公室",
            "parent_code": None,
            "parent_name": None,
        },
        {"code": "org-c", "name": "示例市交通运输局", "parent_code": None, "parent_name": None},
    ]


def test_admin_replaces_an_organs_settings(client: TestClient, admin: dict[str, str]) -> None:
    client.post(ORGANS, json=_organ(), headers=admin)
    url = f"{ORGANS}/org-c/settings"

    r = client.put(
        url,
        json={"sign_off_required": False, "legal_review_outcomes": ["withheld."]},
        headers=admin,
    )
    bad = client.put(url, json={"legal_review_outcomes": ["withheld.nope"]}, headers=admin)
    typo = client.put(url, json={"sign_of_required": False}, headers=admin)

    assert r.status_code == 200, r.text
    assert r.json()["settings"]["sign_off_required"] is False
    assert r.json()["settings"]["legal_review_outcomes"] == ["withheld."]
    assert r.json()["settings"]["correction_period_wd"] == 15
    assert bad.status_code == 422
    assert typo.status_code == 422
    assert client.get(f"{ORGANS}/org-c", headers=admin).json() == r.json()
