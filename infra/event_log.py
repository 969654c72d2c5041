"""Reads the event store's notification log as public envelopes, for the relay and gap filling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from infra.envelope import edge_command, to_envelope
from infra.postgres import EVENTS_TABLE


@dataclass(frozen=True)
class LoggedEvent:
    """One notification: its position, aggregate id, envelope (None when internal) and the
    edge agent's job it asks for, if any."""

    position: int
    aggregate_id: str
    envelope: dict[str, Any] | None
    edge_command: dict[str, Any] | None = None


class EventLog:
    """The notification log of one application, decoded with that application's mapper."""

    def __init__(self, app: Application[Any], dsn: str) -> None:
        self.app = app
        self.dsn = dsn

    @property
    def channel(self) -> str:
        """Where the event store sends a NOTIFY as each append commits."""
        return str(self.app.recorder.channel_name)  # type: ignore[attr-defined]

    def read(self, after: int, limit: int) -> list[LoggedEvent]:
        """Up to `limit` notifications with positions above `after`, in order."""
        notifications = self.app.recorder.select_notifications(start=after + 1, limit=limit)
        return [self._logged(n) for n in notifications]

    def last_position(self) -> int:
        """The position of the newest event (0 for an empty store)."""
        return self.app.recorder.max_notification_id() or 0

    def aggregate_events(
        self, aggregate_id: UUID, after_version: int, before_version: int
    ) -> list[dict[str, Any]]:
        """The public envelopes of one aggregate strictly between two versions (a gap)."""
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute(
                f"SELECT notification_id, originator_id, originator_version, topic, state "  # noqa: S608 - fixed table name
                f"FROM {EVENTS_TABLE} WHERE originator_id = %s "
                "AND originator_version > %s AND originator_version < %s "
                "ORDER BY originator_version",
                (aggregate_id, after_version, before_version),
            ).fetchall()
        logged = [
            self._logged(
                Notification(
                    id=r[0],
                    originator_id=r[1],
                    originator_version=r[2],
                    topic=r[3],
                    state=bytes(r[4]),
                )
            )
            for r in rows
        ]
        return [item.envelope for item in logged if item.envelope is not None]

    def _logged(self, notification: Notification) -> LoggedEvent:
        event = self.app.mapper.to_domain_event(notification)
        return LoggedEvent(
            position=notification.id,
            aggregate_id=str(notification.originator_id),
            envelope=to_envelope(event, notification.id),
            edge_command=edge_command(event, notification.id),
        )
