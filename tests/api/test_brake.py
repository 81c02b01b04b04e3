"""The query-code brake over HTTP: wrong guesses by others never lock the applicant out, a
number's bound tells the applicant how to get back in, staff lift it, and X-Forwarded-For names
the client only when our own proxy sent it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.runtime import Runtime
from tests.api.test_applicant_view import submit, view, wrong_code
from tests.conftest import Staff
from tests.fixtures.factories import Clock

PROBLEM = "application/problem+json"
NUMBER_BOUND = 12
CASES = "/api/v1/cases"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"lookup_number_failures": NUMBER_BOUND, "trusted_proxies": ("10.0.0.0/8",)}
    )


@pytest.fixture
def receipt(client: TestClient, organ_a: Staff) -> dict[str, Any]:
    return submit(client)


def from_address(app: FastAPI, address: str) -> TestClient:
    """A client whose socket peer is `address` (the app is already started by `client`)."""
    return TestClient(app, client=(address, 50000))


def guess_from_many(app: FastAPI, number: str, code: str, guesses: int, per_address: int) -> None:
    """`guesses` wrong codes, `per_address` from each address: no address is braked."""
    for i in range(guesses):
        c = from_address(app, f"198.51.100.{i // per_address + 1}")
        r = view(c, number, wrong_code(code))
        assert r.status_code == 404, r.text


def release(client: TestClient, staff: Staff, case_id: int, *roles: str) -> Any:
    return client.post(
        f"{CASES}/{case_id}/lookup-lock/release", headers=staff.headers(*(roles or ("clerk",)))
    )


def test_wrong_guesses_from_many_addresses_do_not_lock_the_applicant_out(
    app: FastAPI, client: TestClient, receipt: dict[str, Any], runtime: Runtime
) -> None:
    number, code = receipt["number"], receipt["query_code"]
    free = runtime.settings.lookup_free_failures
    guess_from_many(app, number, code, NUMBER_BOUND - 1, per_address=free)

    opened = view(from_address(app, "203.0.113.50"), number, code)

    assert opened.status_code == 200, opened.text
    assert opened.json()["number"] == number


def test_right_codes_are_not_counted_as_failures(
    app: FastAPI, client: TestClient, receipt: dict[str, Any], runtime: Runtime
) -> None:
    applicant = from_address(app, "203.0.113.50")
    looks = max(NUMBER_BOUND, runtime.settings.lookup_lock_failures) + 5

    answers = [view(applicant, receipt["number"], receipt["query_code"]) for _ in range(looks)]

    assert [r.status_code for r in answers] == [200] * looks


def test_guesses_past_the_number_bound_are_refused_and_say_how_to_get_back_in(
    app: FastAPI, client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    number, code = receipt["number"], receipt["query_code"]
    guess_from_many(app, number, code, NUMBER_BOUND, per_address=4)

    guess = view(from_address(app, "203.0.113.60"), number, wrong_code(code))
    right = view(from_address(app, "203.0.113.61"), number, code)

    window = runtime.settings.lookup_number_window_hours * 3600
    for r in (guess, right):
        assert r.status_code == 429
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["code"] == "lookup-locked"
        assert r.headers["Retry-After"] == str(window)
        assert "disclosure office" in r.json()["detail"]
        assert "身份证件" in r.json()["detail"]
    clock.advance(seconds=window)
    assert view(from_address(app, "203.0.113.61"), number, code).status_code == 200


def test_staff_of_the_cases_organ_lift_the_lock_and_the_timeline_says_so(
    app: FastAPI,
    client: TestClient,
    receipt: dict[str, Any],
    organ_a: Staff,
    organ_b: Staff,
) -> None:
    number, code, case_id = receipt["number"], receipt["query_code"], receipt["id"]
    guess_from_many(app, number, code, NUMBER_BOUND, per_address=4)
    applicant = from_address(app, "203.0.113.70")
    assert view(applicant, number, code).status_code == 429

    assert release(client, organ_b, case_id, "clerk").status_code == 404
    assert release(client, organ_a, case_id, "legal").status_code == 403
    assert view(applicant, number, code).status_code == 429
    lifted = release(client, organ_a, case_id, "front_desk")

    assert lifted.status_code == 200, lifted.text
    assert lifted.json() == {
        "case_id": case_id,
        "number": number,
        "released": True,
        "failures_cleared": NUMBER_BOUND,
    }
    assert view(applicant, number, code).status_code == 200
    events = client.get(f"{CASES}/{case_id}/events", headers=organ_a.headers("clerk")).json()
    last = events[-1]
    assert last["action"] == "release_lookup_lock"
    assert last["from_state"] == last["to_state"] == "received"
    assert last["actor_kind"] == "user"
    assert last["payload"] == {"was_locked": True, "failures": NUMBER_BOUND}


def test_releasing_a_number_that_is_not_locked_changes_nothing(
    client: TestClient, receipt: dict[str, Any], organ_a: Staff
) -> None:
    events = f"{CASES}/{receipt['id']}/events"
    before = client.get(events, headers=organ_a.headers("clerk")).json()

    r = release(client, organ_a, receipt["id"], "clerk")

    assert r.status_code == 200
    assert r.json()["released"] is False
    assert r.json()["failures_cleared"] == 0
    assert client.get(events, headers=organ_a.headers("clerk")).json() == before


def test_releasing_an_unknown_case_is_not_found(client: TestClient, organ_a: Staff) -> None:
    r = release(client, organ_a, 999999, "clerk")

    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM


def test_a_braked_client_waits_even_with_the_right_code(
    app: FastAPI, client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    number, code = receipt["number"], receipt["query_code"]
    attacker = from_address(app, "203.0.113.80")
    for _ in range(runtime.settings.lookup_free_failures):
        assert view(attacker, number, wrong_code(code)).status_code == 404

    braked = view(attacker, number, code)
    other = view(from_address(app, "203.0.113.81"), number, code)

    assert braked.status_code == 429
    assert braked.json()["code"] == "too-many-attempts"
    assert other.status_code == 200


# --- whose address: X-Forwarded-For only from a trusted proxy -------------------------------


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    app: FastAPI, client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    attacker = from_address(app, "203.0.113.90")
    free = runtime.settings.lookup_free_failures
    answers = [
        attacker.get(
            f"/api/v1/applications/org-a依申〔2026〕{100 + i:04d}号",
            headers={"X-Query-Code": "AAAA-BBBB", "X-Forwarded-For": f"192.0.2.{i + 1}"},
        ).status_code
        for i in range(free + 1)
    ]

    assert answers == [404] * free + [429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client_it_saw(
    app: FastAPI, client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    proxy = from_address(app, "10.0.0.2")
    free = runtime.settings.lookup_free_failures

    def guess(i: int, forwarded: str) -> int:
        return proxy.get(
            f"/api/v1/applications/org-a依申〔2026〕{100 + i:04d}号",
            headers={"X-Query-Code": "AAAA-BBBB", "X-Forwarded-For": forwarded},
        ).status_code

    # The client writes whatever it likes left of what the proxy appends: it does not help.
    dodging = [guess(i, f"192.0.2.{i + 1}, 198.51.100.20") for i in range(free + 1)]
    # Another client behind the same proxy (through a second, trusted hop) is not braked.
    other = guess(50, "198.51.100.21, 10.1.2.3")

    assert dodging == [404] * free + [429]
    assert other == 404


def test_the_replaced_forwarded_for_setting_is_refused_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGKAI_SECRET_KEY", "k")
    monkeypatch.setenv("GONGKAI_TRUST_FORWARDED_FOR", "true")

    with pytest.raises(ValidationError, match="GONGKAI_TRUSTED_PROXIES"):
        Settings()


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_SECRET_KEY", "k")
    monkeypatch.setenv("GONGKAI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8 ::1")
    assert Settings().trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")

    monkeypatch.setenv("GONGKAI_TRUSTED_PROXIES", '["192.0.2.0/24"]')
    assert Settings().trusted_proxies == ("192.0.2.0/24",)

    monkeypatch.setenv("GONGKAI_TRUSTED_PROXIES", "127.0.0.1,nginx")
    with pytest.raises(ValidationError, match="nginx"):
        Settings()

    monkeypatch.delenv("GONGKAI_TRUSTED_PROXIES")
    assert Settings().trusted_proxies == ()
