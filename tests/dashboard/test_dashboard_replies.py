"""This year's replies: late ones, working days to reply (mean, p90), and per staff member.

Working days worked out by hand on the 2026 calendar (days off 2/15–2/23 Spring Festival and
4/4–4/6 Qingming; make-up days Sat 2/14 and Sat 2/28). The receipt day is not counted:
- received Mon 3/02, issued Mon 3/09: 3/3–6, 3/9 = 5;
- received Mon 3/02, issued Mon 3/16: 3/3–6, 3/9–13, 3/16 = 10;
- received Tue 2/10, issued Mon 3/16 (its due date): 2/11–13 (3), Sat 2/14 (4), 2/24–27 (8),
  Sat 2/28 (9), 3/2–6 (14), 3/9–13 (19), 3/16 = 20;
- received Mon 3/02, issued Mon 3/30 (its due date): 3/3 … 3/30 = 20;
- received Mon 3/02, issued Wed 4/08, late (due 3/30): 3/31 (21), 4/1–3 (24), 4/7–8 = 26.
All five: mean 81 / 5 = 16.2; p90 by nearest rank is the ⌈0.9 × 5⌉ = 5th smallest, 26 (linear
interpolation would give 23.6).
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.dashboard.helpers import act, dashboard, named_user, register, reply, submit
from tests.fixtures.factories import Clock


def test_replies_this_year_late_ones_working_days_and_per_staff_split(
    client: TestClient, organ_a: Staff, admin: dict[str, str], clock: Clock
) -> None:
    li = named_user(client, admin, "org-a", "李明", "clerk")
    wang = named_user(client, admin, "org-a", "王芳", "clerk")
    boss = named_user(client, admin, "org-a", "赵强", "approver")
    desk = named_user(client, admin, "org-a", "钱窗口", "front_desk")

    # Last year: received and answered in December 2025, by 李明. Not this year's.
    clock.set("2025-12-05T10:00+08:00")
    old = register(client, desk, "2025-12-01")
    reply(client, old, author=li, approver=boss, issuer=li)

    clock.set("2026-03-02T10:00+08:00")
    spring = register(client, desk, "2026-02-10")
    r1, r2, r3, r4 = (register(client, desk, "2026-03-02") for _ in range(4))

    clock.set("2026-03-09T10:00+08:00")
    r1 = reply(client, r1, author=li, approver=boss, issuer=li)
    assert (r1["concluded_on"], r1["reply_late"]) == ("2026-03-09", False)

    clock.set("2026-03-16T10:00+08:00")
    # 王芳 drafts r2, the approver returns it, 李明 redrafts: the issued draft is 李明's.
    r2 = submit(client, wang, r2)
    r2 = act(client, boss, r2, "return_for_revision", comments="请补充附件清单")
    r2 = reply(client, r2, author=li, approver=boss, issuer=boss)
    spring = reply(client, spring, author=li, approver=boss, issuer=li)
    assert spring["reply_late"] is False

    clock.set("2026-03-30T10:00+08:00")
    r3 = reply(client, r3, author=wang, approver=boss, issuer=boss)
    assert r3["reply_late"] is False

    clock.set("2026-04-08T10:00+08:00")
    r4 = reply(client, r4, author=wang, approver=boss, issuer=boss)
    assert r4["reply_late"] is True
    # Work in hand: registered today by the front desk, claimed by 王芳. Only an assignee
    # has work in hand: the front desk that registered it does not.
    in_hand = register(client, desk, "2026-04-08")
    assert client.post(f"/api/v1/cases/{in_hand['id']}/claim", headers=wang).status_code == 200

    body = dashboard(client, organ_a.headers("supervisor"))
    assert body["replies_this_year"]["count"] == 5
    assert body["late_replies_this_year"]["count"] == 1
    assert body["reply_times"]["replies"] == 5
    assert body["reply_times"]["average_working_days"] == 16.2
    assert body["reply_times"]["p90_working_days"] == 26
    assert body["replies_this_year"]["href"] is None
    assert body["late_replies_this_year"]["href"] is None
    # Every reply, last year's too, still awaits service.
    assert body["awaiting_service"]["count"] == 6

    staff = [
        (
            s["name"],
            s["roles"],
            s["replies"],
            s["late_replies"],
            s["average_working_days"],
            s["issued"],
            s["open_cases"],
        )
        for s in body["staff"]
    ]
    assert staff == [
        # 5, 10 and 20 WD: 35 / 3 = 11.67 -> 11.7; issued r1 and the spring case.
        ("李明", ["clerk"], 3, 0, 11.7, 2, 0),
        # 20 and 26 WD; r2's first draft does not count, the redraft was 李明's.
        ("王芳", ["clerk"], 2, 1, 23.0, 0, 1),
        ("赵强", ["approver"], 0, 0, None, 3, 0),
    ]
    assert [s["user_id"] for s in body["staff"]] == sorted(s["user_id"] for s in body["staff"])


def test_no_replies_yet_gives_null_times_and_a_new_year_starts_from_zero(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clerk = organ_a.headers("clerk")
    body = dashboard(client, clerk)
    assert body["reply_times"] == {
        **body["reply_times"],
        "replies": 0,
        "average_working_days": None,
        "p90_working_days": None,
    }
    assert body["staff"] == []

    clock.set("2026-12-30T10:00+08:00")
    case = register(client, clerk, "2026-12-28")
    case = submit(client, clerk, case)
    case = act(client, organ_a.headers("approver"), case, "confidentiality_review", result="passed")
    case = act(client, organ_a.headers("approver"), case, "approve_reply")
    act(client, clerk, case, "issue_reply")
    # Mon 12/28 -> Wed 12/30: 12/29, 12/30 = 2 WD.
    body = dashboard(client, clerk)
    assert (body["replies_this_year"]["count"], body["reply_times"]["p90_working_days"]) == (1, 2)
    assert body["reply_times"]["average_working_days"] == 2.0

    clock.set("2027-01-04T10:00+08:00")
    body = dashboard(client, clerk)
    assert (body["year"], body["replies_this_year"]["count"]) == (2027, 0)
    assert body["reply_times"]["average_working_days"] is None
    # The reply still waits for service whatever the year.
    assert body["awaiting_service"]["count"] == 1
