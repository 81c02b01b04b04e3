"""The workbench half of bench/web.py: the worklist and the case page against their JSON.

An organ holding about `cases` cases (bench/ledger.py's generator: table-level inserts, 90% of
them to its organ), a clerk signed in through the real form (the page) with an API token of
the same user (the JSON), and one application registered through the API (so the case page
has a real ledger and timeline). Then, interleaved through the real ASGI app in one process:

- `/staff/` (the open cases, most urgent first, 50 rows) against
  `GET /api/v1/cases?open_only=true&page_size=50` (the same list query);
- `/staff/cases/{id}` against `GET /api/v1/cases/{id}`.

Targets: each page's p50 and p90 ≤ 1.5× its JSON's; the worklist page's HTML < 150 KB. For
reference (no target), the case page is also timed against the sum of the JSON routes whose
content it shows: the case, its timeline, letters and remedy records.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from intake import application  # bench/ is the script's directory
from ledger import ORGAN, populate
from sqlalchemy import insert

from app.auth.passwords import PasswordSet, set_password
from app.config import Settings
from app.db import table_of
from app.intake.service import REGISTRATION_COUNTER
from app.main import create_app
from app.migrate import upgrade_to_head
from app.models import Counter
from app.organs import service as organs_service
from app.organs.schemas import UserCreate
from app.runtime import build_runtime

TARGET_RATIO = 1.5
TARGET_WORKLIST_BYTES = 150 * 1024
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
LOGIN, PASSWORD = "bench-clerk", "bench clerk password"
ROWS = re.compile(r'<tr class="worklist-row')
REFERENCE = "case page vs its JSON routes"


@dataclass(frozen=True)
class Pair:
    name: str
    page_url: str
    json_url: str
    page: list[float]
    api: list[float]
    page_bytes: int
    json_bytes: int


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(client: TestClient, url: str, headers: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    r = client.get(url, headers=headers, follow_redirects=False)
    elapsed = (time.perf_counter() - start) * 1000
    if r.status_code != 200:
        raise SystemExit(f"GET {url}: {r.status_code} {r.text[:300]}")
    return elapsed


def _settings(url: str, storage: Path) -> Settings:
    return Settings(
        database_url=url,
        secret_key="bench-web-staff-secret-key-0123456789abcdef",  # type: ignore[arg-type]
        storage_dir=storage,
        letter_render_workers=0,
    )


def _prepare(settings: Settings, cases: int) -> str:
    """Migrate, insert the cases, create the clerk; returns the clerk's API token."""
    t = time.perf_counter()
    upgrade_to_head(settings.database_url)
    rt = build_runtime(settings)
    try:
        held = populate(rt, cases, seed=7)
        print(
            f"  {held:,} cases in {ORGAN} ({cases:,} inserted) in {time.perf_counter() - t:.1f} s"
        )
        now = datetime.now(UTC)
        with rt.sessions.write.begin() as session:
            # The generator numbers its cases 1..N in 2026; the registration counter goes on
            # from there, so the case registered through the API gets the next number.
            organ = rt.organs.by_code(session, ORGAN)
            assert organ is not None
            counter = {"organ_id": organ.id, "year": 2026, "kind": REGISTRATION_COUNTER}
            session.execute(insert(table_of(Counter)), [{**counter, "value": cases}])
            data = UserCreate.model_validate(
                {"organ_code": ORGAN, "name": "基准 承办人", "roles": ["clerk"]}
            )
            user, token = organs_service.create_user(session, rt.token_key, data, now=now)
            login = PasswordSet(login_name=LOGIN, password=PASSWORD, confirm=PASSWORD)
            set_password(session, rt.settings, user.id, login, now=now, by="bench")
    finally:
        rt.close()
    return token


def _sign_in(client: TestClient) -> None:
    token = CSRF.search(client.get("/staff/login").text)
    assert token, "no CSRF token on /staff/login"
    data = {"csrf_token": token.group(1), "login_name": LOGIN, "password": PASSWORD}
    r = client.post("/staff/login", data=data, follow_redirects=False)
    if r.status_code != 303:
        raise SystemExit(f"sign-in failed: {r.status_code} {r.text[:300]}")


