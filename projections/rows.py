"""What every one-row-per-aggregate read model takes from an event, whatever the event is."""

from __future__ import annotations

from typing import Any


def event_name(envelope: dict[str, Any]) -> str:
    """`Registered` from `datawave.sources.Registered.v1`."""
    return str(envelope["type"]).split(".")[-2]


def stamp(envelope: dict[str, Any]) -> dict[str, Any]:
    """The row's version, position and update time after this event."""
    return {
        "version": envelope["aggregateversion"],
        "position": envelope["position"],
        "updated_at": envelope["time"],
    }
