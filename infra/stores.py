"""The event store for the composition root: each context's application on PostgreSQL."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import ApplicationRecorder, Recording

from commands.catalog import Catalog
from commands.compliance import Compliance
from commands.data_sources import DataSources
from commands.rule_sets import RuleSets
from commands.scans import ScanWorkflows
from commands.secrets import SecretBox
from domain.scans import RetryPolicy
from infra.group_commit import GroupCommitRecorder
from infra.metrics import EVENTS_APPENDED
from infra.postgres import eventsourcing_env, schema_lock

App = TypeVar("App", bound=Application[UUID])


class Measured(Application[UUID]):
    """Counts what it appends, for /metrics; collects aggregates' events without the library's
    runtime Protocol checks."""

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Application.save of eventsourcing 9.5.6 (pinned), but an aggregate's events are taken
        directly: ProcessingEvent.collect_events asks `isinstance(obj, <runtime Protocol>)` twice
        per object, which on Python 3.11 walks the protocol's attributes every time: a quarter
        of a registration's CPU (measured: `python -m bench append`, no-database row)."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, BaseAggregate):
                processing.events.extend(obj.collect_events())
                processing.aggregates[obj.id] = obj
            else:  # a bare event, or None
                processing.collect_events(obj)
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        EVENTS_APPENDED.inc(len(recordings))
        return recordings


class GroupCommitted(Measured):
    """Concurrent saves grouped into shared transactions (ADR 1)."""

    def construct_recorder(self) -> ApplicationRecorder:
        return GroupCommitRecorder(super().construct_recorder())  # type: ignore[return-value]


class MeasuredDataSources(Measured, DataSources):
    name = DataSources.name  # the events table is named after the application


class PostgresDataSources(GroupCommitted, DataSources):
    name = DataSources.name


class MeasuredCatalog(Measured, Catalog):
    name = Catalog.name


class PostgresCatalog(GroupCommitted, Catalog):
    name = Catalog.name


def open_event_store(
    dsn: str,
    secret_box: SecretBox,
    *,
    group_commit: bool = True,
    file_roots: tuple[str, ...] = (),
) -> DataSources:
    """The sources application on the event store at `dsn`, creating its table if needed."""
    cls = PostgresDataSources if group_commit else MeasuredDataSources
    with schema_lock(dsn):
        return cls(secret_box, env=eventsourcing_env(dsn), file_roots=file_roots)


class MeasuredRuleSets(Measured, RuleSets):
    name = RuleSets.name


def open_rule_sets(dsn: str) -> RuleSets:
    """The classification rule sets on the same event store (a few edits a day: no group
    commit)."""
    with schema_lock(dsn):
        return MeasuredRuleSets(env=eventsourcing_env(dsn))


def open_catalog(dsn: str, *, group_commit: bool = True) -> Catalog:
    """The catalog application on the same event store."""
    cls = PostgresCatalog if group_commit else MeasuredCatalog
    with schema_lock(dsn):
        return cls(env=eventsourcing_env(dsn))


class MeasuredScanWorkflows(Measured, ScanWorkflows):
    name = ScanWorkflows.name


class MeasuredCompliance(Measured, Compliance):
    name = Compliance.name


def open_scans(dsn: str, retry: RetryPolicy) -> ScanWorkflows:
    """The scan workflows on the same event store."""
    with schema_lock(dsn):
        return MeasuredScanWorkflows(retry, env=eventsourcing_env(dsn))


def open_compliance(dsn: str) -> Compliance:
    """Policies and findings on the same event store."""
    with schema_lock(dsn):
        return MeasuredCompliance(env=eventsourcing_env(dsn))