def _register(client: TestClient, headers: dict[str, str]) -> int:
    body = application(1)
    del body["organ_code"]
    body.update(channel="in_person", arrived_at=datetime.now(UTC).isoformat())
    r = client.post("/api/v1/cases", json=body, headers=headers)
    if r.status_code != 201:
        raise SystemExit(f"registration failed: {r.status_code} {r.text[:300]}")
    return int(r.json()["id"])


def _measure(
    client: TestClient,
    name: str,
    page_url: str,
    json_urls: tuple[str, ...],
    h: dict[str, str],
    n: int,
) -> Pair:
    """The page against its JSON (several JSON routes: the sum of their times, one after
    the other, as a client composing the page would call them)."""
    page: list[float] = []
    api: list[float] = []
    for i in range(n):
        # Alternated, and which goes first alternates too.
        if i % 2:
            page.append(_timed(client, page_url))
            api.append(sum(_timed(client, u, h) for u in json_urls))
        else:
            api.append(sum(_timed(client, u, h) for u in json_urls))
            page.append(_timed(client, page_url))
    html = client.get(page_url).content
    body = sum(len(client.get(u, headers=h).content) for u in json_urls)
    label = json_urls[0] + (f" +{len(json_urls) - 1}" if len(json_urls) > 1 else "")
    return Pair(name, page_url, label, page, api, len(html), body)


def run(url: str, cases: int, requests: int, warmup: int) -> list[Pair]:
    """Both pairs on one database URL (a fresh, empty one)."""
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-staff-") as tmp:
        settings = _settings(url, Path(tmp))
        token = _prepare(settings, cases)
        h = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings)) as client:
            case_id = _register(client, h)
            _sign_in(client)
            worklist = ("/staff/", ("/api/v1/cases?open_only=true&page_size=50",))
            case = (f"/staff/cases/{case_id}", (f"/api/v1/cases/{case_id}",))
            # For reference, not a target: the JSON routes whose content the case page also
            # shows (timeline, letters, remedy records; the repeats have no JSON of their own
            # without the Art. 44 comparison).
            composed = (
                case[0],
                tuple(
                    f"/api/v1/cases/{case_id}{tail}"
                    for tail in ("", "/events", "/letters", "/remedies")
                ),
            )
            rows = len(ROWS.findall(client.get(worklist[0]).text))
            if rows != 50:
                raise SystemExit(f"the worklist shows {rows} rows, not 50")
            for _ in range(warmup):
                for page_url, json_urls in (worklist, composed):
                    _timed(client, page_url)
                    for u in json_urls:
                        _timed(client, u, h)
            return [
                _measure(client, "worklist", *worklist, h, requests),
                _measure(client, "case page", *case, h, requests),
                _measure(client, REFERENCE, *composed, h, requests),
            ]


def report(pairs: list[Pair]) -> bool:
    """Print the figures; True when every target is met."""
    ok = True
    print(f"  {'':34}{'p50 ms':>9}{'p90 ms':>9}{'size KB':>9}")
    for p in pairs:
        p50 = (_percentile(p.page, 0.5), _percentile(p.api, 0.5))
        p90 = (_percentile(p.page, 0.9), _percentile(p.api, 0.9))
        print(f"  {p.page_url[:34]:34}{p50[0]:9.1f}{p90[0]:9.1f}{p.page_bytes / 1024:9.1f}")
        print(f"  {p.json_url[:34]:34}{p50[1]:9.1f}{p90[1]:9.1f}{p.json_bytes / 1024:9.1f}")
        if p.name == REFERENCE:
            print(
                f"    (reference) page/JSON routes: p50 {p50[0] / p50[1]:.2f}×, p90 "
                f"{p90[0] / p90[1]:.2f}×"
            )
            continue
        checks = [
            (
                f"{p.name} p50 ≤ {TARGET_RATIO}× JSON ({p50[0] / p50[1]:.2f}×)",
                p50[0] <= TARGET_RATIO * p50[1],
            ),
            (
                f"{p.name} p90 ≤ {TARGET_RATIO}× JSON ({p90[0] / p90[1]:.2f}×)",
                p90[0] <= TARGET_RATIO * p90[1],
            ),
        ]
        if p.name == "worklist":
            kb = p.page_bytes / 1024
            checks.append(
                (f"worklist page < 150 KB ({kb:.1f} KB)", p.page_bytes < TARGET_WORKLIST_BYTES)
            )
        for name, good in checks:
            print(f"    [{'ok' if good else 'MISS'}] {name}")
            ok &= good
    return ok
