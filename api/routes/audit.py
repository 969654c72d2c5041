"""The audit trail as stored events: who did what, when, under which correlation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from psycopg.rows import dict_row
from pydantic import AwareDatetime

from api.auth import Permission
from api.consistency import whole_number
from api.deps import ContainerDep, requires
from api.problems import SECURED, BadQueryError, NotYetVisibleError, documented
from domain.errors import NotFoundError

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=documented(*SECURED))


@router.get("/events", dependencies=[requires(Permission.AUDIT_READ)])
async def list_audit_events(
    container: ContainerDep,
    aggregate_id: UUID | None = None,
    actor: str | None = None,
    type: Annotated[str | None, Query(description="event name, e.g. Registered")] = None,
    since: Annotated[
        AwareDatetime | None,
        Query(description="events at or after this time (ISO 8601, with a time zone)"),
    ] = None,
    until: Annotated[
        AwareDatetime | None,
        Query(description="events before this time (ISO 8601, with a time zone)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Stored events, oldest first, filtered by aggregate, actor, event name and time."""
    if since is not None and until is not None and since >= until:
        raise BadQueryError("since must be earlier than until")
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (("aggregate_id", aggregate_id), ("actor", actor), ("type", type)):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if since is not None:
        clauses.append("time >= %s")
        params.append(since)
    if until is not None:
        clauses.append("time < %s")
        params.append(until)
    if cursor is not None:
        after = whole_number(cursor)  # a cursor is the last position listed
        if after is None:
            raise BadQueryError("the cursor is not one this API issued")
        clauses.append("position > %s")
        params.append(after)
    where = " AND ".join(clauses) or "TRUE"
    sql = f"SELECT * FROM rm_audit_events WHERE {where} ORDER BY position LIMIT %s"  # noqa: S608
    async with container.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, [*params, limit + 1])
        rows = await cur.fetchall()
    more = len(rows) > limit
    items = [_public(r) for r in rows[:limit]]
    return {"items": items, "next_cursor": str(items[-1]["position"]) if more else None}


@router.get(
    "/events/{position}",
    dependencies=[requires(Permission.AUDIT_READ)],
    responses=documented(404, 503),
)
async def get_audit_event(
    position: Annotated[int, Path(ge=1, le=2**63 - 1)], container: ContainerDep
) -> dict[str, Any]:
    """One stored event by its position: where a Kafka message too large for the broker points
    (its `dataref`) for the data it left out."""
    async with container.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT * FROM rm_audit_events WHERE position = %s", (position,))
        row = await cur.fetchone()
    if row is None:
        # A Kafka consumer may ask before the audit trail has it: the event store says whether
        # it exists (then retry) or never did.
        logged = await asyncio.to_thread(container.event_log.read, position - 1, 1)
        if logged and logged[0].position == position and logged[0].envelope is not None:
            raise NotYetVisibleError(
                f"the event at position {position} is not in the audit trail yet; retry shortly"
            )
        raise NotFoundError("stored event", position)  # positions are the log's ids
    return _public(row)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": row["position"],
        "aggregate_id": str(row["aggregate_id"]),
        "aggregate_type": row["aggregate_type"],
        "aggregate_version": row["aggregate_version"],
        "type": row["type"],
        "actor": row["actor"],
        "correlation_id": row["correlation_id"],
        "causation_id": row["causation_id"],
        "time": row["time"].isoformat(),
        "data": row["data"],
    }
