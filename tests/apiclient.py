"""Calling the JSON API in tests as a demo persona, with a token of their own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from nextsteps.accounts.models import User
from nextsteps.api.actions import issue_token


def token_for(username: str) -> str:
    return issue_token(User.objects.get(username=username), name="tests", acting_user=None)[1]


class ApiClient:
    """A test client whose every request carries `Authorization: Bearer TOKEN` and sends JSON."""

    def __init__(self, token: str, **headers: str) -> None:
        self.token = token
        self.client = Client(headers={"Authorization": f"Bearer {token}", **headers})

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            path, json.dumps(body if body is not None else {}), content_type="application/json"
        )

    def patch(self, path: str, body: Any = None) -> Any:
        return self.client.patch(
            path, json.dumps(body if body is not None else {}), content_type="application/json"
        )

    def delete(self, path: str, body: Any = None) -> Any:
        if body is None:
            return self.client.delete(path)
        return self.client.delete(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def api(db: Any) -> Callable[[str], ApiClient]:
    """An API client acting as one of the demo personas (coordinator, caseworker.sa, viewer, …)."""

    def as_persona(username: str) -> ApiClient:
        return ApiClient(token_for(username))

    return as_persona
