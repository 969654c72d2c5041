"""Read-your-writes waiting that costs one read-model query per projection batch, not per reader.

The projection sends a PostgreSQL NOTIFY in each batch's transaction (delivered at commit). One
LISTEN connection per API process wakes a single loop, which looks up the versions of every
aggregate some reader is waiting for in one query and releases those that are now visible.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import psycopg
import structlog
from psycopg import AsyncCursor

from infra.notifications import until_first, wake_on_notify

CHANNEL = "datawave_projected"
# A lost notification (e.g. while reconnecting) delays a reader by at most this.
FALLBACK_WAIT = 0.1

VersionsOf = Callable[[list[UUID]], Awaitable[dict[UUID, int]]]

log = structlog.get_logger()


async def announce(cur: AsyncCursor[Any], position: int) -> None:
    """In the projection's transaction: wake readers once it commits."""
    await cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(position)))


class ReadModelWaiters:
    """Readers waiting for an aggregate to reach a version in the read model."""

    def __init__(self, dsn: str, versions_of: VersionsOf) -> None:
        self.dsn = dsn
        self.versions_of = versions_of
        self._waiting: dict[UUID, list[tuple[int, asyncio.Future[None]]]] = {}
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(wake_on_notify(self.dsn, CHANNEL, self._wake)),
            asyncio.create_task(self._release()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait(self, aggregate_id: UUID, version: int, timeout: float) -> bool:
        """True once the read model holds `version` of the aggregate; False after `timeout`."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(aggregate_id, []).append((version, future))
        self._wake.set()
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            waiters = self._waiting.get(aggregate_id, [])
            if (version, future) in waiters:
                waiters.remove((version, future))
            if not waiters:
                self._waiting.pop(aggregate_id, None)

    async def _release(self) -> None:
        while True:
            await until_first(self._wake.wait(), timeout=FALLBACK_WAIT)
            self._wake.clear()
            if not self._waiting:
                continue
            try:
                versions = await self.versions_of(list(self._waiting))
            except psycopg.OperationalError as error:
                log.warning("read_model_waiters_lookup_failed", error=type(error).__name__)
                continue
            for aggregate_id, current in versions.items():
                for version, future in self._waiting.get(aggregate_id, []):
                    if current >= version and not future.done():
                        future.set_result(None)
