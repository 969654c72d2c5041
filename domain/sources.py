"""The sources context: a DataSource and the index that keeps live names unique."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.connections import validate_connection
from domain.errors import (
    DecommissionedError,
    InvalidCommandError,
    NameTakenError,
    ScanRunningError,
)
from domain.meta import EventMeta
from domain.text import trimmed

MAX_NAME_LENGTH = 200


def validate_name(name: str) -> str:
    """A name is what people search by: trimmed, not empty, bounded."""
    cleaned = trimmed(name)
    if not cleaned:
        raise InvalidCommandError("name", "must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidCommandError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    return cleaned


def validate_owner(owner: str | None) -> str | None:
    """An owner is a team or person, or none at all: never blank."""
    if owner is None:
        return None
    cleaned = trimmed(owner)
    if not cleaned:
        raise InvalidCommandError("owner", "must not be blank (leave it out for no owner)")
    return cleaned


def validate_tags(tags: list[str]) -> list[str]:
    """Tags are short labels; duplicates carry no meaning, so they are dropped in order."""
    seen: list[str] = []
    for tag in tags:
        cleaned = trimmed(tag)
        if not cleaned:
            raise InvalidCommandError("tags", "must not contain empty tags")
        if cleaned not in seen:
            seen.append(cleaned)
    return seen


class DataSource(Aggregate):
    """A database or file location that DataWave catalogs; its secret is sealed, never plain."""

    @event("Registered")
    def __init__(
        self,
        name: str,
        kind: str,
        connection: dict[str, str],
        sealed_secret: str | None,
        owner: str | None,
        tags: list[str],
        meta: EventMeta,
    ) -> None:
        self.name = name
        self.kind = kind
        self.connection = connection
        self.sealed_secret = sealed_secret
        self.owner = owner
        self.tags = tags
        self.decommissioned = False
        self.last_discovery: str | None = None
        # Requested and not finished yet: usually none or one.
        self.open_discoveries: set[str] = set()
        self.active_scan: str | None = None  # the one scan workflow running on this source

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: str,
        connection: dict[str, str],
        sealed_secret: str | None,
        owner: str | None,
        tags: list[str],
        meta: EventMeta,
        file_roots: tuple[str, ...] = (),
    ) -> DataSource:
        """Register a new source; the connection must already have its secret taken out."""
        validate_connection(kind, connection, file_roots)
        return cls(
            name=validate_name(name),
            kind=kind,
            connection=connection,
            sealed_secret=sealed_secret,
            owner=validate_owner(owner),
            tags=validate_tags(tags),
            meta=meta,
        )

    def update(
        self, changes: dict[str, Any], meta: EventMeta, file_roots: tuple[str, ...] = ()
    ) -> None:
        """Change name, connection, owner or tags; a decommissioned source refuses."""
        if self.decommissioned:
            raise DecommissionedError(self.id)
        cleaned = dict(changes)
        if "name" in cleaned:
            cleaned["name"] = validate_name(cleaned["name"])
        if "tags" in cleaned:
            cleaned["tags"] = validate_tags(cleaned["tags"])
        if "owner" in cleaned:
            cleaned["owner"] = validate_owner(cleaned["owner"])
        if "connection" in cleaned:
            validate_connection(self.kind, cleaned["connection"], file_roots)
        effective = {k: v for k, v in cleaned.items() if getattr(self, k) != v}
        if effective:
            self._updated(changes=effective, meta=meta)

    @event("Updated")
    def _updated(self, changes: dict[str, Any], meta: EventMeta) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    # Discoveries before scan workflows ran them: their events stay replayable.
    @event("DiscoveryRequested")
    def _discovery_requested(
        self,
        workflow_id: str,
        kind: str,
        connection: dict[str, str],
        sealed_secret: str | None,
        meta: EventMeta,
        rule_set: dict[str, Any] | None = None,
    ) -> None:
        self.last_discovery = workflow_id
        self.open_discoveries.add(workflow_id)

    @event("DiscoveryCompleted")
    def _discovery_completed(
        self, workflow_id: str, summary: dict[str, Any], meta: EventMeta
    ) -> None:
        self.open_discoveries.discard(workflow_id)

    @event("DiscoveryFailed")
    def _discovery_failed(self, workflow_id: str, reason: str, meta: EventMeta) -> None:
        self.open_discoveries.discard(workflow_id)

    def start_scan(self, workflow_id: str, stages: list[str], meta: EventMeta) -> None:
        """A scan workflow takes the source; one at a time, so two scans never race over the
        same assets and findings."""
        if self.decommissioned:
            raise DecommissionedError(self.id)
        if self.active_scan is not None:
            raise ScanRunningError(self.id, self.active_scan)
        self._scan_requested(workflow_id=workflow_id, stages=stages, meta=meta)

    @event("ScanRequested")
    def _scan_requested(self, workflow_id: str, stages: list[str], meta: EventMeta) -> None:
        self.active_scan = workflow_id
        if "discover" in stages:
            self.last_discovery = workflow_id

    def end_scan(
        self,
        workflow_id: str,
        status: str,
        meta: EventMeta,
        reason: str | None = None,
        summary: dict[str, Any] | None = None,
    ) -> None:
        """How the running scan ended; a retired source still records it. Said twice, once."""
        if self.active_scan == workflow_id:
            self._scan_ended(
                workflow_id=workflow_id, status=status, reason=reason, summary=summary, meta=meta
            )

    @event("ScanEnded")
    def _scan_ended(
        self,
        workflow_id: str,
        status: str,
        reason: str | None,
        summary: dict[str, Any] | None,
        meta: EventMeta,
    ) -> None:
        self.active_scan = None

    def decommission(self, reason: str | None, meta: EventMeta) -> None:
        """Retire the source: it stays in the history but accepts no further change."""
        if self.decommissioned:
            raise DecommissionedError(self.id)
        self._decommissioned(reason=reason, meta=meta)

    @event("Decommissioned")
    def _decommissioned(self, reason: str | None, meta: EventMeta) -> None:
        self.decommissioned = True


class SourceName(Aggregate):
    """Claims one name for one live source; the event store's key makes claims race-free."""

    @staticmethod
    def create_id(name: str) -> UUID:
        """Names compare case-insensitively, so `Sales` and `sales` are one name."""
        return uuid5(NAMESPACE_URL, f"/datawave/data-source-names/{name.casefold()}")

    @event("Claimed")
    def __init__(self, name: str, source_id: UUID | None, meta: EventMeta) -> None:
        self.name = name
        self.source_id = source_id

    def claim(self, source_id: UUID, meta: EventMeta) -> None:
        """Take a released name; a name held by another live source refuses."""
        if self.source_id is not None and self.source_id != source_id:
            raise NameTakenError(self.name)
        if self.source_id != source_id:
            self._reclaimed(source_id=source_id, meta=meta)

    @event("Reclaimed")
    def _reclaimed(self, source_id: UUID, meta: EventMeta) -> None:
        self.source_id = source_id

    def release(self, source_id: UUID, meta: EventMeta) -> None:
        """Free the name when its source is renamed or decommissioned."""
        if self.source_id == source_id:
            self._released(meta=meta)

    @event("Released")
    def _released(self, meta: EventMeta) -> None:
        self.source_id = None
