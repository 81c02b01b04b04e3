"""/staff/service records the arrival of every letter whose service the workflow records
(`records_service_of`): the correction notice, a consultation letter, the fee notice, the reply
— each through its own action, with the form that action's payload declares, checked through
the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.consultations.helpers import consultation, start
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, counter_case
from tests.reply.helpers import case_of, deadline, issued, ok
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PATH = "/staff/service"


def _post(client: TestClient, data: dict[str, str], **kw: Any) -> Any:
    return client.post(PATH, data={"csrf_token": csrf(client, PATH), **data}, **kw)


@pytest.fixture
def case(client: TestClient, organ_a: Staff, clock: Clock) -> dict[str, Any]:
    """A counter case received Mon 2026-03-02, answered on paper by post."""
    clock.set("2026-03-02T10:00+08:00")
    return counter_case(client, organ_a)


@pytest.fixture
def desk_user(runtime: Runtime, organ_a: Staff) -> str:
    """The front desk's login; signed in once the clock is where the test wants it (a session
    idles out when the test clock jumps days ahead)."""
    make_staff(runtime, "org-a", "front_desk", login="desk")
    return "desk"


def _corrected(client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock) -> Any:
    clock.set("2026-03-04T10:00+08:00")
    asked = ok(act(client, organ_a, case, "request_correction", "clerk", items_to_correct=["年份"]))
    assert deadline(asked, "correction")["status"] == "not_started"
    [notice] = issued(client, organ_a, case["id"], "correction_notice")
    clock.set("2026-03-09T10:00+08:00")
    return asked, notice


def test_the_correction_notices_service_starts_the_correction_window(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    asked, notice = _corrected(client, organ_a, case, clock)
    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": notice["number"]})
    assert page.status_code == 200
    # The form is record_notice_receipt's payload, labels from the YAML, with the version.
    assert 'id="record-title">登记补正通知送达<' in page.text
    assert 'name="received_on"' in page.text
    assert 'type="date"' in page.text
    assert 'name="evidence"' in page.text
    assert f'name="version" value="{asked["version"]}"' in page.text
    assert 'name="method"' not in page.text

    data = {"number": notice["number"], "version": str(asked["version"])}
    r = _post(desk, {**data, "received_on": "2026-03-06"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    after = case_of(client, organ_a, case["id"])
    assert after["state"] == "awaiting_correction"
    correction = deadline(after, "correction")
    assert correction["start_date"] == "2026-03-06"
    assert correction["due_date"] == "2026-03-27"  # 15 WD after Fri 03-06
    assert after["notice_pending_receipt"] is None
    done = desk.get(r.headers["location"])
    assert "已登记补正通知送达" in done.text
    # The case page shows the window now running.
    assert "2026年3月27日" in desk.get(f"/staff/cases/{case['id']}").text

    # Recorded once: the action's own check says so beside the date, nothing changes.
    data["version"] = str(after["version"])
    again = _post(desk, {**data, "received_on": "2026-03-06"})
    assert again.status_code == 422
    assert 'id="received_on-error"' in again.text
    assert "已登记收到补正通知" in again.text
    assert case_of(client, organ_a, case["id"])["version"] == after["version"]


def test_a_stale_form_is_a_conflict_and_changes_nothing(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    asked, notice = _corrected(client, organ_a, case, clock)
    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": notice["number"]})
    assert f'name="version" value="{asked["version"]}"' in page.text
    # A clerk records the receipt through the API in between.
    body = {"received_on": "2026-03-05"}
    moved = ok(act(client, organ_a, asked, "record_notice_receipt", "clerk", **body))
    data = {"number": notice["number"], "version": str(asked["version"])}
    r = _post(desk, {**data, "received_on": "2026-03-06"})
    assert r.status_code == 409
    assert "案件已被他人修改" in r.text
    after = case_of(client, organ_a, case["id"])
    assert after["version"] == moved["version"]
    assert deadline(after, "correction")["start_date"] == "2026-03-05"


def test_a_consultation_letters_service_records_that_partys_receipt(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="post"))
    case = ok(start(client, organ_a, case, "other_organ", dispatch_method="post"))
    assert consultation(case, "C2")["party_received_on"] is None
    [letter] = issued(client, organ_a, case["id"], "organ_consultation")
    clock.set("2026-03-26T10:00+08:00")

    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": letter["number"]})
    assert page.status_code == 200
    assert 'id="record-title">登记函件送达<' in page.text
    # The consultation is the letter's own, shown, not asked for.
    assert "<dd>C2</dd>" in page.text
    assert 'name="consultation_id"' not in page.text
    assert "示例区财政局" in page.text

    data = {"number": letter["number"], "version": str(case["version"])}
    r = _post(desk, {**data, "received_on": "2026-03-24"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    after = case_of(client, organ_a, case["id"])
    assert consultation(after, "C2")["party_received_on"] == "2026-03-24"
    assert consultation(after, "C2")["window_due"] == "2026-04-15"  # 15 WD after 3-24
    assert consultation(after, "C1")["party_received_on"] is None
    # Recorded: the page says so in words and offers no form.
    page = desk.get(PATH, params={"number": letter["number"]})
    assert "已登记示例区财政局于2026年3月24日收到这件函件" in page.text
    assert 'id="record-title"' not in page.text
    # A consultation_id posted by hand is not what is recorded: the letter's is.
    [first] = issued(client, organ_a, case["id"], "third_party_consultation")
    data = {"number": first["number"], "version": str(after["version"])}
    forged = {"received_on": "2026-03-25", "consultation_id": "C2"}
    r = _post(desk, {**data, **forged}, follow_redirects=False)
    assert r.status_code == 303
    after = case_of(client, organ_a, case["id"])
    assert consultation(after, "C1")["party_received_on"] == "2026-03-25"
    assert consultation(after, "C2")["party_received_on"] == "2026-03-24"


def test_the_fee_notices_service_starts_the_payment_window(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    clock.set("2026-03-04T10:00+08:00")
    body = {"method": "per_volume", "quantity": 100, "payment": "请通过政府非税收入缴款系统缴纳"}
    fee = ok(act(client, organ_a, case, "issue_fee_notice", "clerk", **body))
    assert deadline(fee, "fee_payment")["status"] == "not_started"
    [notice] = issued(client, organ_a, case["id"], "fee_notice")
    clock.set("2026-03-06T10:00+08:00")
    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": notice["number"]})
    assert 'id="record-title">登记收费通知送达<' in page.text
    data = {"number": notice["number"], "version": str(fee["version"])}
    r = _post(desk, {**data, "received_on": "2026-03-05"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    after = case_of(client, organ_a, case["id"])
    assert deadline(after, "fee_payment")["due_date"] == "2026-04-02"  # 20 WD after 03-05


def test_a_letter_with_no_service_action_says_so_in_words(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    [receipt] = issued(client, organ_a, case["id"], "receipt")
    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": receipt["number"]})
    assert page.status_code == 200
    assert "《政府信息公开申请登记回执》的送达不作登记" in page.text
    assert 'id="record-title"' not in page.text
    r = _post(desk, {"number": receipt["number"], "version": str(case["version"])})
    assert r.status_code == 409
    assert case_of(client, organ_a, case["id"])["version"] == case["version"]


def test_a_notice_once_the_case_moved_on_is_refused_in_words(
    client: TestClient, organ_a: Staff, case: dict[str, Any], clock: Clock, desk_user: str
) -> None:
    asked, notice = _corrected(client, organ_a, case, clock)
    ok(
        act(
            client,
            organ_a,
            asked,
            "record_correction",
            "clerk",
            corrected_receipt_date="2026-03-09",
        )
    )
    desk = signed_in(client, desk_user)
    page = desk.get(PATH, params={"number": notice["number"]})
    assert "案件处于“办理中”，不能登记补正通知送达。" in page.text
    assert 'id="record-title"' not in page.text


def test_another_organs_number_is_not_found(
    client: TestClient,
    runtime: Runtime,
    organ_a: Staff,
    organ_b: Staff,
    case: dict[str, Any],
    clock: Clock,
) -> None:
    _asked, notice = _corrected(client, organ_a, case, clock)
    make_staff(runtime, "org-b", "front_desk", login="desk-b")
    other = signed_in(client, "desk-b")
    r = other.get(PATH, params={"number": notice["number"]})
    assert r.status_code == 404
    assert "没有文书编号为" in r.text
    assert case["number"] not in r.text
    data = {"number": notice["number"], "version": "3", "received_on": "2026-03-06"}
    assert _post(other, data).status_code == 422
    after = case_of(client, organ_a, case["id"])
    assert deadline(after, "correction")["status"] == "not_started"
