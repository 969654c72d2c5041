"""Numbers as people write them in JSON rules and policies."""

from __future__ import annotations

from typing import Any, TypeGuard


def is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number: true and false are none, though Python's bool is an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)
