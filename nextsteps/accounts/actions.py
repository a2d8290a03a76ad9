"""Every change to users and their roles goes through these functions: atomic, with the acting user, audited.

The Team page (nextsteps/accounts/team.py) and `nextsteps user` call them. `acting_user` is None only for an
operator on the server (the command line), who may act in every organisation; an administrator acts only in
the organisations they administer. Two rules keep an organisation manageable: its last active administrator
cannot lose the role or be deactivated, and whatever affects a whole account (deactivation, a new second
factor) needs an administrator of every organisation the account works for.

Operators (the Django admin's staff accounts) hold no role in any organisation (see accounts/models.py):
they are made with `nextsteps user add NAME --operator` (create_operator), and no action gives them a role
or lets an organisation's administrator manage them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts import access
from nextsteps.accounts.models import OPERATOR_WITH_ROLES, Membership, Role, User
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation


def administered(acting_user: Any) -> set[int] | None:
    """Ids of the organisations the acting user manages users of; None for the system (every one)."""
    if acting_user is None:
        return None
    return set(access.capability_organisations(acting_user, access.USERS))


def _require_administers(acting_user: Any, organisation: Organisation) -> None:
    orgs = administered(acting_user)
    if orgs is not None and organisation.pk not in orgs:
        raise ValidationError(
            _("You do not administer %(organisation)s.") % {"organisation": organisation.name}
        )


def _require_whole_account(acting_user: Any, user: User) -> None:
    orgs = administered(acting_user)
    if orgs is None:
        return
    if user.is_operator:
        raise ValidationError(
            _("%(user)s is an operator account: only an operator on the server manages it.")
            % {"user": user.username}
        )
    others = Organisation.objects.filter(memberships__user=user).exclude(pk__in=orgs).distinct()
    if others.exists():
        raise ValidationError(
            _(
                "%(user)s also works for organisations you do not administer (%(organisations)s): ask an "
                "administrator of each, or remove their roles in your organisation instead."
            )
            % {"user": user.username, "organisations": ", ".join(o.name for o in others)}
        )


def _require_another_administrator(user: User, organisations: Iterable[Organisation]) -> None:
    """Refuse when `user` is the last active administrator of one of these organisations."""
    for organisation in organisations:
        others = (
            Membership.objects.filter(
                organisation=organisation, role=Role.ADMINISTRATOR, user__is_active=True
            )
            .exclude(user=user)
            .exists()
        )
        if not others:
            raise ValidationError(
                _(
                    "%(user)s is the last administrator of %(organisation)s: give another person the "
                    "administrator role first."
                )
                % {"user": user.username, "organisation": organisation.name}
            )


def generate_password() -> str:
    """A one-time initial password: long and random enough for every password validator."""
    return secrets.token_urlsafe(12)


def _new_account(
    username: str,
    language: str,
    password: str,
    *,
    operator: bool = False,
    details: dict[str, str] | None = None,
) -> User:
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("That user name is taken; choose another.")})
    # The password is one-time: whoever set it knows it, so its owner replaces it at the first sign-in.
    user = User(
        username=username,
        language=language,
        is_active=True,
        is_staff=operator,
        is_superuser=operator,
        must_change_password=True,
        # Given and family name, e-mail address: optional; the navigation shows the name when there is one.
        **{field: value.strip() for field, value in (details or {}).items()},
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def create_user(
    *,
    acting_user: Any,
    organisation: Organisation,
    username: str,
    language: str,
    roles: Iterable[str],
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A new account working for `organisation` in the given roles, with an initial password."""
    _require_administers(acting_user, organisation)
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": _("Give the new user at least one role.")})
    details = {"first_name": first_name, "last_name": last_name, "email": email}
    user = _new_account(username, language, password, details=details)
    log(
        AuditEntry.Action.CREATE,
        user,
        user=acting_user,
        organisation=organisation,
        fields=["username", "language", "password", *(name for name, value in details.items() if value)],
    )
    for role in roles:
        add_role(acting_user=acting_user, user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def change_user_details(
    *, acting_user: Any, user: User, first_name: str, last_name: str, email: str
) -> list[str]:
    """Correct a member's given and family name and e-mail address: the account's own, so only someone who
    administers every organisation the member works for (like deactivating). Returns the changed fields."""
    _require_whole_account(acting_user, user)
    details = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email.strip()}
    changed = [name for name, value in details.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, details[name])
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
        log(AuditEntry.Action.CHANGE, user, user=acting_user, fields=changed)
    return changed


