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
    wait_random_exponential,
)

# psycopg's own errors (read models) and eventsourcing's (the event store).
TRANSIENT = (psycopg.OperationalError, OperationalError, InterfaceError)


def database_retries(
    before_sleep: Callable[[Any], None],
    transient: tuple[type[BaseException], ...] = TRANSIENT,
) -> AsyncRetrying:
    """Up to 8 tries on `transient` errors, exponential backoff with jitter, the last error
    re-raised."""
    return AsyncRetrying(
        retry=retry_if_exception_type(transient),
        wait=wait_random_exponential(multiplier=0.1, max=5),
        stop=stop_after_attempt(8),
        before_sleep=before_sleep,
        reraise=True,
    )
