"""Compliance: policies as data, the report of a scan, and evaluations as of a past time."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from api.auth import Permission
from api.commanding import run_command, write_accepted
from api.deps import ContainerDep, MetaDep, requires
from api.problems import SECURED, BadQueryError, documented
from api.schemas import ChangePolicyBody, PolicyBody, RetirePolicyBody, WriteAccepted
from commands.compliance import BUILTIN_IDS
from commands.messages import ChangePolicy, CreatePolicy, RetirePolicy
from domain.errors import NotFoundError
from domain.policies import Policy
from infra.inventory import assets_of
from infra.read_models import aggregate_ids

router = APIRouter(
    prefix="/api/v1/compliance", tags=["compliance"], responses=documented(*SECURED, 404, 409, 503)
)

CSV_COLUMNS = (
    "severity",
    "policy",
    "rule_id",
    "reference",
    "qualified_name",
    "column",
    "infotype",
    "asset_id",
    "detail",
    "opened_by",
)


def public_policy(policy: Policy) -> dict[str, Any]:
    return {
        "id": str(policy.id),
        "name": policy.name,
        "description": policy.description,
        "pack": policy.pack,
        "rules": policy.rules,
        "revision": policy.revision,
        "retired": policy.retired,
        "version": policy.version,
    }


def policy_location(policy_id: object) -> str:
    return f"{router.prefix}/policies/{policy_id}"


@router.get("/policies", dependencies=[requires(Permission.COMPLIANCE_READ)])
async def list_policies(container: ContainerDep) -> dict[str, Any]:
    """Every policy, built-in packs first; retired ones say so."""
    async with container.connection() as conn:
        created = await aggregate_ids(conn, "Policy")
    ids = [*BUILTIN_IDS, *(i for i in created if i not in BUILTIN_IDS)]
    found = await asyncio.to_thread(_policies, container, ids)
    return {"items": [public_policy(p) for p in found]}


def _policies(container: ContainerDep, ids: list[UUID]) -> list[Policy]:
    policies = []
    for policy_id in ids:
        try:
            policies.append(container.compliance.policy(policy_id))
        except NotFoundError:  # a pack the worker has not installed yet is simply not listed
            continue
    return policies


@router.post("/policies", status_code=201, dependencies=[requires(Permission.POLICIES_WRITE)])
async def create_policy(
    body: PolicyBody, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    cmd = CreatePolicy(name=body.name, rules=body.rules, description=body.description)
    receipt = await run_command(container.compliance.create_policy, cmd, meta)
    return write_accepted(receipt, response, policy_location(receipt.aggregate_id))


@router.get("/policies/{policy_id}", dependencies=[requires(Permission.COMPLIANCE_READ)])
async def get_policy(policy_id: UUID, container: ContainerDep) -> dict[str, Any]:
    return public_policy(await asyncio.to_thread(container.compliance.policy, policy_id))


@router.patch("/policies/{policy_id}", dependencies=[requires(Permission.POLICIES_WRITE)])
async def change_policy(
    policy_id: UUID,
    body: ChangePolicyBody,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
) -> WriteAccepted:
    """A new revision of the policy: the next evaluations use it."""
    cmd = ChangePolicy(policy_id=policy_id, **body.model_dump())
    receipt = await run_command(container.compliance.change_policy, cmd, meta)
    return write_accepted(receipt, response, policy_location(policy_id))


@router.post("/policies/{policy_id}/retire", dependencies=[requires(Permission.POLICIES_WRITE)])
async def retire_policy(
    policy_id: UUID,
    container: ContainerDep,
    meta: MetaDep,
    response: Response,
    body: RetirePolicyBody | None = None,
) -> WriteAccepted:
    cmd = RetirePolicy(policy_id=policy_id, reason=(body or RetirePolicyBody()).reason)
    receipt = await run_command(container.compliance.retire_policy, cmd, meta)
    return write_accepted(receipt, response, policy_location(policy_id))


@router.get(
    "/reports/{workflow_id}",
    dependencies=[requires(Permission.COMPLIANCE_READ)],
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def get_report(
    workflow_id: UUID,
    container: ContainerDep,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    """The scan's findings per asset, counted per policy and severity, and what changed since
    the previous scan; CSV (one row per finding) with `Accept: text/csv`."""
    report = await asyncio.to_thread(container.compliance.report, workflow_id)
    if accept is not None and "text/csv" in accept:
        return Response(
            _csv(report["findings"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="report-{workflow_id}.csv"'},
        )
    return _jsonable(report)


@router.get("/evaluation", dependencies=[requires(Permission.COMPLIANCE_READ)])
async def evaluate_as_of(
    container: ContainerDep,
    as_of: datetime,
    data_source_id: UUID | None = None,
    policy_id: Annotated[list[UUID] | None, Query()] = None,
) -> dict[str, Any]:
    """Were we compliant then? The catalog and the policies as they stood at `as_of`,
    rebuilt from the events, judged now; nothing is recorded."""
    if as_of.tzinfo is None:
        raise BadQueryError("as_of needs a time zone, e.g. 2026-03-01T00:00:00Z")
    if data_source_id is not None:  # 404 if it never existed
        await asyncio.to_thread(container.data_sources.get_source, data_source_id)
    async with container.connection() as conn:
        sources = await assets_of(conn, None if data_source_id is None else [data_source_id])
    result = await asyncio.to_thread(container.compliance.evaluate_as_of, as_of, sources, policy_id)
    jsonable: dict[str, Any] = _jsonable(result)
    return jsonable


def _csv(findings: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: _cell(f.get(k)) for k in CSV_COLUMNS} for f in findings)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Table and column names come from the scanned sources: one starting like a formula is
    quoted, so a spreadsheet shows it instead of running it (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
