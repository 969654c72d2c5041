"""The event store appends in commit order: a reader following notification ids never passes
over an id whose transaction commits later."""

from __future__ import annotations

import threading
import uuid

import psycopg

from commands.messages import RegisterDataSource
from domain.meta import EventMeta
from infra.event_recorder import INSERT_FUNCTION
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store

META: EventMeta = {"actor": "test", "correlation_id": "c", "causation_id": "c"}


def test_an_append_waits_for_an_earlier_uncommitted_one_and_gets_a_higher_id(
    database: str,
) -> None:
    app = open_event_store(database, AesGcmSecretBox("k"))
    try:
        with psycopg.connect(database) as slow:
            row = slow.execute(
                f"SELECT * FROM {INSERT_FUNCTION}(%s, %s, %s, %s)",
                ([uuid.uuid4()], [1], ["test:Slow"], [b"{}"]),
            ).fetchone()
            assert row is not None
            first_id = row[0]
            receipts = []
            writer = threading.Thread(
                target=lambda: receipts.append(
                    app.register(
                        RegisterDataSource(
                            name="later", kind="sqlite", connection={"path": "/srv/data/x.db"}
                        ),
                        META,
                    )
                )
            )
            writer.start()
            writer.join(timeout=1.0)
            assert writer.is_alive(), "an append went ahead of an uncommitted earlier one"
            slow.commit()
        writer.join(timeout=10)
        assert len(receipts) == 1
        assert receipts[0].position > first_id
    finally:
        app.close()
