"""The annual report counts a transferred application once, at the organ that received it: the
first organ never confirmed receipt, so it neither received nor concluded it (RULES §8)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.fixtures.factories import Clock
from tests.reports.helpers import nonzero, report, table3
from tests.transfers.helpers import act, manual_organ, submit_with_file


def test_a_transferred_application_counts_only_at_the_receiving_organ(
    client: TestClient, runtime: Runtime, clock: Clock
) -> None:
    first, second = manual_organ(runtime, "org-a"), manual_organ(runtime, "org-b")
    sent = submit_with_file(client, "org-a")
    moved = act(client, first, sent["id"], "transfer", to_organ="org-b", reason="职责在乙机关")
    assert moved.status_code == 200, moved.text
    new_id = moved.json()["transferred_to"]["id"]
    clock.advance(days=1)
    confirmed = act(
        client,
        second,
        new_id,
        "confirm_receipt",
        receipt_date="2026-03-03",
        receipt_basis="confirmed",
        receipt_evidence="转来后确认",
    )
    assert confirmed.status_code == 200, confirmed.text

    assert nonzero(table3(report(client, first, 2026))) == {}
    assert nonzero(table3(report(client, second, 2026))) == {
        ("new", "natural_person"): 1,
        ("new", "total"): 1,
        ("carried_forward", "natural_person"): 1,
        ("carried_forward", "total"): 1,
    }
