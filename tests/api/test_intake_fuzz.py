"""No input produces a 500: property-based requests against the intake and case-list routes.

Every answer must be below 500, and every 4xx must be a problem+json document. The client is
built with raise_server_exceptions=False so that a crash shows up as a status, not a traceback.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from app.errors import PROBLEM_BASE
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, staff_case

PROBLEM = "application/problem+json"
APPLICATIONS = "/api/v1/applications"
CASES = "/api/v1/cases"

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Field names of the intake models, so generated objects often reach the nested validators.
FIELD_NAMES = sorted(
    {
        "organ_code", "applicant", "items", "delivery", "e_service_consent", "e_service_address",
        "category", "name", "id_type", "id_number", "phone", "email", "address", "postal_code",
        "legal_representative", "contact_person", "description", "document_number", "form",
        "method", "channel", "arrived_at", "receipt_date", "receipt_basis", "receipt_evidence",
        "filled_by_staff", "staff_note",
    }
)  # fmt: skip
VOCABULARY = [
    "natural_person", "commercial_enterprise", "other_org", "resident_id", "uscc", "passport",
    "other", "paper", "electronic", "inspection", "pickup", "post", "email", "online",
    "in_person", "registered_mail", "ordinary_mail", "fax", "handed_in", "signed_for",
    "confirmed", "platform_ack", "org-a", "org-b", "2026-03-02", "2026-03-02T10:00:00+08:00",
    "2026-02-30", "9999-12-31T23:59:59+14:00", "0001-01-01", "13800138000", "a@example.com",
    "11010519900307005X", "91330100MA2111110Y", "", " ", "\u3000", "\u202e", "\ufeff",
    "\x00", "e\u0301", "𠀀", "😀",
]  # fmt: skip

# Text without lone surrogates: JSON cannot carry them as UTF-8 anyway.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
# Dates and times from the whole calendar, with any UTC offset: the ends of the calendar
# overflow when a time is moved between zones.
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
# Built by hand: st.datetimes(timezones=...) leaves out exactly the times that overflow in UTC,
# and plain random dates seldom land on the first or last days of the calendar.
any_day = st.dates() | st.sampled_from([date.min, date(1, 1, 2), date(9999, 12, 30), date.max])
moments = st.builds(
    lambda d, t, tz: datetime.combine(d, t, tz).isoformat(),
    any_day,
    st.times(),
    st.none() | offsets,
)
days = any_day.map(lambda d: d.isoformat())
strings = texts | st.sampled_from(VOCABULARY) | moments | days
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats()
    | strings
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | texts, children, max_size=6)
    ),
    max_leaves=30,
)


def check(r: Any) -> None:
    """No crash, and every client error is a problem document."""
    if currently_in_test_context():
        event(f"status {r.status_code}")  # shown by --hypothesis-show-statistics
    assert r.status_code < 500, (r.status_code, r.text)
    if 400 <= r.status_code < 500:
        assert r.headers["content-type"] == PROBLEM, (r.status_code, r.headers, r.text)
        body = r.json()
        assert body["status"] == r.status_code
        assert body["type"] == PROBLEM_BASE + body["code"]


def send_json(client: TestClient, url: str, value: Any, headers: dict[str, str]) -> Any:
    # allow_nan: NaN/Infinity tokens are not JSON, which is one more thing to refuse cleanly.
    raw = json.dumps(value, allow_nan=True).encode()
    return client.post(url, content=raw, headers={**headers, "Content-Type": "application/json"})


@pytest.fixture
def fuzz_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


@pytest.fixture
def clerk(organ_a: Staff) -> dict[str, str]:
    return organ_a.headers("clerk")


# --- (a) arbitrary JSON bodies -------------------------------------------------------------


@FUZZ
@given(value=json_values)
def test_arbitrary_json_to_online_form_never_crashes(
    fuzz_client: TestClient, organ_a: Staff, value: Any
) -> None:
    r = send_json(fuzz_client, APPLICATIONS, value, {})

    check(r)
    assert r.status_code in (201, 422)


@FUZZ
@given(value=json_values)
def test_arbitrary_json_to_staff_registration_never_crashes(
    fuzz_client: TestClient, clerk: dict[str, str], value: Any
) -> None:
    r = send_json(fuzz_client, CASES, value, clerk)

    check(r)
    assert r.status_code in (201, 422)


# --- (b) one field of a valid application replaced ------------------------------------------

DELETE = object()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON document (containers and leaves), excluding the root."""
    found: list[tuple[Any, ...]] = []
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def replaced(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = json.loads(json.dumps(doc))
    target = out
    for key in path[:-1]:
        target = target[key]
    if new is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return out


ONLINE = application(
    applicant={"contact_person": "王五", "legal_representative": None},
    items=[
        {"description": "2025年本区老旧小区改造项目清单", "document_number": "示政办〔2025〕3号"},
        {"description": "资金安排", "document_number": None},
    ],
    e_service_address="zhangsan@example.com",
)
STAFF = staff_case(
    "registered_mail",
    receipt_date="2026-03-02",
    receipt_basis="signed_for",
    receipt_evidence="EMS 签收记录",
    staff_note="窗口登记",
)


@FUZZ
@given(
    path=st.sampled_from(paths(ONLINE)), new=json_values | st.just(DELETE) | st.sampled_from([""])
)
def test_online_application_with_one_field_replaced_never_crashes(
    fuzz_client: TestClient, organ_a: Staff, path: tuple[Any, ...], new: Any
) -> None:
    r = send_json(fuzz_client, APPLICATIONS, replaced(ONLINE, path, new), {})

    check(r)
    assert r.status_code in (201, 422)


@FUZZ
@given(path=st.sampled_from(paths(STAFF)), new=json_values | st.just(DELETE))
def test_staff_registration_with_one_field_replaced_never_crashes(
    fuzz_client: TestClient, clerk: dict[str, str], path: tuple[Any, ...], new: Any
) -> None:
    r = send_json(fuzz_client, CASES, replaced(STAFF, path, new), clerk)

    check(r)
    assert r.status_code in (201, 422)


@FUZZ
@given(
    channel=st.sampled_from(["in_person", "registered_mail", "ordinary_mail", "online", "fax"]),
    arrived_at=moments,
    receipt_date=days | st.none(),
    basis=st.sampled_from(["handed_in", "signed_for", "confirmed", "platform_ack"]) | st.none(),
)
def test_staff_registration_with_random_times_never_crashes(
    fuzz_client: TestClient,
    clerk: dict[str, str],
    channel: str,
    arrived_at: str,
    receipt_date: str | None,
    basis: str | None,
) -> None:
    payload = {
        **STAFF,
        "channel": channel,
        "arrived_at": arrived_at,
        "receipt_date": receipt_date,
        "receipt_basis": basis,
    }

    r = send_json(fuzz_client, CASES, payload, clerk)

    check(r)
    assert r.status_code in (201, 422)


def test_unmodified_fuzz_seeds_are_accepted(fuzz_client: TestClient, clerk: dict[str, str]) -> None:
    online = send_json(fuzz_client, APPLICATIONS, ONLINE, {})
    staff = send_json(fuzz_client, CASES, STAFF, clerk)

    assert online.status_code == 201, online.text
    assert staff.status_code == 201, staff.text


# --- (c) random bytes under random content types ---------------------------------------------

BOUNDARY_CHARS = string.ascii_letters + string.digits + "'()+_,-./:=? "
boundaries = st.text(BOUNDARY_CHARS, min_size=1, max_size=70)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)

