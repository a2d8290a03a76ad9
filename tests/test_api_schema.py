"""A schema-driven run against the API: schemathesis calls every operation of the OpenAPI document with
generated values, valid and invalid, as a coordinator (who may write most kinds) and as a viewer (who may
only read figures), and no call may end in a server error.

The app runs in-process (WSGI), so nothing leaves the machine. Examples are few and derandomised so that the
run stays short and the same on every machine; for a deeper search set NEXTSTEPS_SCHEMA_EXAMPLES (e.g. 50)
and NEXTSTEPS_SCHEMA_RANDOM=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from nextsteps.accounts import access
from nextsteps.accounts.models import User
from tests.apiclient import token_for
from tests.test_access_matrix import OBJECTS

EXAMPLES = int(os.environ.get("NEXTSTEPS_SCHEMA_EXAMPLES", "3"))
RANDOM = os.environ.get("NEXTSTEPS_SCHEMA_RANDOM") == "1"


def run(strategy: Any, headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    call()


@pytest.fixture
def in_process_app(db: Any) -> Iterator[WSGIHandler]:
    """The WSGI app, keeping the test's database connection open between requests as Django's test
    client does: closing it would end the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["coordinator", "viewer"])
def test_no_generated_call_ends_in_a_server_error(persona: str, in_process_app: WSGIHandler) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_app)
    headers = {"Authorization": f"Bearer {token_for(persona)}"}
    user = User.objects.get(username=persona)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) > 60
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run(operation.as_strategy(generation_mode=mode), headers)
        kind = operation.definition.raw["operationId"].split("_", 1)[-1]
        if operation.method == "patch" and access.can(user, kind, access.CHANGE):
            # Random ids name no record: these changes reach one the persona may change, and its form.
            record = OBJECTS[kind]()
            if access.scoped(user, kind, access.CHANGE).filter(pk=record.pk).exists():
                run(operation.as_strategy(path_parameters={"record_id": record.pk}), headers)
