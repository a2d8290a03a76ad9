"""nextsteps api-token: make, list and revoke API tokens for users, as an administrator."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.accounts.models import User
from nextsteps.api import actions
from nextsteps.api.models import ApiToken


class Command(BaseCommand):
    help = (
        "Make, list or revoke API tokens. `api-token create USER --name NAME` prints a new token for USER "
        "once (only its hash is stored); `api-token list [USER]` shows tokens by their first characters; "
        "`api-token revoke PREFIX` stops the token that starts with PREFIX from working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = commands.add_parser("create", help="make a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for, e.g. the program using it")
        listing = commands.add_parser("list", help="list tokens, of one user or of everyone")
        listing.add_argument("username", nargs="?")
        revoke = commands.add_parser("revoke", help="revoke a token, named by its first characters")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self.create(_user(options["username"]), options["name"])
        elif action == "list":
            self.list(options["username"])
        else:
            self.revoke(options["prefix"])

    def create(self, user: User, name: str) -> None:
        try:
            record, token = actions.issue_token(user, name=name, acting_user=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        # The token alone on standard output, so that a script can capture it; the note goes to stderr.
        self.stdout.write(token)
        self.stderr.write(
            _("Token “%(name)s” made for %(username)s. It is shown only this once: store it now.")
            % {"name": record.name, "username": user.get_username()}
        )

    def list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user=_user(username))
        for token in tokens:
            if token.revoked:
                status = _("revoked on %(date)s") % {"date": f"{token.revoked:%Y-%m-%d}"}
            elif token.last_used:
                status = _("last used on %(date)s") % {"date": f"{token.last_used:%Y-%m-%d}"}
            else:
                status = _("never used")
            self.stdout.write(f"{token.prefix}…\t{token.user.get_username()}\t{token.name}\t{status}")

    def revoke(self, prefix: str) -> None:
        prefix = prefix.rstrip("…. ")
        matches = list(ApiToken.objects.filter(prefix__startswith=prefix)) if prefix else []
        if not matches:
            raise CommandError(_("No token starts with “%(prefix)s”.") % {"prefix": prefix})
        if len(matches) > 1:
            raise CommandError(
                _("Several tokens start with “%(prefix)s”; give more of the token.") % {"prefix": prefix}
            )
        token = actions.revoke_token(matches[0], acting_user=None)
        self.stderr.write(
            _("The token “%(name)s” of %(username)s was revoked.")
            % {"name": token.name, "username": token.user.get_username()}
        )


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(_("There is no user “%(username)s”.") % {"username": username}) from None
