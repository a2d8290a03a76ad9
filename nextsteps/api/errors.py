"""Every error the API answers with is JSON with a message in the user's language.

The shape is the same everywhere: `{"message": "…"}`, plus `"errors": {"field": ["…"]}` when some values
were not valid (422). Records the user may not see do not exist for them (404), as in the web app.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from nextsteps import busy


class Error(Schema):
    message: str
    errors: dict[str, list[str]] | None = None


class ApiError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message, self.errors = message, errors


class BadRequest(ApiError):
    status = 400


class InvalidInput(ApiError):
    status = 422


class Conflict(ApiError):
    status = 409


def invalid(errors: dict[str, list[str]], message: str | None = None) -> InvalidInput:
    return InvalidInput(message or _("Nothing was saved: some values are not valid."), errors)


def from_django(error: DjangoValidationError) -> dict[str, list[str]]:
    """A model's validation error as field errors; errors about the record as a whole go under "__all__"."""
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def not_found_message() -> str:
    return _("There is no such record or page, or you may not see it.")


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        # No token user, so no chosen language: the browser's or client's Accept-Language decides, not the
        # language of whoever's session cookie came along (sessions do not count in the API).
        translation.activate(translation.get_language_from_request(request))
        response = respond(
            request,
            401,
            {"message": _("Send a valid API token in the header “Authorization: Bearer TOKEN”.")},
        )
        response["WWW-Authenticate"] = 'Bearer realm="Next Steps"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, {"message": not_found_message()})

    @api.exception_handler(NinjaValidationError)
    def invalid_path(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        # Query strings and bodies are validated by Django forms (translated messages, below); only path
        # parameters reach here, and a path with a malformed id names nothing that exists.
        return respond(request, 404, {"message": not_found_message()})

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body: dict[str, Any] = {"message": exc.message}
        if exc.errors is not None:
            body["errors"] = exc.errors
        return respond(request, exc.status, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Raised by ninja itself, e.g. for a body it cannot read; its text is English, so ours replaces it.
        message = _("The request could not be read.") if exc.status_code < 500 else str(exc)
        return respond(request, exc.status_code, {"message": message})

    @api.exception_handler(OperationalError)
    def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        # ninja answers its operations' exceptions itself, before the web app's BusyMiddleware could.
        if not busy.is_busy(exc):
            raise exc
        response = respond(request, 503, {"message": busy.message()})
        response["Retry-After"] = str(busy.RETRY_AFTER)
        return response
