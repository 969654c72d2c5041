"""Read-your-writes: a write returns a token; a read given it waits, bounded, for the projection."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Query

from api.deps import ContainerDep
from api.problems import BadQueryError, NotYetVisibleError
from commands.messages import Receipt
from infra.read_models import is_stored

NOT_ISSUED = "the consistency token is not one this API issued"
FIRST_WAIT = 0.5  # seconds a read waits before it checks that its token names a stored write


@dataclass(frozen=True)
class Token:
    aggregate_id: UUID
    version: int
    position: int


def encode(receipt: Receipt) -> str:
    """`<aggregate id>.<version>.<position>`: readable, and safe in a header or query string."""
    return f"{receipt.aggregate_id}.{receipt.version}.{receipt.position}"


def whole_number(text: str) -> int | None:
    """`text` as an event-store version or position: ASCII digits only (no sign, no other
    script's digits), few enough for a PostgreSQL bigint; None otherwise."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def decode(token: str) -> Token:
    """The token a write returned; anything else (a negative version, a stray sign) is refused."""
    parts = token.split(".")
    if len(parts) == 3:
        version, position = whole_number(parts[1]), whole_number(parts[2])
        # Position 0: a write that changed nothing (the version it read is the one to see).
        if version is not None and version >= 1 and position is not None:
            with contextlib.suppress(ValueError):
                return Token(UUID(parts[0]), version, position)
    raise BadQueryError(NOT_ISSUED)


# The consistency token a write returned, as a header or a query parameter.
TokenHeader = Annotated[str | None, Header(alias="X-Consistency-Token")]
TokenQuery = Annotated[str | None, Query(alias="consistency_token")]


async def read_after(
    container: ContainerDep, header: TokenHeader = None, query: TokenQuery = None
) -> Token | None:
    """Wait (bounded) until the read models hold the write the token names (the header's, else
    the query parameter's; an empty one is malformed); None without one."""
    token = header if header is not None else query
    if token is None:
        return None
    decoded = decode(token)
    waiters = container.waiters
    assert waiters is not None, "opened in the app's lifespan"
    timeout = container.settings.read_wait_timeout
    first = min(timeout, FIRST_WAIT)
    if await waiters.wait(decoded.aggregate_id, decoded.version, first):
        return decoded
    # Not there yet: a token naming no stored write would wait in vain (checked only now, so
    # that the usual read-your-write costs no extra query).
    if not await is_stored(container.connection, decoded.aggregate_id, decoded.version):
        raise BadQueryError(NOT_ISSUED)
    if not await waiters.wait(decoded.aggregate_id, decoded.version, timeout - first):
        raise NotYetVisibleError(
            f"the read model has not reached version {decoded.version} of "
            f"{decoded.aggregate_id} within {timeout:g} s; retry shortly"
        )
    return decoded


# A read's parameter: the write it was given a token of, once the read models show it.
ReadAfter = Annotated[Token | None, Depends(read_after)]
