"""Editing a draft letter on an action's preview step: the texts a kind declares editable
(KindInfo.editable) are asked for beside the preview, re-previewed, and the issued letter (its
PDF, read back with pypdf) carries them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.builders import build
from app.letters.kinds import KINDS
from app.letters.render import LetterTemplates
from app.letters.samples import DEFAULT_FONTS, SAMPLE_PARAMS, sample_source
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, counter_case, pdf_text
from tests.reply.helpers import case_of, issued, ok
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PREVIEW = re.compile(r'href="(/staff/cases/\d+/letters/\d+/preview)"')
REASON = "letter.closure_notice.reason"


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return re.sub(r"\s+", "", pdf_text(pdf))


def _post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    token = csrf(client, path)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _preview_text(client: TestClient, page: str) -> str:
    link = PREVIEW.search(page)
    assert link, page[:3000]
    return _text(client.get(link.group(1)).content)


def _issued_text(client: TestClient, staff: Staff, case_id: int, kind: str) -> str:
    [letter] = issued(client, staff, case_id, kind)
    return _text(client.get(f"/staff/letters/{letter['id']}/pdf").content)


@pytest.fixture
def clerk_login(runtime: Runtime, organ_a: Staff) -> str:
    make_staff(runtime, "org-a", "clerk", login="clerk", name="李静")
    return "clerk"


@pytest.mark.parametrize("kind", [k for k, info in KINDS.items() if info.editable])
def test_every_declared_editable_text_is_printed_in_its_letter(kind: str) -> None:
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    for f in KINDS[kind].editable:
        marker = f"编辑标记{f.name}"
        params = {**SAMPLE_PARAMS[kind], f.name: [marker] if f.lines else marker}
        html = templates.html(build(sample_source(kind, **params)))
        assert marker in html, (kind, f.name)


def test_an_edited_correction_item_is_in_the_issued_notice(
    client: TestClient, clock: Clock, organ_a: Staff, clerk_login: str
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    case = counter_case(client, organ_a)
    clerk = signed_in(client, clerk_login)
    path = f"/staff/cases/{case['id']}/actions/request_correction"
    data = {"version": str(case["version"]), "items_to_correct": "身份证明"}
    first = _post(clerk, path, data)
    assert first.status_code == 200, first.text[:2000]
    assert "身份证明" in _preview_text(clerk, first.text)
    # The items are the action's own field (what the event records): edited in its form, not
    # in a second box for the draft.
    assert "draft-fields" not in first.text

    data["items_to_correct"] = "身份证明复印件\n所需信息的文号或名称"
    again = _post(clerk, path, data)
    assert again.status_code == 200
    assert "所需信息的文号或名称" in _preview_text(clerk, again.text)
    done = _post(clerk, path, {**data, "_confirm": "1"})
    assert done.status_code == 303, done.text[:2000]
    text = _issued_text(clerk, organ_a, case["id"], "correction_notice")
    assert "身份证明复印件" in text
    assert "所需信息的文号或名称" in text


@pytest.fixture
def uncorrected(client: TestClient, clock: Clock, organ_a: Staff) -> dict[str, Any]:
    """A correction notice handed over on Tue 2026-03-03 (15 WD: due 03-24), now 03-26."""
    clock.set("2026-03-03T09:00+08:00")
    case = counter_case(client, organ_a)
    body = {"items_to_correct": ["身份证明"], "notice_received_on": "2026-03-03"}
    case = ok(act(client, organ_a, case, "request_correction", "clerk", **body))
    clock.set("2026-03-26T10:00+08:00")
    return case


def test_a_closure_notices_own_text_is_edited_previewed_and_issued(
    client: TestClient, organ_a: Staff, uncorrected: dict[str, Any], clerk_login: str
) -> None:
    case = uncorrected
    clerk = signed_in(client, clerk_login)
    path = f"/staff/cases/{case['id']}/actions/close_uncorrected"
    data = {"version": str(case["version"])}
    first = _post(clerk, path, data)
    assert first.status_code == 200, first.text[:2000]
    # The closure notice's own text, which close_uncorrected's payload does not carry.
    assert f'name="{REASON}"' in first.text
    assert "<legend>《政府信息公开申请终止办理告知书》的文字</legend>" in first.text
    said = "申请人于2026年3月20日来电表示不再补正"
    again = _post(clerk, path, {**data, REASON: said})
    assert again.status_code == 200
    assert said in again.text  # kept in the box
    assert said in _preview_text(clerk, again.text)
    assert case_of(client, organ_a, case["id"])["state"] == "awaiting_correction"

    done = _post(clerk, path, {**data, REASON: said, "_confirm": "1"})
    assert done.status_code == 303, done.text[:2000]
    assert case_of(client, organ_a, case["id"])["state"] == "replied"
    assert said in _issued_text(clerk, organ_a, case["id"], "closure_notice")


def test_a_text_changed_after_the_preview_is_previewed_again_before_it_is_issued(
    client: TestClient, organ_a: Staff, uncorrected: dict[str, Any], clerk_login: str
) -> None:
    case = uncorrected
    clerk = signed_in(client, clerk_login)
    path = f"/staff/cases/{case['id']}/actions/close_uncorrected"
    data = {"version": str(case["version"])}
    assert _post(clerk, path, {**data, REASON: "初稿"}).status_code == 200
    changed = "经电话核实，申请人不再补正"
    r = _post(clerk, path, {**data, REASON: changed, "_confirm": "1"})
    assert r.status_code == 200
    assert 'id="revised"' in r.text
    assert changed in _preview_text(clerk, r.text)
    assert case_of(client, organ_a, case["id"])["state"] == "awaiting_correction"
    assert issued(client, organ_a, case["id"], "closure_notice") == []

    done = _post(clerk, path, {**data, REASON: changed, "_confirm": "1"})
    assert done.status_code == 303
    text = _issued_text(clerk, organ_a, case["id"], "closure_notice")
    assert changed in text
    assert "初稿" not in text


def test_a_bad_text_is_an_error_beside_its_box_and_issues_nothing(
    client: TestClient, organ_a: Staff, uncorrected: dict[str, Any], clerk_login: str
) -> None:
    case = uncorrected
    clerk = signed_in(client, clerk_login)
    path = f"/staff/cases/{case['id']}/actions/close_uncorrected"
    for bad in ("说明\x00", "长" * 4001):
        r = _post(clerk, path, {"version": str(case["version"]), REASON: bad, "_confirm": "1"})
        assert r.status_code == 422, r.text[:2000]
        assert 'id="letter-closure_notice-reason-error"' in r.text
    assert case_of(client, organ_a, case["id"])["state"] == "awaiting_correction"
    assert issued(client, organ_a, case["id"], "closure_notice") == []
