"""The event store's recorder: one round trip per append, still in commit order.

eventsourcing's default PostgreSQL insert pipelines six statements (lock timeout, table lock,
NOTIFY, INSERT, sync, commit), and its optional database function drops the table lock, which
lets a reader of the notification log pass over an id that commits later. This recorder calls
a function of our own that does all of it, lock included, in one statement, and sends the
events as four arrays in binary format (no text escaping of the state bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

INSERT_FUNCTION = "datawave_insert_events"


class OrderedInsertRecorder(PostgresApplicationRecorder):
    """Appends through `datawave_insert_events(...)`: lock, notify, insert, return ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = Identifier(self.datastore.schema)
        function = Identifier(INSERT_FUNCTION)
        self._insert = SQL("SELECT * FROM {0}.{1}(%b, %b, %b, %b)").format(schema, function)
        # The EXCLUSIVE lock makes commit order equal id order: concurrent appends queue on it
        # (see PostgresApplicationRecorder._lock_table); readers are not blocked.
        self.sql_create_statements[self.create_insert_function_statement_index] = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}("
            "ids uuid[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN "
            "SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) "
            "RETURNING notification_id; "
            "END; $BODY$"
        ).format(
            schema=schema,
            function=function,
            lock_timeout=self.datastore.lock_timeout,
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **_: Any) -> Sequence[int]:
        if not stored_events:  # nothing to append: take no lock, wake no listener
            return []
        columns = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor(binary=True) as curs:
            curs.execute(self._insert, columns, prepare=True)
            return [row[INSERT_FUNCTION] for row in curs.fetchall()]
