"""Due soon and overdue, around the 2026 National Day holiday, worked out by hand.

2026 calendar (RULES §4): days off 9/25 (Mid-Autumn, a Friday) and 10/1–10/7; make-up working
days Sun 9/20 and Sat 10/10. Today is Wed 2026-09-30. The working days after it are Thu 10/8 (1),
Fri 10/9 (2), Sat 10/10 (3, make-up), Mon 10/12 (4), Tue 10/13 (5), Wed 10/14 (6).

Every case is handed in at the counter; its reply is due 20 WD after the receipt. For example,
received Mon 9/07: 9/8–11 (4), 9/14–18 (9), Sun 9/20 (10), 9/21–24 (14), 9/28–30 (17), 10/8 (18),
10/9 (19), Sat 10/10 (20).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.dashboard.helpers import act, dashboard, named_user, register, total
from tests.fixtures.factories import Clock

# receipt -> reply due (20 WD)
RECEIPTS = {
    "overdue": ("2026-09-01", "2026-09-29"),
    "today": ("2026-09-02", "2026-09-30"),
    "wd3_makeup_saturday": ("2026-09-07", "2026-10-10"),
    "wd4": ("2026-09-08", "2026-10-12"),
    "wd5": ("2026-09-09", "2026-10-13"),
    "wd6": ("2026-09-10", "2026-10-14"),
}


def _reply_due(case: dict[str, Any]) -> str:
    return str(next(d for d in case["deadlines"] if d["name"] == "reply")["due_date"])


def test_due_within_3_and_5_working_days_and_overdue_across_national_day(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    clock.set("2026-09-30T10:00+08:00")
    clerk = organ_a.headers("clerk")
    cases = {}
    for name, (received, due) in RECEIPTS.items():
        cases[name] = register(client, clerk, received)
        assert _reply_due(cases[name]) == due, name  # the hand-worked dates hold
    # Not open: a withdrawn case due today, and another organ's cases.
    gone = register(client, clerk, "2026-09-02")
    act(client, clerk, gone, "withdraw", withdrawn_on="2026-09-30")
    for received, _ in RECEIPTS.values():
        register(client, organ_b.headers("clerk"), received)

    body = dashboard(client, organ_a.headers("supervisor"))
    assert body["as_of"] == "2026-09-30"
    figures = {k: body[k]["count"] for k in ("open_cases", "due_within_3", "due_within_5")}
    assert figures == {"open_cases": 6, "due_within_3": 2, "due_within_5": 4}
    assert body["overdue"]["count"] == 1
    assert body["total_cases"] == 7

    # Click-through: the same queries of the case list.
    assert body["overdue"]["href"] == "/api/v1/cases?overdue=true"
    assert body["due_within_3"]["href"] == "/api/v1/cases?due_within=3"
    assert body["due_within_5"]["href"] == "/api/v1/cases?due_within=5"
    assert total(client, clerk, body["overdue"]["href"]) == 1
    assert total(client, clerk, body["open_cases"]["href"]) == 6
    # The list behind each number shows exactly the cases it counts (not the overdue one).
    assert total(client, clerk, body["due_within_3"]["href"]) == 2
    assert total(client, clerk, body["due_within_5"]["href"]) == 4

    b = dashboard(client, organ_b.headers("clerk"))
    assert (b["open_cases"]["count"], b["due_within_3"]["count"]) == (6, 2)
    assert (b["due_within_5"]["count"], b["overdue"]["count"]) == (4, 1)


def test_figures_move_with_the_clock_over_the_holiday(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-09-30T10:00+08:00")
    clerk = organ_a.headers("clerk")
    for received, _ in RECEIPTS.values():
        register(client, clerk, received)

    # Sat 10/3, inside the holiday: the next working days are 10/8, 10/9, 10/10, 10/12, 10/13.
    # The case due 9/30 is now overdue too; the rest keep their places.
    clock.set("2026-10-03T10:00+08:00")
    body = dashboard(client, clerk)
    assert (body["overdue"]["count"], body["due_within_3"]["count"]) == (2, 1)
    assert body["due_within_5"]["count"] == 3

    # Fri 10/9: 3 WD reach Tue 10/13 (10/10, 10/12, 10/13), 5 WD Thu 10/15.
    clock.set("2026-10-09T10:00+08:00")
    body = dashboard(client, clerk)
    assert (body["overdue"]["count"], body["due_within_3"]["count"]) == (2, 3)
    assert body["due_within_5"]["count"] == 4


def test_a_suspended_clock_is_neither_due_nor_overdue(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clerk = organ_a.headers("clerk")
    clock.set("2026-09-01T10:00+08:00")
    case = register(client, clerk, "2026-09-01")
    act(client, clerk, case, "request_correction", items_to_correct=["请说明所需信息的年份"])
    clock.set("2026-09-30T10:00+08:00")
    body = dashboard(client, clerk)
    assert [(s["state"], s["count"]) for s in body["states"] if s["count"]] == [
        ("awaiting_correction", 1)
    ]
    counts = [body[k]["count"] for k in ("open_cases", "due_within_3", "due_within_5", "overdue")]
    assert counts == [0, 0, 0, 0]


def _claim(client: TestClient, clerk: dict[str, str], case: dict[str, Any]) -> int:
    r = client.post(f"/api/v1/cases/{case['id']}/claim", headers=clerk)
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def test_per_staff_overdue_and_due_soon_count_the_open_cases_each_one_handled(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    """Two clerks: 王 registered and claimed the overdue case, the one due today and the 6th-WD
    one; 李 the 3rd-, 4th- and 5th-WD ones. Each row counts only that clerk's (assigned) cases."""
    clock.set("2026-09-30T10:00+08:00")
    admin = organ_a.headers("admin")
    wang = named_user(client, admin, "org-a", "王承办", "clerk")
    li = named_user(client, admin, "org-a", "李承办", "clerk")
    mine = {"overdue": wang, "today": wang, "wd6": wang}
    for name, (received, _due) in RECEIPTS.items():
        _claim(client, mine.get(name, li), register(client, mine.get(name, li), received))
    # 王's withdrawn case, overdue when it was withdrawn, is no longer open work.
    gone = register(client, wang, "2026-09-01")
    gone = {**gone, "version": _claim(client, wang, gone)}
    act(client, wang, gone, "withdraw", withdrawn_on="2026-09-30")

    body = dashboard(client, organ_a.headers("supervisor"))
    rows = {s["name"]: (s["open_cases"], s["overdue"], s["due_within_5"]) for s in body["staff"]}
    assert rows == {"王承办": (3, 1, 1), "李承办": (3, 0, 3)}
    # The per-staff figures add up to the organ's (each case here has one handler).
    assert sum(r[1] for r in rows.values()) == body["overdue"]["count"]
    assert sum(r[2] for r in rows.values()) == body["due_within_5"]["count"]
