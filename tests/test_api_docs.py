"""The API's OpenAPI document and docs page: served by the app itself, with no third-party request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from nextsteps.records.kinds import KINDS
from tests.apiclient import ApiClient, token_for
from tests.test_access_matrix import OBJECTS, referral

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_kind_and_the_token_scheme(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    operations = {op["operationId"] for methods in document["paths"].values() for op in methods.values()}
    for kind in KINDS:
        assert {
            f"list_{kind}",
            f"create_{kind}",
            f"get_{kind}",
            f"change_{kind}",
            f"delete_{kind}",
        } <= operations
    assert {"programme_indicators", "programme_report", "me"} <= operations
    schemes = document["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]


def test_the_docs_page_loads_only_the_apps_own_files(db: Any) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert Client().get(asset).status_code == 200, asset
    # Swagger UI would otherwise send the document's address to validator.swagger.io.
    assert '"validatorUrl": null' in html


OTHER_HOST = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//(?!testserver[/:\"'])[a-z0-9.-]+", re.IGNORECASE)


PERSONAS = ("coordinator", "caseworker.ijm", "outreach.sa", "volunteers.dorcas", "prevention.dorcas", "admin")


def api_pages(clients: list[ApiClient], document: dict[str, Any]) -> list[tuple[ApiClient, str]]:
    """Every page the API serves to a GET, with a persona that gets an answer: its documents and each GET
    operation, with a record that persona may read."""
    pages = [(clients[0], "/api/v1/docs"), (clients[0], "/api/v1/openapi.json")]
    for path, methods in document["paths"].items():
        if "get" not in methods:
            continue
        if "{referral_id}" in path:
            # A referral from the Dutch office (its coordinator, clients[0]) to IJM.
            pages.append((clients[0], path.replace("{referral_id}", str(referral().pk))))
            continue
        if "{case_id}" in path:
            # A case's identification: IJM's case, for IJM's caseworker (clients[1]).
            pages.append((clients[1], path.replace("{case_id}", str(OBJECTS["case"]().pk))))
            continue
        if "{record_id}" not in path:
            pages.append((clients[0], path.replace("{slug}", "next-steps")))
            continue
        for client in clients:
            response = client.get(path.removesuffix("/{record_id}"))
            if response.status_code == 200 and response.json()["results"]:
                record_id = str(response.json()["results"][0]["id"])
                pages.append((client, path.replace("{record_id}", record_id)))
                break
        else:
            raise AssertionError(f"no persona reads a record at {path}")
    return pages


def test_no_page_under_the_api_names_another_host(db: Any) -> None:
    clients = [ApiClient(token_for(username)) for username in PERSONAS]
    document = Client().get("/api/v1/openapi.json").json()
    pages = api_pages(clients, document)
    assert len(pages) > 30 and "/api/v1/programmes/next-steps/report" in [path for _c, path in pages]
    params = {"date_from": "2021-08-01", "date_to": "2021-12-31", "audience": "internal"}
    for client, path in pages:
        response = client.get(path, params if "/programmes/" in path else None)
        assert response.status_code == 200, (path, response.status_code)
        assert OTHER_HOST.findall(response.content.decode()) == [], path
        # The policy that keeps a browser from fetching from anywhere else, on the API's pages too.
        assert "default-src 'self'" in response["Content-Security-Policy"], path


def test_the_host_pattern_finds_other_hosts() -> None:
    found = OTHER_HOST.findall('<script src="https://cdn.jsdelivr.net/x.js"></script> //unpkg.com/y')
    assert found == ["https://cdn.jsdelivr.net", "//unpkg.com"]
    assert OTHER_HOST.findall('<a href="/static/ninja/x.js"> http://testserver/api/v1/') == []
