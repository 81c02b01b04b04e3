"""GET /api/v1/applications/{number}: the applicant's own view, opened with the query code."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, person
from tests.fixtures.identity import resident_id

PROBLEM = "application/problem+json"
ID_NUMBER = resident_id(region="330106", birth="19851124", seq="427")
PHONE = "13912345678"
EMAIL = "zhang.san.applicant@example.com"
ADDRESS = "浙江省杭州市西湖区文三路388号"


def submit(client: TestClient, **overrides: Any) -> dict[str, Any]:
    payload = application(
        applicant=person(
            name="张三", id_number=ID_NUMBER, phone=PHONE, email=EMAIL, address=ADDRESS
        ),
        **overrides,
    )
    r = client.post("/api/v1/applications", json=payload)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def view(client: TestClient, number: str, code: str | None) -> Any:
    headers = {} if code is None else {"X-Query-Code": code}
    return client.get(f"/api/v1/applications/{number}", headers=headers)


def wrong_code(code: str) -> str:
    """A well-formed code that differs from `code` in its first character."""
    return ("1" if code[0] != "1" else "2") + code[1:]


def without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


@pytest.fixture
def receipt(client: TestClient, organ_a: Staff) -> dict[str, Any]:
    return submit(client)


def test_right_query_code_opens_the_applicants_view(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    r = view(client, receipt["number"], receipt["query_code"])

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["number"] == "org-a依申〔2026〕0001号"
    assert body["organ_name"] == "org-a 示例区人民政府办公室"
    assert body["state"] == "received"
    assert body["state_label"] == receipt["state_label"]
    assert body["receipt_date"] == "2026-03-02"
    assert body["receipt_basis"] == "platform_ack"
    assert body["deadlines"] == receipt["deadlines"]
    assert body["items"] == [
        {
            "position": 1,
            "description": "2025年本区老旧小区改造项目清单及资金安排",
            "document_number": None,
        }
    ]
    assert body["delivery"] == {"form": "electronic", "method": "email"}


def test_applicants_view_masks_personal_data(client: TestClient, receipt: dict[str, Any]) -> None:
    r = view(client, receipt["number"], receipt["query_code"])

    applicant = r.json()["applicant"]
    assert applicant["name"] == "张*"
    assert applicant["id_number"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert applicant["phone"] == "139****5678"
    assert applicant["email"] == "z***@example.com"
    assert applicant["address"] == "浙江省杭州市****"
    for secret in (ID_NUMBER, PHONE, EMAIL, "zhang.san.applicant", ADDRESS, "张三"):
        assert secret not in r.text


def test_query_code_is_accepted_in_lower_case_and_without_hyphens(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    code = receipt["query_code"]

    lower = view(client, receipt["number"], code.lower())
    bare = view(client, receipt["number"], code.replace("-", ""))
    both = view(client, receipt["number"], code.replace("-", "").lower())

    assert (lower.status_code, bare.status_code, both.status_code) == (200, 200, 200)
    assert lower.json()["number"] == receipt["number"]


def test_wrong_query_code_answers_like_unknown_number(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    wrong = view(client, receipt["number"], wrong_code(receipt["query_code"]))
    unknown = view(client, "org-a依申〔2026〕9999号", receipt["query_code"])

    assert wrong.status_code == 404
    assert unknown.status_code == 404
    assert wrong.headers["content-type"] == PROBLEM
    assert unknown.headers["content-type"] == PROBLEM
    assert without_instance(wrong.json()) == without_instance(unknown.json())
    assert wrong.json()["code"] == "not-found"
    assert "state" not in wrong.json()


def test_another_applications_code_does_not_open_this_one(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    other = submit(client)

    crossed = view(client, receipt["number"], other["query_code"])
    own = view(client, other["number"], other["query_code"])

    assert crossed.status_code == 404
    assert own.status_code == 200
    assert own.json()["number"] == "org-a依申〔2026〕0002号"


def test_missing_query_code_header_is_a_validation_error(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    r = view(client, receipt["number"], None)

    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert [e["loc"] for e in r.json()["errors"]] == [["header", "X-Query-Code"]]


def test_overlong_query_code_header_is_a_validation_error(
    client: TestClient, receipt: dict[str, Any]
) -> None:
    r = view(client, receipt["number"], "A" * 65)

    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["header", "X-Query-Code"]]


# --- the guessing brake ----------------------------------------------------------------------


def fail(client: TestClient, number: str, code: str, times: int) -> None:
    for _ in range(times):
        r = view(client, number, code)
        assert r.status_code == 404, r.text


def test_wrong_codes_beyond_the_free_failures_must_wait(
    client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    number, code = receipt["number"], receipt["query_code"]
    free = runtime.settings.lookup_free_failures
    fail(client, number, wrong_code(code), free)

    braked = view(client, number, code)

    assert braked.status_code == 429
    assert braked.headers["content-type"] == PROBLEM
    assert braked.json()["code"] == "too-many-attempts"
    assert braked.headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert view(client, number, wrong_code(code)).status_code == 404
    # One failure more doubles the wait.
    again = view(client, number, code)
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "2"
    clock.advance(seconds=2)
    assert view(client, number, code).status_code == 200


def test_free_failures_do_not_slow_the_right_code(
    client: TestClient, receipt: dict[str, Any], runtime: Runtime
) -> None:
    number, code = receipt["number"], receipt["query_code"]
    fail(client, number, wrong_code(code), runtime.settings.lookup_free_failures - 1)

    assert view(client, number, code).status_code == 200


def test_repeated_failures_lock_the_client_even_for_the_right_code(
    client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    s = runtime.settings
    number, code = receipt["number"], receipt["query_code"]
    fail(client, number, wrong_code(code), s.lookup_free_failures)
    for _ in range(s.lookup_lock_failures - s.lookup_free_failures):
        wait = view(client, number, wrong_code(code))
        assert wait.status_code == 429
        clock.advance(seconds=int(wait.headers["Retry-After"]))
        assert view(client, number, wrong_code(code)).status_code == 404

    locked = view(client, number, code)

    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == str(s.lookup_lock_minutes * 60)
    clock.advance(minutes=s.lookup_lock_minutes - 1)
    still = view(client, number, code)
    assert still.status_code == 429
    assert still.headers["Retry-After"] == "60"
    clock.advance(seconds=61)
    opened = view(client, number, code)
    assert opened.status_code == 200, opened.text
    assert opened.json()["number"] == number


def test_wrong_codes_across_many_numbers_brake_the_client(
    client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    free = runtime.settings.lookup_free_failures
    for i in range(free):
        assert view(client, f"org-a依申〔2026〕{i + 100:04d}号", "AAAA-BBBB").status_code == 404

    braked = view(client, receipt["number"], receipt["query_code"])

    assert braked.status_code == 429
    assert braked.headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert view(client, receipt["number"], receipt["query_code"]).status_code == 200


def test_failures_outside_the_window_are_forgotten(
    client: TestClient, receipt: dict[str, Any], runtime: Runtime, clock: Clock
) -> None:
    s = runtime.settings
    number, code = receipt["number"], receipt["query_code"]
    fail(client, number, wrong_code(code), s.lookup_free_failures)
    clock.advance(minutes=s.lookup_window_minutes, seconds=1)

    # A fresh window: the free failures are available again.
    fail(client, number, wrong_code(code), s.lookup_free_failures - 1)

    assert view(client, number, code).status_code == 200
