"""API conformance: schemathesis over every operation, in-process, authenticated as staff.

Each operation is one test (so xdist spreads them), with a fixed seed and a bounded number of
generated requests, positive and negative. The four checks hold the server to its OpenAPI
document: no 5xx, every status and content type declared, every body matching its schema.
GONGKAI_SCHEMATHESIS_EXAMPLES raises the count for a longer local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import serialize_binary

from app.config import Settings
from app.main import create_app
from tests.conftest import Staff
from tests.fixtures.factories import application, staff_case

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
EXAMPLES = int(os.environ.get("GONGKAI_SCHEMATHESIS_EXAMPLES", "25"))
SEED = 20261202
# Every role an organ's staff can hold, so generated requests get past 403 to the route's logic.
STAFF_ROLES = ("clerk", "legal", "approver", "front_desk", "supervisor")


@schemathesis.serializer("message/delivery-status", "multipart/report")
def _raw_mime(ctx: Any, value: Any) -> dict[str, Any]:
    """The DSN route's body is a raw MIME report from the MTA (app/outbox/applicant/router.py)."""
    return {"data": serialize_binary(value)}


def _document() -> dict[str, Any]:
    # Collection needs only the document; no database, no lifespan. Every app built by the
    # fixtures serves this same document, so it is parsed once per worker, not per test.
    doc: dict[str, Any] = create_app(Settings(secret_key="collect-only")).openapi()  # type: ignore[arg-type]
    return doc


DOCUMENT = _document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [
    (method.upper(), path)
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in {"get", "put", "post", "delete", "patch"}
]


@pytest.fixture
def seeded(client: TestClient, organ_a: Staff, admin: dict[str, str]) -> dict[str, Any]:
    """Two cases (online and in person) so that small ids lead somewhere."""
    staff = organ_a.headers(*STAFF_ROLES)
    r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/cases", json=staff_case(), headers=staff)
    assert r.status_code == 201, r.text
    return {"staff": staff, "admin": admin}


def test_every_operation_is_under_test() -> None:
    assert len(OPERATIONS) >= 50


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_its_openapi_document(
    app: FastAPI, client: TestClient, seeded: dict[str, Any], method: str, path: str
) -> None:
    operation = SCHEMA[path][method]
    # Not entered: the `client` fixture already ran the app's lifespan.
    transport = ASGIClient(app)
    auth = (
        seeded["admin"]
        if "/admin/" in path or path.startswith("/api/v1/calendar")
        else seeded["staff"]
    )
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        # No shrinking: a failure is reported as found, in seconds rather than minutes.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url="http://testserver", session=transport, headers=auth, checks=CHECKS
        )

    run()