PART_PAYLOADS = [
    json.dumps(ONLINE).encode(),
    b"%PDF-1.4\n%%EOF\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"PK\x03\x04",
    b"MZ\x90\x00",
    b"<html></html>",
]


@st.composite
def multipart_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    boundary = draw(boundaries)
    declared = boundary if draw(st.booleans()) else draw(boundaries)
    chunks: list[bytes] = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from(["application", "attachments"]) | header_text)
        disposition = f'form-data; name="{name}"'
        if draw(st.booleans()):
            disposition += f'; filename="{draw(header_text)}"'
        if draw(st.booleans()):
            disposition = draw(header_text)
        head = f"Content-Disposition: {disposition}\r\n"
        if draw(st.booleans()):
            head += f"Content-Type: {draw(header_text)}\r\n"
        data = draw(st.sampled_from(PART_PAYLOADS) | st.binary(max_size=200))
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode() + data + b"\r\n")
    ending = draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--", b"\r\n"]))
    body = b"".join(chunks) + ending
    if draw(st.booleans()) and body:
        body = body[: draw(st.integers(0, len(body)))]
    quoted = draw(st.booleans())
    content_type = (
        f'multipart/form-data; boundary="{declared}"'
        if quoted
        else (f"multipart/form-data; boundary={declared}")
    )
    return content_type, body


CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "text/plain",
    "",
]
raw_requests = st.tuples(
    st.sampled_from(CONTENT_TYPES) | header_text,
    st.binary(max_size=2000) | st.sampled_from(PART_PAYLOADS),
)


@FUZZ
@given(
    url=st.sampled_from([APPLICATIONS, CASES]),
    request=raw_requests | multipart_bodies(),
)
def test_random_bytes_under_random_content_types_never_crash(
    fuzz_client: TestClient, clerk: dict[str, str], url: str, request: tuple[str, bytes]
) -> None:
    content_type, body = request
    headers = {**clerk, "Content-Type": content_type} if content_type else dict(clerk)

    r = fuzz_client.post(url, content=body, headers=headers)

    check(r)
    assert r.status_code in (201, 400, 413, 415, 422)


