"""The API's OpenAPI document and docs page: served by the app itself, with no third-party request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from nextsteps.records.kinds import KINDS

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
