"""The worker's one retry policy for a database that went away for a moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_never,
    wait_random_exponential,
)

# psycopg's own errors (read models) and eventsourcing's (the event store).
TRANSIENT = (psycopg.OperationalError, OperationalError, InterfaceError)


def database_retries(
    before_sleep: Callable[[Any], None],
    transient: tuple[type[BaseException], ...] = TRANSIENT,
    attempts: int | None = 8,
) -> AsyncRetrying:
    """Up to `attempts` tries (None: until one succeeds) on `transient` errors, exponential
    backoff with jitter up to 5 s, the last error re-raised."""
    return AsyncRetrying(
        retry=retry_if_exception_type(transient),
        wait=wait_random_exponential(multiplier=0.1, max=5),
        stop=stop_never if attempts is None else stop_after_attempt(attempts),
        before_sleep=before_sleep,
        reraise=True,
    )
