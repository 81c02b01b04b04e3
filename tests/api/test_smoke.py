from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import application


def test_online_application_is_registered_and_received_on_submission_day(
    client: TestClient, organ_a: Staff
) -> None:
    r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"] == "org-a依申〔2026〕0001号"
    assert body["state"] == "received"
    assert body["receipt_date"] == "2026-03-02"
    reply = next(d for d in body["deadlines"] if d["name"] == "reply")
    assert reply["due_date"] == "2026-03-30"
