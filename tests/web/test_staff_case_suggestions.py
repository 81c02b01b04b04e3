"""The case page shows the applicant's possible repeats; the Art. 44 comparison with other
applicants' requests, which reads up to 2,000 of them, has a page of its own."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, person
from tests.fixtures.identity import resident_id
from tests.suggestions.helpers import register
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PLAN = "2025年某某区旧城改造项目征收补偿方案"
PLAN_AGAIN = "申请公开2025年某某区旧城改造项目的征收补偿方案"


def _cases(client: TestClient, clock: Clock, organ_a: Staff) -> tuple[dict[str, Any], ...]:
    clock.set("2026-03-03T09:00+08:00")
    zhang = person(name="张三", id_number=resident_id(seq="011"))
    li = person(name="李四", id_number=resident_id(seq="021"))
    earlier = register(client, organ_a, PLAN, applicant=zhang, arrived="2026-01-05T10:00+08:00")
    theirs = register(client, organ_a, PLAN, applicant=li, arrived="2026-02-10T10:00+08:00")
    case = register(client, organ_a, PLAN_AGAIN, applicant=zhang, arrived="2026-03-02T09:00+08:00")
    return earlier, theirs, case


def test_art44_groups_are_on_their_own_page_as_the_api_gives_them(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    earlier, _theirs, case = _cases(client, clock, organ_a)
    api = client.get(
        f"/api/v1/cases/{case['id']}/suggestions", headers=organ_a.headers("clerk")
    ).json()
    [group] = api["art44_groups"]
    assert group["applicants"] == 2
    make_staff(runtime, "org-a", "clerk", login="clerk")
    clerk = signed_in(client, "clerk")

    page = clerk.get(f"/staff/cases/{case['id']}").text
    section = page.split('id="suggestions-title"')[1].split("</section>")[0]
    assert f'<a href="/staff/cases/{earlier["id"]}">{earlier["number"]}</a>' in section
    assert "共 2 位申请人" not in section
    assert f'href="/staff/cases/{case["id"]}/suggestions"' in section

    own = clerk.get(f"/staff/cases/{case['id']}/suggestions")
    assert own.status_code == 200
    assert f"<h1>办理参考：案件 {case['number']}</h1>" in own.text
    assert f"第 1 项“{PLAN_AGAIN}”：共 2 位申请人" in own.text
    assert f'<a href="/staff/cases/{earlier["id"]}">{earlier["number"]}</a>' in own.text


def test_the_suggestions_page_answers_as_the_api_does(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff
) -> None:
    _earlier, _theirs, case = _cases(client, clock, organ_a)
    make_staff(runtime, "org-a", "front_desk", login="desk")
    desk = signed_in(client, "desk").get(f"/staff/cases/{case['id']}/suggestions")
    assert desk.status_code == 403
    assert "共 2 位申请人" not in desk.text
    client.cookies.clear()
    make_staff(runtime, "org-b", "clerk", login="clerk-b")
    other = signed_in(client, "clerk-b").get(f"/staff/cases/{case['id']}/suggestions")
    assert other.status_code == 404
