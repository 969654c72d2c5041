"""The classification rule set: custom rules edited as a draft, published as versions."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from api.auth import Permission
from api.commanding import run_command, write_accepted
from api.deps import ContainerDep, MetaDep, requires
from api.problems import SECURED, documented
from api.schemas import CustomRuleBody, WriteAccepted
from commands.messages import ChangeRule, PublishRuleSet, RemoveRule

router = APIRouter(
    prefix="/api/v1/classification/rule-set",
    tags=["classification"],
    responses=documented(*SECURED, 404, 409),
)


@router.get("", dependencies=[requires(Permission.CATALOG_READ)])
async def get_rule_set(container: ContainerDep) -> dict[str, Any]:
    """The draft and the published version every new scan uses."""
    rule_set = await asyncio.to_thread(container.rule_sets.rule_set)
    if rule_set is None:
        return {"version": None, "published": {}, "draft": {}}
    return {
        "version": rule_set.version_label,
        "published": rule_set.published,
        "draft": rule_set.draft,
    }


@router.put("/rules/{rule_id}", dependencies=[requires(Permission.CATALOG_WRITE)])
async def put_rule(
    rule_id: str, body: CustomRuleBody, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    """Add the rule to the draft, or change it; nothing changes for scans until published."""
    cmd = ChangeRule(rule_id=rule_id, rule=body.model_dump())
    receipt = await run_command(container.rule_sets.put_rule, cmd, meta)
    return write_accepted(receipt, response, router.prefix)


@router.delete("/rules/{rule_id}", dependencies=[requires(Permission.CATALOG_WRITE)])
async def delete_rule(
    rule_id: str, container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    receipt = await run_command(container.rule_sets.remove_rule, RemoveRule(rule_id), meta)
    return write_accepted(receipt, response, router.prefix)


@router.post("/publish", dependencies=[requires(Permission.CATALOG_WRITE)])
async def publish_rule_set(
    container: ContainerDep, meta: MetaDep, response: Response
) -> WriteAccepted:
    """Freeze the draft as the next version: the next scans classify with it and record it."""
    receipt = await run_command(container.rule_sets.publish, PublishRuleSet(), meta)
    return write_accepted(receipt, response, router.prefix)