# --- (d) the applicant's view: random numbers and query codes -------------------------------

header_values = st.binary(max_size=80).map(
    lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F).strip(b" ")
)
path_segments = (
    texts.filter(bool).map(lambda s: quote(s, safe=""))
    | st.text("%0123456789ABCDEFabcdefZ/.-", min_size=1, max_size=20)
    | st.sampled_from(["org-a依申〔2026〕0001号", "..", "%00", "%ff", "%", "a%2Fb"])
)


@FUZZ
@given(segment=path_segments, code=header_values | st.none())
def test_random_numbers_and_query_codes_never_crash(
    fuzz_client: TestClient, organ_a: Staff, clock: Clock, segment: str, code: bytes | None
) -> None:
    # Step past the guessing brake (its windows and locks last a day at most) so every
    # example reaches the lookup itself.
    clock.advance(days=2)
    headers = {} if code is None else {"X-Query-Code": code}

    r = fuzz_client.get(f"{APPLICATIONS}/{segment}", headers=headers)  # type: ignore[arg-type]

    check(r)
    assert r.status_code in (307, 400, 404, 405, 422, 429)


# --- (e) the staff worklist: random query strings ---------------------------------------------

LIST_PARAMS = [
    "state", "channel", "received_from", "received_to", "deadline_before", "overdue",
    "page", "page_size",
]  # fmt: skip
param_values = (
    strings
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.dates().map(lambda d: d.isoformat())
    | st.sampled_from(["true", "false", "1", "0", "on", "yes", "received", "online", "\x00"])
)
query_pairs = st.lists(
    st.tuples(st.sampled_from(LIST_PARAMS) | texts, param_values), max_size=8
).map(lambda pairs: urlencode(pairs, quote_via=quote))
raw_queries = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="#"), max_size=80
)


@FUZZ
@given(query=query_pairs | raw_queries)
def test_random_worklist_queries_never_crash(
    fuzz_client: TestClient, clerk: dict[str, str], query: str
) -> None:
    r = fuzz_client.get(f"{CASES}?{query}", headers=clerk)

    check(r)
    assert r.status_code in (200, 400, 422)


# --- regressions: crashes the fuzzing found, kept as explicit examples ------------------------


@pytest.mark.parametrize(
    "arrived_at",
    [
        "0001-01-01T00:00:00",  # naive, stored as UTC: before the first day of the calendar
        "0001-01-01T00:00:00+14:00",  # moved to Beijing time: before the first day
        "9999-12-31T23:59:59-14:00",  # moved to Beijing time: after the last day
        "2007-12-31T23:59:59+08:00",
    ],
)
def test_arrival_outside_plausible_years_is_refused(
    fuzz_client: TestClient, clerk: dict[str, str], arrived_at: str
) -> None:
    payload = {**STAFF, "channel": "in_person", "arrived_at": arrived_at}
    del payload["receipt_date"], payload["receipt_basis"], payload["receipt_evidence"]

    r = send_json(fuzz_client, CASES, payload, clerk)

    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "arrived_at"]]


def test_arrival_in_the_first_plausible_year_is_accepted(
    fuzz_client: TestClient, clerk: dict[str, str]
) -> None:
    payload = {**STAFF, "channel": "in_person", "arrived_at": "2008-01-02T09:00:00+08:00"}
    del payload["receipt_date"], payload["receipt_basis"], payload["receipt_evidence"]

    r = send_json(fuzz_client, CASES, payload, clerk)

    assert r.status_code == 201, r.text
    assert r.json()["receipt_date"] == "2008-01-02"


def test_empty_and_unknown_state_filters_match_nothing(
    fuzz_client: TestClient, clerk: dict[str, str]
) -> None:
    assert send_json(fuzz_client, CASES, STAFF, clerk).status_code == 201

    unknown = fuzz_client.get(f"{CASES}?state=nonsense", headers=clerk)
    empty = fuzz_client.get(f"{CASES}?state=", headers=clerk)
    known = fuzz_client.get(f"{CASES}?state=received", headers=clerk)

    assert unknown.json()["total"] == 0
    assert empty.json()["total"] == 0
    assert known.json()["total"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/admin/organs/a%00b",
        "/api/v1/admin/tokens/gk_aaaaaaa%00b",
        "/api/v1/cases?state=received&state=a%00b",
        "/api/v1/applications/ab%00c",
        "/api/v1/applications/%00",
    ],
)
def test_nul_in_any_url_is_refused_before_routing(
    client: TestClient, admin: dict[str, str], url: str
) -> None:
    r = client.request("DELETE" if "tokens" in url else "GET", url, headers=admin)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "nul-in-url"
