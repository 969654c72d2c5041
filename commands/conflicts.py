"""Concurrent writers to one aggregate collide on the event store's primary key; a writer that
sent no expected version reloads and tries again, a bounded number of times."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

T = TypeVar("T")

MAX_CONFLICT_RETRIES = 20


def retrying_on_conflict(attempt: Callable[[bool], T]) -> T:
    """Run `attempt(first_try)`; on a key conflict (another writer saved first) run it again,
    which reloads and so re-checks names and expected versions."""
    for tries in range(MAX_CONFLICT_RETRIES):
        try:
            return attempt(tries == 0)
        except IntegrityError:
            continue
    return attempt(False)
