"""Benchmark: the applicant's status page against the JSON applicant view of the same case.

Migrate a fresh SQLite database in a temporary directory, create an organ (bench/intake.py's
`prepare`), submit one application, open the case page once through the lookup form (the case
cookie), then time N GETs of `/query/case` with the cookie against N GETs of
`GET /api/v1/applications/{number}` with the query code, alternated, through the real ASGI
application in one process (Starlette's TestClient, the same way for both; the lookup brake
counts only failures, so the right code is never braked). Print p50 and p99 of each and their
ratio, and the page weight: the status page's HTML plus every stylesheet and script it loads,
uncompressed, and how many `src=`/`href=`/`action=` point at another origin.

Then the workbench (bench/web_staff.py): the worklist page `/staff/` (50 rows of an organ
holding --cases cases) against `GET /api/v1/cases` with the same query, and the case page
`/staff/cases/{id}` against `GET /api/v1/cases/{id}`, interleaved in one run, p50 and p90,
with the page sizes; on SQLite and, with --postgres URL, on a fresh PostgreSQL database too.

    .venv/bin/python bench/web.py [--requests 300] [--warmup 50] [--cases 100000]
                                  [--postgres URL] [--only applicant|staff]

Targets: page p50 and p99 ≤ 1.5× the JSON view's; weight < 100 KB; 0 references elsewhere;
workbench pages p50 and p90 ≤ 1.5× their JSON's, the worklist page < 150 KB.
Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import web_staff  # bench/ is the script's directory
from databases import postgres_database
from fastapi.testclient import TestClient
from intake import application, prepare

from app.main import create_app

TARGET_RATIO = 1.5
TARGET_WEIGHT = 100 * 1024
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
REFERENCES = re.compile(r'(?:src|href|action)="([^"]*)"')
LOADED = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"')


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client: TestClient, url: str, headers: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    r = client.get(url, headers=headers, follow_redirects=False)
    elapsed = (time.perf_counter() - start) * 1000
    if r.status_code != 200:
        raise SystemExit(f"GET {url}: {r.status_code} {r.text[:300]}")
    return elapsed


def open_case(client: TestClient, number: str, code: str) -> None:
    token = CSRF.search(client.get("/query").text)
    assert token, "no CSRF token on /query"
    r = client.post(
        "/query",
        data={"csrf_token": token.group(1), "number": number, "code": code},
        follow_redirects=False,
    )
    if r.status_code != 303:
        raise SystemExit(f"lookup failed: {r.status_code} {r.text[:300]}")


def weight(client: TestClient) -> tuple[int, int, int, list[str]]:
    """(HTML bytes, bytes of what it loads, references to other origins, what it loads)."""
    html = client.get("/query/case").content
    text = html.decode("utf-8")
    loaded = LOADED.findall(text)
    assets = sum(len(client.get(url).content) for url in loaded)
    elsewhere = [
        u for u in REFERENCES.findall(text) if not u.startswith(("/", "#")) or u.startswith("//")
    ]
    return len(html), assets, len(elsewhere), loaded


def staff(args: argparse.Namespace) -> bool:
    """The workbench pairs on SQLite, and on PostgreSQL when a server is given."""
    # bench/ledger.py's generator puts 90% of the cases in the organ measured.
    inserted = round(args.cases / 0.9)
    print(f"\nworkbench: {args.requests} of each, after {args.warmup} warm-up; TestClient")
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-web-") as tmp:
        print(f"== SQLite {sqlite3.sqlite_version}")
        url = f"sqlite:///{Path(tmp) / 'staff.db'}"
        ok = web_staff.report(web_staff.run(url, inserted, args.requests, args.warmup))
    if args.postgres:
        with postgres_database(args.postgres) as pg:
            if pg is not None:
                print(f"== PostgreSQL {pg.version}")
                pairs = web_staff.run(pg.url, inserted, args.requests, args.warmup)
                ok &= web_staff.report(pairs)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--cases", type=int, default=100_000, help="the organ's cases (staff)")
    parser.add_argument("--postgres", metavar="URL", help="the staff pages on PostgreSQL too")
    parser.add_argument("--only", choices=("applicant", "staff"))
    args = parser.parse_args()
    ok = True
    if args.only != "staff":
        ok &= applicant(args)
    if args.only != "applicant":
        ok &= staff(args)
    return 0 if ok else 1


def applicant(args: argparse.Namespace) -> bool:
    """The applicant's status page against the JSON applicant view."""
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-web-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}"
        settings = prepare(url, secrets.token_hex(32), work / "files")
        with TestClient(create_app(settings)) as client:
            r = client.post("/api/v1/applications", json=application(1))
            if r.status_code != 201:
                raise SystemExit(f"submission failed: {r.status_code} {r.text[:300]}")
            receipt = r.json()
            number, code = receipt["number"], receipt["query_code"]
            open_case(client, number, code)
            json_url, json_headers = f"/api/v1/applications/{number}", {"X-Query-Code": code}

            for _ in range(args.warmup):
                timed(client, "/query/case")
                timed(client, json_url, json_headers)
            page: list[float] = []
            api: list[float] = []
            for i in range(args.requests):
                # Alternated, and which goes first alternates too.
                if i % 2:
                    page.append(timed(client, "/query/case"))
                    api.append(timed(client, json_url, json_headers))
                else:
                    api.append(timed(client, json_url, json_headers))
                    page.append(timed(client, "/query/case"))
            html_bytes, asset_bytes, elsewhere, loaded = weight(client)

    p50 = (percentile(page, 0.5), percentile(api, 0.5))
    p99 = (percentile(page, 0.99), percentile(api, 0.99))
    total = html_bytes + asset_bytes
    checks = [
        (f"page p50 ≤ {TARGET_RATIO}× JSON p50", p50[0] <= TARGET_RATIO * p50[1]),
        (f"page p99 ≤ {TARGET_RATIO}× JSON p99", p99[0] <= TARGET_RATIO * p99[1]),
        ("page weight < 100 KB", total < TARGET_WEIGHT),
        ("no reference to another origin", elsewhere == 0),
    ]
    print(f"requests: {args.requests} of each, after {args.warmup} warm-up; SQLite; TestClient")
    print(f"{'':24}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    print(f"{'/query/case (page)':24}{p50[0]:10.2f}{p99[0]:10.2f}{statistics.mean(page):10.2f}")
    print(f"{'JSON applicant view':24}{p50[1]:10.2f}{p99[1]:10.2f}{statistics.mean(api):10.2f}")
    print(f"ratio page/JSON: p50 {p50[0] / p50[1]:.2f}×, p99 {p99[0] / p99[1]:.2f}×")
    print(
        f"page weight: HTML {html_bytes} B + loaded {asset_bytes} B ({', '.join(loaded)}) "
        f"= {total} B ({total / 1024:.1f} KB); references to other origins: {elsewhere}"
    )
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'MISS'}] {name}")
    return all(ok for _, ok in checks)


if __name__ == "__main__":
    sys.exit(main())
