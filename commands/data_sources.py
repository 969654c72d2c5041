"""Use cases of the sources context: register, update and decommission data sources."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Recording

from commands.conflicts import retrying_on_conflict
from commands.loading import load
from commands.messages import (
    DecommissionDataSource,
    Receipt,
    RegisterDataSource,
    UpdateDataSource,
    receipt_of,
)
from commands.secrets import SecretBox
from domain.connections import split_secret
from domain.errors import VersionConflictError
from domain.meta import EventMeta
from domain.scans import SOURCE_GONE, ScanWorkflow
from domain.sources import DataSource, SourceName


class DataSources(Application[UUID]):
    """The sources application: every method loads, calls the domain, saves, returns a receipt."""

    name = "datawave"

    def __init__(
        self,
        secret_box: SecretBox,
        env: dict[str, str] | None = None,
        file_roots: tuple[str, ...] = (),
    ) -> None:
        super().__init__(env)
        self.secret_box = secret_box
        self.file_roots = file_roots

    def register(self, cmd: RegisterDataSource, meta: EventMeta) -> Receipt:
        """Register a source under a name no live source uses."""

        def attempt(first_try: bool) -> Receipt:
            split = split_secret(cmd.connection)
            source = DataSource.register(
                name=cmd.name,
                kind=cmd.kind,
                connection=split.redacted,
                sealed_secret=self._seal(split.secret),
                owner=cmd.owner,
                tags=list(cmd.tags),
                meta=meta,
                file_roots=self.file_roots,
            )
            # Most names are new: claim optimistically without reading the index; if the name
            # exists, the key conflict sends us round again, this time reading it.
            claim = (
                SourceName(name=source.name, source_id=source.id, meta=meta)
                if first_try
                else self._claim_name(source.name, source.id, meta)
            )
            return self._save_and_receipt(source, source, claim)

        return retrying_on_conflict(attempt)

    def update(self, cmd: UpdateDataSource, meta: EventMeta) -> Receipt:
        """Change a live source; a new name is claimed and the old one released atomically."""

        def attempt(_: bool) -> Receipt:
            source = self._get(cmd.data_source_id, cmd.expected_version)
            changes: dict[str, Any] = {}
            if cmd.name is not None:
                changes["name"] = cmd.name
            if cmd.owner is not None:
                changes["owner"] = cmd.owner
            if cmd.tags is not None:
                changes["tags"] = list(cmd.tags)
            if cmd.connection is not None:
                split = split_secret(cmd.connection)
                changes["connection"] = split.redacted
                # A fresh seal differs every time: seal only a secret that really changed.
                if split.secret != self._secret_of(source):
                    changes["sealed_secret"] = self._seal(split.secret)
            old_name = source.name
            source.update(changes, meta, self.file_roots)
            names: list[SourceName] = []
            if source.name.casefold() != old_name.casefold():
                names.append(self._claim_name(source.name, source.id, meta))
                names.append(self._release_name(old_name, source.id, meta))
            return self._save_and_receipt(source, source, *names)

        return retrying_on_conflict(attempt)

    def decommission(self, cmd: DecommissionDataSource, meta: EventMeta) -> Receipt:
        """Retire a source and free its name for reuse; a scan running on it fails, in the
        same transaction, so nothing more reaches the source."""

        def attempt(_: bool) -> Receipt:
            source = self._get(cmd.data_source_id, cmd.expected_version)
            source.decommission(cmd.reason, meta)
            released = self._release_name(source.name, source.id, meta)
            return self._save_and_receipt(source, source, released, *self._end_scan(source, meta))

        return retrying_on_conflict(attempt)

    def _end_scan(self, source: DataSource, meta: EventMeta) -> list[ScanWorkflow]:
        if source.active_scan is None:
            return []
        workflow: ScanWorkflow = self.repository.get(UUID(source.active_scan))
        workflow.abandon(SOURCE_GONE, datetime.now(UTC), meta)
        source.end_scan(str(workflow.id), workflow.status, meta, reason=SOURCE_GONE)
        return [workflow]

    def get_source(self, data_source_id: UUID) -> DataSource:
        """The current state, rebuilt from the event store."""
        return self._get(data_source_id, None)

    def connection_secret(self, data_source_id: UUID) -> str | None:
        """The clear-text secret, for the edge agent that connects; never for responses."""
        return self._secret_of(self._get(data_source_id, None))

    def _secret_of(self, source: DataSource) -> str | None:
        return self.secret_box.unseal(source.sealed_secret) if source.sealed_secret else None

    def _get(self, data_source_id: UUID, expected_version: int | None) -> DataSource:
        source = load(self.repository, DataSource, data_source_id, "data source")
        if expected_version is not None and source.version != expected_version:
            raise VersionConflictError(expected_version, source.version)
        return source

    def _claim_name(self, name: str, source_id: UUID, meta: EventMeta) -> SourceName:
        name_id = SourceName.create_id(name)
        try:
            index: SourceName = self.repository.get(name_id)
        except AggregateNotFoundError:
            return SourceName(name=name, source_id=source_id, meta=meta)
        index.claim(source_id, meta)
        return index

    def _release_name(self, name: str, source_id: UUID, meta: EventMeta) -> SourceName:
        index: SourceName = self.repository.get(SourceName.create_id(name))
        index.release(source_id, meta)
        return index

    def _seal(self, secret: str | None) -> str | None:
        return self.secret_box.seal(secret) if secret else None

    def _save_and_receipt(self, subject: DataSource, *aggregates: Any) -> Receipt:
        recordings: list[Recording[UUID]] = self.save(*aggregates)
        return receipt_of(subject, recordings)
