"""The ids of rules, in compliance policies and in classification rule sets: short, readable in a
URL path and in an event, and never blank."""

from __future__ import annotations

import re
from typing import Any

from domain.errors import InvalidCommandError

_RULE_ID = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")


def check_rule_id(rule_id: Any, field: str) -> str:
    """`rule_id` if it is a valid rule id; InvalidCommandError naming `field` otherwise."""
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise InvalidCommandError(
            field,
            "must be 1 to 64 lower-case letters, digits, '-' or '.', "
            "starting with a letter or digit",
        )
    return rule_id
