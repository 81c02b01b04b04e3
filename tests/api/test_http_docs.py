"""/docs works on an intranet without internet: every asset comes from the service itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from app.http.docs import swagger_ui_dir

URL_IN_HTML = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


def _referenced(html: str) -> list[str]:
    return [a or b for a, b in URL_IN_HTML.findall(html)]


def test_docs_reference_only_same_origin_urls_and_each_answers_200(client: TestClient) -> None:
    r = client.get("/docs")

    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    urls = _referenced(r.text)
    assert {"/openapi.json", "/docs/assets/swagger-ui-bundle.js"} <= set(urls), urls
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme, url
        assert not parts.netloc, url
        asset = client.get(url)
        assert asset.status_code == 200, url
    assert "https://" not in r.text
    assert "http://" not in r.text


def test_docs_do_not_send_the_document_to_an_online_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_assets_are_served_with_their_types(client: TestClient) -> None:
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    css = client.get("/docs/assets/swagger-ui.css")

    assert js.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert css.headers["content-type"].startswith("text/css")


def test_redoc_is_not_offered_from_a_cdn(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_the_bundled_swagger_ui_reads_the_documents_openapi_version(client: TestClient) -> None:
    # Swagger UI renders OpenAPI 3.1 from version 5 on; 4.x shows "Unable to render this
    # definition" for FastAPI's 3.1 documents.
    version = client.get("/openapi.json").json()["openapi"]
    match = re.fullmatch(r"swagger-ui-(\d+)\.\d+\.\d+", swagger_ui_dir().name)
    assert match, swagger_ui_dir()

    ui_major = int(match.group(1))

    assert version.startswith("3.1")
    assert ui_major >= 5, f"Swagger UI {swagger_ui_dir().name} cannot render OpenAPI {version}"
