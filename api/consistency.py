"""Read-your-writes: a write returns a token; a read given it waits, bounded, for the projection."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from uuid import UUID

from api.problems import BadQueryError, NotYetVisibleError
from commands.messages import Receipt
from infra.projection_signal import ReadModelWaiters


@dataclass(frozen=True)
class Token:
    aggregate_id: UUID
    version: int
    position: int


def encode(receipt: Receipt) -> str:
    """`<aggregate id>.<version>.<position>`: readable, and safe in a header or query string."""
    return f"{receipt.aggregate_id}.{receipt.version}.{receipt.position}"


def decode(token: str) -> Token:
    """The token a write returned; anything else (a negative version, a stray sign) is refused."""
    parts = token.split(".")
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        with contextlib.suppress(ValueError):
            decoded = Token(UUID(parts[0]), int(parts[1]), int(parts[2]))
            if decoded.version >= 1 and decoded.position >= 1:
                return decoded
    raise BadQueryError("the consistency token is not one this API issued")


async def wait_for(token: Token, waiters: ReadModelWaiters, timeout: float) -> None:
    """Return once the read model holds the token's version; NotYetVisibleError after timeout."""
    if not await waiters.wait(token.aggregate_id, token.version, timeout):
        raise NotYetVisibleError(
            f"the read model has not reached version {token.version} of {token.aggregate_id} "
            f"within {timeout:g} s; retry shortly"
        )
