"""The `nextsteps` command: Django's manage.py, installed as a console script."""

import os
import sys

from nextsteps.privacy.permissions import keep_new_files_private


def main() -> None:
    keep_new_files_private()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextsteps.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting that is wrong (DATABASE_URL, SECRET_KEY) is the administrator's to fix: one line that
        # says which and how, not a traceback through Django's start-up.
        sys.stderr.write(f"ImproperlyConfigured: {error}\n")
        sys.exit(1)
    except OperationalError as error:
        # Another command or the web app held the write lock for longer than the busy timeout: one line in
        # the user's language; the command's transaction was rolled back.
        from nextsteps import busy

        if not busy.is_busy(error):
            raise
        sys.stderr.write(f"{busy.command_message(sys.argv)}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
