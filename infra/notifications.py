"""PostgreSQL LISTEN as an asyncio wake-up: a loop that would poll waits for a NOTIFY instead;
and the one way such loops wait for the first of their wake-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import psycopg
import structlog
from psycopg.sql import SQL, Identifier

RECONNECT_WAIT = 1.0

log = structlog.get_logger()


async def wake_on_notify(dsn: str, channel: str, wake: asyncio.Event) -> None:
    """Set `wake` on every NOTIFY on `channel` until cancelled, reconnecting after errors.

    `wake` is also set on each (re)connection: what was committed while nobody listened is then
    looked at, so a lost connection delays the listener's loop, never leaves it asleep."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
                wake.set()
                async for _ in conn.notifies():
                    wake.set()
        except psycopg.OperationalError as error:
            log.warning("listen_reconnect", channel=channel, error=type(error).__name__)
            await asyncio.sleep(RECONNECT_WAIT)


async def until_first(*waits: Awaitable[Any], timeout: float | None = None) -> None:
    """Until one of `waits` completes or `timeout` passes. The coroutines given are cancelled on
    the way out; tasks and futures given are left as they are."""
    futures = [asyncio.ensure_future(w) for w in waits]
    made = [f for f, w in zip(futures, waits, strict=True) if f is not w]
    try:
        await asyncio.wait(futures, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in made:
            future.cancel()
