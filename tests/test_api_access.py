"""Every operation of the JSON API, for every demo persona: who gets an answer and who gets 404.

The API follows the web app's rules, so for records the hand-written web matrix (tests/test_access_matrix.py)
is the specification here too: whoever may open a record page may call the matching operation, everyone else
gets 404. The other operations are written out below. An operation added to the API without a row fails
`test_every_operation_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from nextsteps.api.v1 import api as ninja_api
from nextsteps.records.kinds import KINDS
from tests.apiclient import ApiClient
from tests.test_access_matrix import (
    ALLOWED,
    CASEWORK_OBJECTS,
    EVERYONE,
    OBJECTS,
    PERSONAS,
    ijm_goal,
    referral,
)

# API operation verb -> the web page whose row of the web matrix it follows.
WEB_PAGE = {"list": "list", "create": "create", "get": "detail", "change": "edit", "delete": "delete"}
OTHERS: dict[str, set[str]] = {
    "me": EVERYONE,
    "list_programmes": EVERYONE,
    "programme_indicators": EVERYONE,  # every role may read reports; viewers get the external figures
    "programme_report": EVERYONE,
    "list_service_types": EVERYONE,
    "list_outcome_types": EVERYONE,
    "list_activity_types": EVERYONE,
    "list_site_types": EVERYONE,
    "list_participant_groups": EVERYONE,
    "list_external_organisations": EVERYONE,
    "list_exploitation_types": EVERYONE,
    "list_labour_sectors": EVERYONE,
    "list_recruitment_methods": EVERYONE,
    "list_recruiter_relationships": EVERYONE,
    "list_means_of_control": EVERYONE,
    "list_referral_sources": EVERYONE,
    # a case's identification: as its web pages (IJM's case)
    "read_case_identification": ALLOWED["identification:case"],
    "change_case_identification": ALLOWED["identification:case-edit"],
    # a case's file: as its web pages (IJM's case and its goal, planned action and follow-up)
    **{
        f"{verb}_case_{name}": ALLOWED["casework:case"]
        for verb, name in [
            ("list", "assessments"),
            ("list", "goals"),
            ("list", "follow_ups"),
            ("list", "notes"),
        ]
    },
    **{
        f"{verb}_case_{name}": ALLOWED["casework:note-add"]
        for verb, name in (
            ("create", "assessment"),
            ("create", "goal"),
            ("change", "goal"),
            ("create", "planned_action"),
            ("change", "planned_action"),
            ("create", "follow_up"),
            ("change", "follow_up"),
            ("create", "note"),
        )
    },
    # referrals: as their web pages (a referral from the Dutch office to IJM; referring IJM's case)
    "list_referrals": ALLOWED["referrals:index"],
    "read_referral": ALLOWED["referrals:detail"],
    "send_referral": ALLOWED["referrals:refer"],
    "accept_referral": ALLOWED["referrals:accept"],
    "decline_referral": ALLOWED["referrals:decline"],
    "withdraw_referral": ALLOWED["referrals:withdraw"],
    "complete_referral": ALLOWED["referrals:complete"],
}
# The records of IJM's case that a case-file operation's path names.
CASE_FILE_IDS = {
    "{goal_id}": lambda: ijm_goal().pk,
    "{action_id}": lambda: CASEWORK_OBJECTS["casework:service-from-plan"]().pk,
    "{follow_up_id}": lambda: CASEWORK_OBJECTS["casework:follow-up-done"]().pk,
}
ALLOWED_API: dict[str, set[str]] = {
    **{
        f"{verb}_{kind}": ALLOWED[f"records:{kind}-{page}"]
        for kind in KINDS
        for verb, page in WEB_PAGE.items()
    },
    **OTHERS,
}
# What an allowed persona gets: the answer itself, except for a new record sent without any value (422
# says the operation was open to them, and nothing is saved) and deletes refused because other records
# still refer to the record (409).
ALLOWED_STATUS = {"get": {200}, "post": {422}, "patch": {200}, "delete": {204, 409}}
# Steps on a referral that ask nothing but the call itself: taken (and rolled back, see call()).
STEP_STATUS = {"accept_referral": {200}, "withdraw_referral": {200}, "complete_referral": {200}}
PERIOD = {"date_from": "2021-08-01", "date_to": "2021-08-31"}


def operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every operation in the OpenAPI document."""
    document = ninja_api.get_openapi_schema()
    return {
        operation["operationId"]: (method, path)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


OPERATIONS = operations()


def concrete(operation_id: str) -> tuple[str, str, dict[str, str]]:
    method, path = OPERATIONS[operation_id]
    params: dict[str, str] = {}
    if "{record_id}" in path:
        kind = operation_id.split("_", 1)[1]
        path = path.replace("{record_id}", str(OBJECTS[kind]().pk))
    if "{case_id}" in path:
        path = path.replace("{case_id}", str(OBJECTS["case"]().pk))
    if "{referral_id}" in path:
        path = path.replace("{referral_id}", str(referral(accepted=operation_id == "complete_referral").pk))
    for parameter, record in CASE_FILE_IDS.items():
        if parameter in path:
            path = path.replace(parameter, str(record()))
    if "{slug}" in path:
        path = path.replace("{slug}", "next-steps")
        params = PERIOD
    return method, path, params


def call(client: ApiClient | Client, method: str, path: str, params: dict[str, str]) -> int:
    """The status of one call; whatever it writes is rolled back, so that every persona meets the same data."""
    with transaction.atomic():
        if method == "get":
            status = client.get(path, params).status_code
        elif method == "delete":
            # A removal needs a reason (nextsteps/records/removal.py).
            status = client.delete(path, {"reason": "Checking who may."}).status_code
        elif isinstance(client, ApiClient):
            status = getattr(client, method)(path, {}).status_code
        else:
            status = getattr(client, method)(path, "{}", content_type="application/json").status_code
        transaction.set_rollback(True)
    return int(status)


def test_every_operation_is_in_the_matrix() -> None:
    missing = sorted(set(OPERATIONS) - set(ALLOWED_API))
    assert missing == [], f"add these API operations to the matrix: {missing}"
    assert sorted(set(ALLOWED_API) - set(OPERATIONS)) == []


@pytest.mark.parametrize("operation_id", sorted(ALLOWED_API))
def test_each_persona_gets_an_answer_or_404(operation_id: str, api: Callable[[str], ApiClient]) -> None:
    method, path, params = concrete(operation_id)
    for persona in PERSONAS:
        status = call(api(persona), method, path, params)
        allowed = STEP_STATUS.get(operation_id, ALLOWED_STATUS[method])
        expected = allowed if persona in ALLOWED_API[operation_id] else {404}
        assert status in expected, (
            f"{persona}: {method.upper()} {path} answered {status}, expected {expected}"
        )


@pytest.mark.parametrize("operation_id", sorted(ALLOWED_API))
def test_calls_without_a_token_get_401_even_when_signed_in(
    operation_id: str, login: Callable[[str], Client]
) -> None:
    method, path, params = concrete(operation_id)
    assert call(Client(), method, path, params) == 401
    # A browser session is no API credential: a page elsewhere cannot use a signed-in browser on the API.
    assert call(login("coordinator"), method, path, params) == 401


def test_the_matrix_covers_every_kind_of_record(db: Any) -> None:
    assert {op.split("_", 1)[1] for op in OPERATIONS if op.startswith("get_")} == set(KINDS)