@transaction.atomic
def create_operator(*, acting_user: Any, username: str, language: str, password: str) -> User:
    """A new operator: staff and superuser for the Django admin, with no role in any organisation. Only an
    operator on the server (acting_user None) makes one: an administrator of an organisation never does."""
    if acting_user is not None:
        raise ValidationError(_("Only an operator on the server can make an operator account."))
    user = _new_account(username, language, password, operator=True)
    log(
        AuditEntry.Action.CREATE,
        user,
        user=acting_user,
        fields=["username", "language", "password", "is_staff", "is_superuser"],
    )
    return user


@transaction.atomic
def add_role(*, acting_user: Any, user: User, organisation: Organisation, role: str) -> Membership:
    _require_administers(acting_user, organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if user.is_operator:
        raise ValidationError({"role": OPERATOR_WITH_ROLES})
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if not created:
        raise ValidationError(
            {
                "role": _("%(user)s is already %(role)s at %(organisation)s.")
                % {"user": user.username, "role": Role(role).label, "organisation": organisation.name}
            }
        )
    log(
        AuditEntry.Action.CREATE,
        membership,
        user=acting_user,
        organisation=organisation,
        fields=["user", "organisation", "role"],
    )
    access.forget_kept(user)
    return membership


@transaction.atomic
def remove_role(*, acting_user: Any, user: User, organisation: Organisation, role: str) -> None:
    _require_administers(acting_user, organisation)
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is None:
        raise ValidationError(
            _("%(user)s is not %(role)s at %(organisation)s.")
            % {
                "user": user.username,
                "role": Role(role).label if role in Role.values else role,
                "organisation": organisation.name,
            }
        )
    if role == Role.ADMINISTRATOR and user.is_active:
        _require_another_administrator(user, [organisation])
    log(AuditEntry.Action.DELETE, membership, user=acting_user, organisation=organisation)
    membership.delete()
    access.forget_kept(user)


@transaction.atomic
def set_active(*, acting_user: Any, user: User, active: bool) -> None:
    """Deactivate (no sign-in, sessions end) or reactivate an account; its roles stay as they are."""
    _require_whole_account(acting_user, user)
    if user.is_active == active:
        return
    if not active:
        _require_another_administrator(
            user,
            Organisation.objects.filter(
                memberships__user=user, memberships__role=Role.ADMINISTRATOR
            ).distinct(),
        )
    user.is_active = active
    user.save(update_fields=["is_active"])
    _log_account_change(acting_user, user, ["is_active"])


@transaction.atomic
def reset_second_factor(*, acting_user: Any, user: User) -> None:
    """Remove the user's authenticators and recovery codes: at the next sign-in they enrol again."""
    _require_whole_account(acting_user, user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _log_account_change(acting_user, user, ["second_factor"])


@transaction.atomic
def change_password(*, acting_user: Any, user: User, password: str) -> None:
    """A user's new password (their own, from the password page): validated, stored hashed, audited."""
    if acting_user is None or acting_user.pk != user.pk:
        _require_whole_account(acting_user, user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _log_account_change(acting_user, user, ["password"])


def _log_account_change(acting_user: Any, user: User, fields: list[str]) -> None:
    """One entry per organisation the account works for, so that each one's trail shows it; one without
    an organisation for an operator, who works for none."""
    organisations: list[Organisation | None] = list(
        Organisation.objects.filter(memberships__user=user).distinct().order_by("pk")
    )
    for organisation in organisations or [None]:
        log(AuditEntry.Action.CHANGE, user, user=acting_user, organisation=organisation, fields=fields)
