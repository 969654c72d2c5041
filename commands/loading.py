"""Loading aggregates of a known type from any application's repository on the event store."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.errors import NotFoundError

T = TypeVar("T")


def find(repository: Any, kind: type[T], aggregate_id: UUID) -> T | None:
    """The aggregate, or None if none of this type has this id."""
    try:
        found = repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def load(repository: Any, kind: type[T], aggregate_id: UUID, name: str) -> T:
    """The aggregate; NotFoundError (404) naming it as `name` if there is none."""
    found = find(repository, kind, aggregate_id)
    if found is None:
        raise NotFoundError(name, aggregate_id)
    return found
