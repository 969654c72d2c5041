"""What the catalog ingest remembers between a discovery's batches: which tables of a source
the current discovery has seen, so that the ones it did not see can be decommissioned; and so
which assets each source has ever had, for evaluations and roll-backs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection


async def mark_seen(
    conn: AsyncConnection[Any],
    data_source_id: UUID,
    workflow_id: str,
    seen: list[tuple[str, UUID]],
) -> None:
    """Record (qualified name, asset id) pairs as seen by this discovery."""
    async with conn.transaction():
        await conn.cursor().executemany(
            "INSERT INTO catalog_inventory (data_source_id, qualified_name, asset_id, workflow_id) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (data_source_id, qualified_name) DO UPDATE "
            "SET workflow_id = EXCLUDED.workflow_id, live = true",
            [(data_source_id, name, asset_id, workflow_id) for name, asset_id in seen],
        )


async def unseen(
    conn: AsyncConnection[Any], data_source_id: UUID, workflow_id: str
) -> list[tuple[str, UUID]]:
    """Live tables of the source that this discovery did not see."""
    cur = await conn.execute(
        "SELECT qualified_name, asset_id FROM catalog_inventory "
        "WHERE data_source_id = %s AND live AND workflow_id <> %s",
        (data_source_id, workflow_id),
    )
    return [(str(name), asset_id) for name, asset_id in await cur.fetchall()]


async def mark_gone(conn: AsyncConnection[Any], data_source_id: UUID, names: list[str]) -> None:
    async with conn.transaction():
        await conn.execute(
            "UPDATE catalog_inventory SET live = false "
            "WHERE data_source_id = %s AND qualified_name = ANY(%s)",
            (data_source_id, names),
        )


async def assets_of(
    conn: AsyncConnection[Any], data_source_ids: list[UUID] | None = None
) -> dict[UUID, list[UUID]]:
    """Every asset each source has had (retired ones too: a past time may need them), for the
    given sources or all."""
    cur = await conn.execute(
        "SELECT data_source_id, asset_id FROM catalog_inventory "
        "WHERE %s::uuid[] IS NULL OR data_source_id = ANY(%s::uuid[]) "
        "ORDER BY data_source_id, qualified_name",
        (data_source_ids, data_source_ids),
    )
    found: dict[UUID, list[UUID]] = {}
    for source_id, asset_id in await cur.fetchall():
        found.setdefault(source_id, []).append(asset_id)
    return found
