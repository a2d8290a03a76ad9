"""Issuing, revoking and checking API tokens. Like every write, issuing and revoking are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nextsteps.accounts.models import Membership, User
from nextsteps.api.models import ApiToken
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry

# A recognisable start lets secret scanners and people spot a Next Steps token pasted where it should not be.
TOKEN_START = "nst_"
PREFIX_LENGTH = len(TOKEN_START) + 8
# Writing "last used" on every request would turn each read into a write; a few minutes is precise enough.
LAST_USED_PRECISION = dt.timedelta(minutes=5)
# Longer values cannot be tokens we issued; hashing them would only cost time.
MAX_TOKEN_LENGTH = 200


def digest(token: str) -> str:
    # A token is 256 random bits, so a fast hash is safe here: there is nothing to guess by brute force.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def issue_token(user: User, *, name: str, acting_user: Any) -> tuple[ApiToken, str]:
    """A new token for `user`: the record and the token itself, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the program that will use it.")})
    if not user.is_active:
        raise ValidationError(_("The user %(username)s is not active.") % {"username": user.get_username()})
    token = TOKEN_START + secrets.token_urlsafe(32)
    record = ApiToken(user=user, name=name, prefix=token[:PREFIX_LENGTH], digest=digest(token))
    record.full_clean()
    record.save()
    audit(AuditEntry.Action.CREATE, record, acting_user=acting_user, fields=["user", "name", "prefix"])
    return record, token


@transaction.atomic
def revoke_token(record: ApiToken, *, acting_user: Any) -> ApiToken:
    """Stop a token from working, for good. The record stays, so that people can see what it was."""
    if record.revoked is None:
        record.revoked = timezone.now()
        record.save(update_fields=["revoked"])
        audit(AuditEntry.Action.CHANGE, record, acting_user=acting_user, fields=["revoked"])
    return record


def audit(action: str, record: ApiToken, *, acting_user: Any, fields: list[str]) -> None:
    """One entry in each organisation whose records the token can reach, so that the audit trail of each
    shows it to its administrators and data-protection officers (an entry without one is shown to nobody)."""
    organisations: list[Any] = sorted(
        {
            ms.organisation
            for ms in Membership.objects.filter(user=record.user).select_related("organisation")
        },
        key=lambda organisation: organisation.pk,
    )
    for organisation in organisations or [None]:
        log(action, record, user=acting_user, organisation=organisation, fields=fields)


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None when the token is unknown, revoked or its user inactive."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(TOKEN_START):
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used is None or now - record.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used=now)
    return record.user
