"""Custom rules from the published rule set, applied after the built-in decision.

A rule fires when its name pattern finds the column's name (case-insensitive) and, if it has a
value pattern, at least `min_share` of the sampled values match it whole (and pass its
validator, if it names one). The firing rule with the highest confidence replaces the built-in
decision when it is at least as confident, or when the built-in rules left the column
unclassified. Every decision records the rule set's version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from domain.taxonomy import CATEGORIES
from edge.classification.rules import RULE_SET, Classification, Column
from edge.classification.values import NAMED_VALIDATORS

# Values looked at per rule: enough for a share, cheap however many rules there are.
SAMPLED_VALUES = 200


@dataclass(frozen=True)
class CustomRules:
    version: str | None  # `<rule set>-v<n>`; None: nothing published, the built-in rules alone
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, rule_set: dict[str, Any] | None) -> CustomRules:
        """From a discovery job's `rule_set` ({"version", "rules"}), if it carries one."""
        if not rule_set:
            return cls(None)
        return cls(rule_set.get("version"), dict(rule_set.get("rules") or {}))

    def apply(self, column: Column, decision: Classification) -> Classification:
        label = self.version or RULE_SET
        fired = [
            (rule["confidence"], rule_id)
            for rule_id, rule in self.rules.items()
            if _fires(rule, column)
        ]
        if not fired:
            return replace(decision, rule_set=label)
        confidence, rule_id = max(fired)
        if decision.infotype is not None and decision.confidence > confidence:
            return replace(decision, rule_set=label)
        infotype = self.rules[rule_id]["infotype"]
        return Classification(
            infotype,
            CATEGORIES[infotype],
            confidence,
            "rules",
            decision.evidence | {"custom_rule": rule_id},
            decision.model,
            label,
        )


def _fires(rule: dict[str, Any], column: Column) -> bool:
    name_pattern, value_pattern = rule.get("name_pattern"), rule.get("value_pattern")
    if name_pattern and not re.search(name_pattern, column.name, re.IGNORECASE):
        return False
    if not value_pattern:
        return True
    values = [v.strip() for v in column.values[:SAMPLED_VALUES] if v.strip()]
    if not values:
        return False
    pattern = re.compile(value_pattern)
    check = NAMED_VALIDATORS.get(rule.get("validator") or "")
    matched = sum(1 for v in values if pattern.fullmatch(v) and (check is None or check(v)))
    return matched / len(values) >= float(rule["min_share"])
