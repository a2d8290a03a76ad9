import sqlite3
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _lift_sqlite_variable_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Let bulk writes use SQLite's real limit on query parameters instead of Django's 999.

    Django assumes SQLite's old compile-time default and splits every bulk insert into statements of
    999 values; SQLite 3.32+ allows 32,766. Asking the library keeps an import batch one statement.
    """
    if connection.vendor != "sqlite":
        return
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = max(limit, 999)


class ImportsConfig(AppConfig):
    name = "nextsteps.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        connection_created.connect(_lift_sqlite_variable_limit, dispatch_uid="imports-sqlite-variable-limit")
