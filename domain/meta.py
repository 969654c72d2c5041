"""Who did what, in answer to what: carried by every stored event."""

from __future__ import annotations

from typing import TypedDict


class EventMeta(TypedDict):
    """The acting principal, the request or workflow (correlation) and the direct cause."""

    actor: str
    correlation_id: str
    causation_id: str
