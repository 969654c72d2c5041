"""How far the relay and each projection are behind the event store, in events."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from infra.postgres import EVENTS_TABLE, LAG_SQL
from infra.read_models import PROJECTIONS


async def lags(conn: AsyncConnection[Any]) -> dict[str, int]:
    """`relay` and every projection name mapped to the events still to do (0 = caught up).

    A projection's low-water mark is the lowest position it has applied in any partition where
    the relay published more; everything above it counts, so the figure errs on the high side.
    """
    cur = await conn.execute(f"SELECT COALESCE(MAX(notification_id), 0) FROM {EVENTS_TABLE}")  # noqa: S608
    row = await cur.fetchone()
    head = int(row[0]) if row else 0
    cur = await conn.execute("SELECT COALESCE(MAX(position), 0) FROM relay_position")
    row = await cur.fetchone()
    result = {"relay": head - (int(row[0]) if row else 0)}
    cur = await conn.execute(LAG_SQL, (list(PROJECTIONS), list(PROJECTIONS)))
    for name, low in await cur.fetchall():
        result[str(name)] = max(0, head - int(low))
    return result
