"""nextsteps user add|role|deactivate|reactivate|reset-2fa: managing accounts on the server, through the same
actions (and rules, and audit trail) as the Team page. `user add NAME --operator` makes an operator, the
only kind of account that reaches the Django admin (and that holds no role in any organisation)."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.accounts import actions
from nextsteps.accounts.models import Role, User
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.privacy.cli import add_language_argument, language
from nextsteps.programmes.models import Organisation

PASSWORD_VARIABLE = "NEXTSTEPS_NEW_PASSWORD"


class Command(BaseCommand):
    help = (
        "Manage accounts. `user add NAME --organisation SLUG --role ROLE` makes an account and prints its "
        "one-time initial password (or takes it from NEXTSTEPS_NEW_PASSWORD); `user add NAME --operator` makes an "
        "operator for the Django admin, with no role in any organisation; `user role NAME --organisation "
        "SLUG --add ROLE | --remove ROLE`; `user deactivate NAME`, `user reactivate NAME`; `user reset-2fa "
        "NAME` removes the authenticator so that the user links one again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{add,role,deactivate,reactivate,reset-2fa}"
        )
        add = sub.add_parser("add", help="a new account with roles in one organisation")
        role = sub.add_parser("role", help="give or take away a role")
        parsers = [add, role]
        for name, text in [
            ("deactivate", "the account can no longer sign in"),
            ("reactivate", "the account can sign in again"),
            ("reset-2fa", "remove the authenticator and recovery codes"),
        ]:
            parsers.append(sub.add_parser(name, help=text))
        for p in parsers:
            p.add_argument("username")
            add_language_argument(p)
        roles = ", ".join(Role.values)
        add.add_argument("--organisation", help="slug of the organisation")
        role.add_argument("--organisation", required=True, help="slug of the organisation")
        add.add_argument(
            "--operator",
            action="store_true",
            help="an operator of the Django admin, with no organisation and no role",
        )
        add.add_argument("--role", action="append", default=[], help=f"one of {roles}; repeat for more")
        add.add_argument("--user-language", default="en", help="language the user sees: nl, en or ro")
        add.add_argument("--first-name", default="", help="the user's given name (optional)")
        add.add_argument("--last-name", default="", help="the user's family name (optional)")
        add.add_argument("--email", default="", help="the user's e-mail address (optional)")
        change = role.add_mutually_exclusive_group(required=True)
        change.add_argument("--add", dest="give", help=f"role to give: {roles}")
        change.add_argument("--remove", dest="take", help="role to take away")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options["lang"])):
            try:
                getattr(self, options["action"].replace("-", "_"))(**options)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None

    def add(self, **options: Any) -> None:
        if options["user_language"] not in LANGUAGE_CODES:
            raise CommandError(
                _("Unknown language “%(lang)s”; choose nl, en or ro.") % {"lang": options["user_language"]}
            )
        for role in options["role"]:
            self._check_role(role)
        if options["operator"] and (options["organisation"] or options["role"]):
            raise CommandError(
                _("An operator holds no role in an organisation: leave out --organisation and --role.")
            )
        if not options["operator"] and not options["organisation"]:
            raise CommandError(_("Say which organisation the user works for with --organisation."))
        chosen = os.environ.get(PASSWORD_VARIABLE, "")
        password = chosen or actions.generate_password()
        if options["operator"]:
            user = actions.create_operator(
                acting_user=None,
                username=options["username"],
                language=options["user_language"],
                password=password,
            )
        else:
            user = actions.create_user(
                acting_user=None,
                organisation=self._organisation(options["organisation"]),
                username=options["username"],
                language=options["user_language"],
                roles=options["role"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        self.stderr.write(_("%(user)s was added.") % {"user": user.username})
        if not chosen:
            self.stderr.write(_("Initial password, shown only this once:"))
            self.stdout.write(password)

    def role(self, **options: Any) -> None:
        user, organisation = self._user(options["username"]), self._organisation(options["organisation"])
        if options["give"]:
            self._check_role(options["give"])
            actions.add_role(acting_user=None, user=user, organisation=organisation, role=options["give"])
            self.stderr.write(_("The role was given."))
        else:
            actions.remove_role(acting_user=None, user=user, organisation=organisation, role=options["take"])
            self.stderr.write(_("The role was taken away."))

    def deactivate(self, **options: Any) -> None:
        user = self._user(options["username"])
        actions.set_active(acting_user=None, user=user, active=False)
        self.stderr.write(_("%(user)s can no longer sign in.") % {"user": user.username})

    def reactivate(self, **options: Any) -> None:
        user = self._user(options["username"])
        actions.set_active(acting_user=None, user=user, active=True)
        self.stderr.write(_("%(user)s can sign in again.") % {"user": user.username})

    def reset_2fa(self, **options: Any) -> None:
        user = self._user(options["username"])
        actions.reset_second_factor(acting_user=None, user=user)
        self.stderr.write(
            _("%(user)s links an authenticator app again at the next sign-in.") % {"user": user.username}
        )

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user “%(user)s”.") % {"user": username})
        return user

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(_("There is no organisation “%(slug)s”.") % {"slug": slug})
        return organisation

    def _check_role(self, role: str) -> None:
        if role not in Role.values:
            raise CommandError(
                _("Unknown role “%(role)s”; choose one of %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            )
