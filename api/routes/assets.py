"""The catalog's query side: assets (tables, views, files) with their columns and profiles."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.auth import Permission
from api.commanding import run_command, write_accepted
from api.consistency import ReadAfter
from api.deps import ContainerDep, MetaDep, requires
from api.problems import SECURED, BadQueryError, documented
from api.schemas import OverrideClassificationBody, WithdrawOverrideBody, WriteAccepted
from commands.messages import OverrideClassification, WithdrawOverride
from domain.errors import NotFoundError
from domain.taxonomy import CATEGORIES, INFOTYPES

CATEGORY_IDS = frozenset(CATEGORIES.values())

router = APIRouter(
    prefix="/api/v1/assets", tags=["catalog"], responses=documented(*SECURED, 404, 409, 503)
)


@router.get("", dependencies=[requires(Permission.CATALOG_READ)])
async def list_assets(
    container: ContainerDep,
    waited: ReadAfter,
    data_source_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    infotype: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Live assets, by qualified name; `q` matches part of the name, case-insensitively;
    `infotype` and `category` (ids from the taxonomy) keep assets with such a column."""
    infotype, category = infotype or None, category or None  # an empty filter filters nothing
    if infotype is not None and infotype not in INFOTYPES:
        raise BadQueryError(f"unknown infotype {infotype!r}: ids are as in the taxonomy")
    if category is not None and category not in CATEGORY_IDS:
        raise BadQueryError(
            f"unknown category {category!r}: one of {', '.join(sorted(CATEGORY_IDS))}"
        )
    try:
        page = await container.asset_view().list(
            limit=limit,
            cursor=cursor,
            data_source_id=data_source_id,
            q=q,
            infotype=infotype,
            category=category,
        )
    except ValueError as error:
        raise BadQueryError(str(error)) from None
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.put(
    "/{asset_id}/columns/{column:path}/classification",
    dependencies=[requires(Permission.CATALOG_WRITE)],
)
async def override_classification(
    asset_id: UUID,
    column: str,
    body: OverrideClassificationBody,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
) -> WriteAccepted:
    """A steward decides a column's classification; re-scans never replace it."""
    cmd = OverrideClassification(asset_id=asset_id, column=column, **body.model_dump())
    receipt = await run_command(container.catalog.override_classification, cmd, meta)
    return write_accepted(receipt, response, f"{router.prefix}/{asset_id}")


@router.post(
    "/{asset_id}/columns/{column:path}/classification/withdraw",
    dependencies=[requires(Permission.CATALOG_WRITE)],
)
async def withdraw_override(
    asset_id: UUID,
    column: str,
    body: WithdrawOverrideBody,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
) -> WriteAccepted:
    """Take a steward's decision back: the column's automatic decision applies again, and
    later scans classify it. 409 if the column has no steward's decision."""
    cmd = WithdrawOverride(asset_id=asset_id, column=column, **body.model_dump())
    receipt = await run_command(container.catalog.withdraw_override, cmd, meta)
    return write_accepted(receipt, response, f"{router.prefix}/{asset_id}")


@router.get("/{asset_id}", dependencies=[requires(Permission.CATALOG_READ)])
async def get_asset(
    asset_id: UUID,
    container: ContainerDep,
    waited: ReadAfter,
) -> dict[str, Any]:
    """The asset with its columns; given a write's consistency token, once it shows that write."""
    found = await container.asset_view().get(asset_id)
    if found is None:
        raise NotFoundError("asset", asset_id)
    return found
