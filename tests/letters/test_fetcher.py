"""The renderer loads letter resources and nothing else: no network, no other file."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.letters.render import TEMPLATES_DIR, FetchRefused, PdfRenderer, make_url_fetcher
from tests.conftest import Staff
from tests.letters.helpers import letters, online, pdf_text


class Listener:
    """A local HTTP server that records every connection it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body{color:red}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as srv:
        yield srv


def test_the_listener_itself_sees_a_real_request(listener: Listener) -> None:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/probe") as r:
        assert r.status == 200
    assert listener.hits == ["/probe"]


def test_fetcher_serves_letter_files_and_refuses_everything_else(tmp_path: Path) -> None:
    fetch = make_url_fetcher(TEMPLATES_DIR)
    css = fetch.fetch((TEMPLATES_DIR / "letter.css").resolve().as_uri())
    assert b"@page" in css.read()
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    for url in (
        secret.as_uri(),
        "file:///etc/passwd",
        (TEMPLATES_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        "http://127.0.0.1:9/x.css",
        "https://example.com/seal.png",
        "ftp://example.com/x",
        "data:text/css,body{}",
        "seal:../../etc/passwd",
    ):
        with pytest.raises(FetchRefused):
            fetch.fetch(url)


def test_raw_html_naming_outside_resources_makes_no_request(listener: Listener) -> None:
    base = f"http://127.0.0.1:{listener.port}"
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/link.css">
      <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}
      @font-face {{ font-family: X; src: url("{base}/font.otf"); }}</style>
      </head><body><p>正文</p><img src="{base}/img.png"><img src="file:///etc/passwd">
      <iframe src="{base}/frame"></iframe><object data="{base}/obj"></object></body></html>"""
    pdf = PdfRenderer().pdf(html)
    assert pdf.startswith(b"%PDF")
    assert listener.hits == []


def test_what_an_applicant_types_is_text_and_fetches_nothing(
    client: TestClient, organ_a: Staff, listener: Listener
) -> None:
    base = f"http://127.0.0.1:{listener.port}"
    hostile = [
        f'<img src="{base}/img.png">',
        f"<style>@import url({base}/x.css);</style>",
        f"background:url({base}/bg.png)",
        "file:///etc/passwd",
        "</p><script>alert(1)</script>",
    ]
    case = online(
        client,
        items=[{"description": text, "document_number": None} for text in hostile],
    )
    [receipt] = letters(client, organ_a, case["id"])
    r = client.get(f"/api/v1/letters/{receipt['id']}/pdf", headers=organ_a.headers("clerk"))
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    for typed in hostile:
        assert "".join(typed.split()) in text
    html = client.get(
        f"/api/v1/cases/{case['id']}/letters/{receipt['id']}/preview?format=html",
        headers=organ_a.headers("clerk"),
    ).text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert listener.hits == []
