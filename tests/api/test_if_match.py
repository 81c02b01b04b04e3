"""If-Match carries the case version as ASCII digits; anything else is a 422 naming the header.

str.isdigit() accepts superscripts and other scripts' digits ("²", "١") that int() refuses or
reads as another number: they must be refused up front, on staff actions and on the applicant's
withdrawal alike, and change nothing.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.letters.helpers import online

PROBLEM = "application/problem+json"
NOT_VERSIONS = ["²", '"³"', "¹", "١", "１", 'W/"²"', "1²", "", "-1", "+1", "1e3", "9" * 11]


def _raw(tag: str) -> bytes:
    # Servers read header bytes as Latin-1, where "²³¹" are single bytes; other scripts arrive
    # as their UTF-8 bytes.
    try:
        return tag.encode("latin-1")
    except UnicodeEncodeError:
        return tag.encode()


def _post(client: TestClient, url: str, body: dict[str, Any], headers: dict[str, Any]) -> Any:
    """POST with the header bytes as given: TestClient re-encodes them as UTF-8, and a server
    would not (the "²" of the issue reached the app as "²", not as "Â²")."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.post(url, json=body, headers=headers)

    return anyio.run(send)


def _refused(r: Any) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert [e["loc"] for e in r.json()["errors"]] == [["header", "If-Match"]]


@pytest.mark.parametrize("tag", NOT_VERSIONS)
def test_a_staff_action_refuses_an_if_match_that_is_not_ascii_digits(
    client: TestClient, organ_a: Staff, tag: str
) -> None:
    case = online(client)
    h = organ_a.headers("approver", "clerk")
    r = _post(
        client,
        f"/api/v1/cases/{case['id']}/actions/extend",
        {"days": 5, "reason": "需要调取档案"},
        {**h, "If-Match": _raw(tag)},
    )
    _refused(r)
    after = client.get(f"/api/v1/cases/{case['id']}", headers=h).json()
    assert (after["state"], after["version"]) == (case["state"], case["version"])


@pytest.mark.parametrize("tag", NOT_VERSIONS)
def test_the_applicants_withdrawal_refuses_an_if_match_that_is_not_ascii_digits(
    client: TestClient, organ_a: Staff, tag: str
) -> None:
    case = online(client)
    url = f"/api/v1/applications/{case['number']}"
    code = {"X-Query-Code": case["query_code"]}
    r = _post(
        client,
        f"{url}/actions/withdraw",
        {"withdrawn_on": "2026-03-02"},
        {**code, "If-Match": _raw(tag)},
    )
    _refused(r)
    assert client.get(url, headers=code).json()["state"] == case["state"]


@pytest.mark.parametrize("tag", ["1", '"1"', 'W/"1"', " 1 "])
def test_ascii_digits_in_any_usual_spelling_are_the_version(
    client: TestClient, organ_a: Staff, tag: str
) -> None:
    case = online(client)
    r = _post(
        client,
        f"/api/v1/applications/{case['number']}/actions/withdraw",
        {"withdrawn_on": "2026-03-02"},
        {"X-Query-Code": case["query_code"], "If-Match": _raw(tag)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
