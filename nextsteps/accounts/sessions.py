"""Django's database sessions (SESSION_ENGINE), with the one read every request makes written out in SQL."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Every request of a signed-in user reads its session first. Through the ORM that one lookup by key cost
    each page about 5% of its CPU (building and compiling the query); the statement below is the same
    lookup (the key, and an expiry date still to come), with the table and column names from the model.
    Everything else (saving, creating, deleting, clearing expired sessions) is Django's."""

    def _get_session_from_db(self) -> Any:
        model, key = self.model, self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(model)]
        quote, fields = connection.ops.quote_name, model._meta
        sql = (
            f"SELECT {quote(fields.get_field('session_data').column)} FROM {quote(fields.db_table)} "
            f"WHERE {quote(fields.get_field('session_key').column)} = %s "
            f"AND {quote(fields.get_field('expire_date').column)} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            # As Django's own store does: an unknown or expired key is forgotten, and a new one is made on save.
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
