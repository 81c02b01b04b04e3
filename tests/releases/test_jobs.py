"""A long document is redacted by the worker, its progress written as it goes (the case page
shows it and reloads itself); marks changed meanwhile make it run again with them; a job a
dead worker left is taken again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.config import Settings
from app.models import ReleasedDocument
from app.outbox.worker import Worker
from app.releases import jobs, repository
from app.runtime import Runtime
from tests.conftest import Staff
from tests.letters.helpers import online
from tests.releases.helpers import CASES, STANDARD_MARKS, apply, mark, text_pdf, upload
from tests.web.staff_support import make_staff, signed_in


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Anything over 2 pages goes to the worker here (30 in a deployment).
    return settings.model_copy(update={"release_inline_max_pages": 2})


def _queued(client: TestClient, staff: Staff, pages: int = 5) -> tuple[dict, dict]:
    case = online(client)
    doc = upload(client, staff, case["id"], text_pdf(pages)).json()
    for body in STANDARD_MARKS:
        assert mark(client, staff, case["id"], doc["id"], **body).status_code == 201
    r = apply(client, staff, case["id"], doc["id"])
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    return case, r.json()


def _doc(client: TestClient, staff: Staff, case_id: int, doc_id: int) -> dict:
    return dict(
        client.get(
            f"{CASES}/{case_id}/released-documents/{doc_id}", headers=staff.headers("clerk")
        ).json()
    )


def test_the_worker_makes_a_long_documents_copy_with_its_progress(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, doc = _queued(client, organ_a)
    seen: list[int] = []
    real = repository.set_progress

    def spy(session, document_id, pages):  # type: ignore[no-untyped-def]
        real(session, document_id, pages)
        seen.append(pages)

    monkeypatch.setattr(repository, "set_progress", spy)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_S", 0.0)
    report = Worker(runtime, scheduler=False, channels=[]).tick()
    assert report.rendered >= 1
    assert seen == [1, 2, 3, 4, 5]
    done = _doc(client, organ_a, case["id"], doc["id"])
    assert (done["status"], done["current"], done["progress"]) == ("ready", True, 5)
    assert done["released_pages"] > 5  # the 5 pages and the log's (21 rows: two pages)


def test_the_case_page_shows_the_progress_and_reloads_until_done(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case, doc = _queued(client, organ_a)
    with runtime.sessions.write.begin() as s:
        s.execute(
            update(ReleasedDocument)
            .where(ReleasedDocument.id == doc["id"])
            .values(status="running", progress=2, claimed_at=runtime.clock())
        )
    make_staff(runtime, "org-a", "clerk", login="li")
    page = signed_in(client, "li").get(f"/staff/cases/{case['id']}")
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert 'max="5" value="2"' in page.text
    assert "2/5页" in page.text


def test_marks_changed_while_the_copy_is_made_make_it_again(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, doc = _queued(client, organ_a)
    real = jobs.redact
    calls = []

    def redact_and_mark(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            body = {"kind": "phrase", "phrase": "联系人", "ground": "withheld.third_party_rights",
                    "reason": "个人信息"}  # fmt: skip
            assert mark(client, organ_a, case["id"], doc["id"], **body).status_code == 201
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "redact", redact_and_mark)
    assert jobs.pending(runtime) == 0  # the first copy is outdated on arrival
    assert _doc(client, organ_a, case["id"], doc["id"])["status"] == "queued"
    assert jobs.pending(runtime) == 1
    done = _doc(client, organ_a, case["id"], doc["id"])
    assert done["current"] is True
    assert len(done["marks"]) == len(STANDARD_MARKS) + 1
    assert any(r["reason"] == "个人信息" for r in done["log"])


def test_a_job_a_dead_worker_left_is_taken_again(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case, doc = _queued(client, organ_a)
    with runtime.sessions.write.begin() as s:
        s.execute(
            update(ReleasedDocument)
            .where(ReleasedDocument.id == doc["id"])
            .values(status="running", claimed_at=runtime.clock() - timedelta(minutes=5))
        )
    assert jobs.pending(runtime) == 0  # still someone's
    with runtime.sessions.write.begin() as s:
        s.execute(
            update(ReleasedDocument)
            .where(ReleasedDocument.id == doc["id"])
            .values(claimed_at=runtime.clock() - jobs.STALE - timedelta(minutes=1))
        )
    assert jobs.pending(runtime) == 1
    assert _doc(client, organ_a, case["id"], doc["id"])["status"] == "ready"


def test_a_failed_redaction_says_why_and_can_be_tried_again(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, doc = _queued(client, organ_a)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise jobs.RedactionFailed("page 1: text is left inside a redacted area")

    monkeypatch.setattr(jobs, "redact", broken)
    assert jobs.pending(runtime) == 0
    failed = _doc(client, organ_a, case["id"], doc["id"])
    assert failed["status"] == "failed"
    assert "text is left" in failed["last_error"]
    monkeypatch.undo()
    assert apply(client, organ_a, case["id"], doc["id"]).status_code == 202
    assert jobs.pending(runtime) == 1
