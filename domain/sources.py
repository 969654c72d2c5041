"""The sources context: a DataSource and the index that keeps live names unique."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.connections import validate_connection
from domain.errors import DecommissionedError, InvalidCommandError, NameTakenError
from domain.meta import EventMeta

MAX_NAME_LENGTH = 200


def validate_name(name: str) -> str:
    """A name is what people search by: trimmed, not empty, bounded."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidCommandError("name", "must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidCommandError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    return cleaned


def validate_tags(tags: list[str]) -> list[str]:
    """Tags are short labels; duplicates carry no meaning, so they are dropped in order."""
    seen: list[str] = []
    for tag in tags:
        cleaned = tag.strip()
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
            owner=owner,
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
        if "connection" in cleaned:
            validate_connection(self.kind, cleaned["connection"], file_roots)
        effective = {k: v for k, v in cleaned.items() if getattr(self, k) != v}
        if effective:
            self._updated(changes=effective, meta=meta)

    @event("Updated")
    def _updated(self, changes: dict[str, Any], meta: EventMeta) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def request_discovery(
        self, workflow_id: str, meta: EventMeta, rule_set: dict[str, Any] | None = None
    ) -> None:
        """Ask an edge agent to discover the source; the event carries what the agent needs to
        connect (the sealed secret never leaves the event store but toward the edge) and the
        published custom rules it classifies with."""
        if self.decommissioned:
            raise DecommissionedError(self.id)
        self._discovery_requested(
            workflow_id=workflow_id,
            kind=self.kind,
            connection=self.connection,
            sealed_secret=self.sealed_secret,
            rule_set=rule_set,
            meta=meta,
        )

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

    def complete_discovery(
        self, workflow_id: str, summary: dict[str, Any], meta: EventMeta
    ) -> None:
        """Record how a discovery ended, once: an outcome redelivered later, or for a
        discovery this source never started, changes nothing. A retired source still records
        the outcome of a discovery it started."""
        if workflow_id in self.open_discoveries:
            self._discovery_completed(workflow_id=workflow_id, summary=summary, meta=meta)

    @event("DiscoveryCompleted")
    def _discovery_completed(
        self, workflow_id: str, summary: dict[str, Any], meta: EventMeta
    ) -> None:
        self.open_discoveries.discard(workflow_id)

    def fail_discovery(self, workflow_id: str, reason: str, meta: EventMeta) -> None:
        if workflow_id in self.open_discoveries:
            self._discovery_failed(workflow_id=workflow_id, reason=reason, meta=meta)

    @event("DiscoveryFailed")
    def _discovery_failed(self, workflow_id: str, reason: str, meta: EventMeta) -> None:
        self.open_discoveries.discard(workflow_id)

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
