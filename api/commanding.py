"""Runs a use case off the event loop, and counts and logs its outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import structlog
from fastapi import Response

from api import consistency
from api.schemas import WriteAccepted
from commands.messages import DiscoveryAccepted, Receipt
from domain.errors import ConflictError, DomainError
from domain.meta import EventMeta
from infra.metrics import COMMANDS

C = TypeVar("C")
R = TypeVar("R", Receipt, DiscoveryAccepted)
log = structlog.get_logger()


async def run_command(use_case: Callable[[C, EventMeta], R], cmd: C, meta: EventMeta) -> R:
    """The eventsourcing API is synchronous: call it from a worker thread."""
    name = type(cmd).__name__
    try:
        result = await asyncio.to_thread(use_case, cmd, meta)
    except ConflictError:
        COMMANDS.labels(name, "conflict").inc()
        raise
    except DomainError:
        COMMANDS.labels(name, "rejected").inc()
        raise
    except Exception:
        COMMANDS.labels(name, "error").inc()
        raise
    COMMANDS.labels(name, "accepted").inc()
    receipt = result.receipt if isinstance(result, DiscoveryAccepted) else result
    log.info(
        "command_accepted",
        command=name,
        aggregate_id=str(receipt.aggregate_id),
        version=receipt.version,
        position=receipt.position,
    )
    return result


def write_accepted(receipt: Receipt, response: Response, location: str) -> WriteAccepted:
    """What every write answers: the new version, and the token (also a header) to read it."""
    token = consistency.encode(receipt)
    response.headers["X-Consistency-Token"] = token
    response.headers["Location"] = location
    return WriteAccepted(
        id=str(receipt.aggregate_id),
        version=receipt.version,
        position=receipt.position,
        consistency_token=token,
    )
