"""How a projection decides, per event, whether to apply, skip or first fill a gap."""

from __future__ import annotations

from enum import Enum


class Step(Enum):
    APPLY = "apply"
    SKIP = "skip"
    FILL_GAP = "fill_gap"


def next_step(current_version: int, event_version: int) -> Step:
    """At or below the row's version: a duplicate. More than one ahead: events were missed."""
    if event_version <= current_version:
        return Step.SKIP
    if event_version > current_version + 1:
        return Step.FILL_GAP
    return Step.APPLY
