"""Tells readers waiting for a consistency token that a projection batch has committed.

The projection sends a PostgreSQL NOTIFY in each batch's transaction (delivered at commit);
one LISTEN connection per API process wakes every waiter, so waiting costs one read-model
lookup per batch instead of one per waiter every few milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psycopg
import structlog
from psycopg import AsyncCursor

CHANNEL = "datawave_projected"
# A lost notification (e.g. while reconnecting) delays a waiter by at most this.
FALLBACK_WAIT = 0.1

log = structlog.get_logger()


async def announce(cur: AsyncCursor[Any], position: int) -> None:
    """In the projection's transaction: wake readers once it commits."""
    await cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(position)))


class ProjectionSignal:
    """An event that fires (and resets) whenever any projection batch commits."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def changed(self, timeout: float) -> None:
        """Return after the next batch commits, or after `timeout` (bounded by the fallback)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), min(timeout, FALLBACK_WAIT))

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    async for _ in conn.notifies():
                        self._changed.set()
                        self._changed = asyncio.Event()
            except psycopg.OperationalError as error:
                log.warning("projection_signal_reconnect", error=type(error).__name__)
                await asyncio.sleep(1.0)
