"""Files the app creates are for its own user only: the database, uploads, exports, the key file.

The process umask is set once, first thing, by the `nextsteps` command (manage.py) and the WSGI application
(wsgi.py): every file created afterwards, by this code, Django or SQLite (the database, its write-ahead log),
is then 0600 and every folder 0700, without each place that writes having to remember. Files that exist
already keep their permissions: the system check privacy.W003 (checks.py) warns about those that others can
read, rather than changing them behind the administrator's back.

This module imports nothing of Django: it runs before the settings are read (they create the data folder).
"""

from __future__ import annotations

import os

# No permission at all for the group and others.
PRIVATE = 0o077


def keep_new_files_private() -> None:
    """Add PRIVATE to the process umask (a stricter one set by the administrator stays)."""
    os.umask(os.umask(PRIVATE) | PRIVATE)
