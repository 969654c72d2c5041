"""The event store for the composition root: the sources application on PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Recording

from commands.data_sources import DataSources
from commands.secrets import SecretBox
from infra.group_commit import GroupCommitRecorder
from infra.metrics import EVENTS_APPENDED
from infra.postgres import eventsourcing_env, schema_lock


class MeasuredDataSources(DataSources):
    """DataSources that counts what it appends, for /metrics."""

    name = DataSources.name  # the events table is named after the application

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        recordings = super().save(*objs, **kwargs)
        EVENTS_APPENDED.inc(len(recordings))
        return recordings


class PostgresDataSources(MeasuredDataSources):
    """DataSources on PostgreSQL, with concurrent saves grouped into shared transactions."""

    name = DataSources.name

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        return GroupCommitRecorder(recorder)  # type: ignore[return-value]


def open_event_store(
    dsn: str,
    secret_box: SecretBox,
    *,
    group_commit: bool = True,
    file_roots: tuple[str, ...] = (),
) -> DataSources:
    """The application on the event store at `dsn`, creating its table if needed."""
    cls = PostgresDataSources if group_commit else MeasuredDataSources
    with schema_lock(dsn):
        return cls(secret_box, env=eventsourcing_env(dsn), file_roots=file_roots)
