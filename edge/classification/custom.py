"""Custom rules from the published rule set, applied after the built-in decision.

A rule fires when its name pattern finds the column's name (case-insensitive) and, if it has a
value pattern, at least `min_share` of the sampled values match it whole (and pass its
validator, if it names one). The firing rule with the highest confidence replaces the built-in
decision when it is at least as confident, or when the built-in rules left the column
unclassified. Every decision records the rule set's version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import structlog

from domain.patterns import PatternError, compile_pattern
from domain.taxonomy import CATEGORIES
from edge.classification.rules import RULE_SET, Classification, Column
from edge.classification.values import NAMED_VALIDATORS

# Values looked at per rule: enough for a share, cheap however many rules there are.
SAMPLED_VALUES = 200

log = structlog.get_logger()


@dataclass(frozen=True)
class CustomRules:
    version: str | None  # `<rule set>-v<n>`; None: nothing published, the built-in rules alone
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, rule_set: dict[str, Any] | None) -> CustomRules:
        """From a discovery job's `rule_set` ({"version", "rules"}), if it carries one."""
        if not rule_set:
            return cls(None)
        version = rule_set.get("version")
        return cls(
            version,
            {
                rule_id: rule
                for rule_id, rule in (rule_set.get("rules") or {}).items()
                if _runnable(version, rule_id, rule)
            },
        )

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


def _runnable(version: str | None, rule_id: str, rule: dict[str, Any]) -> bool:
    """Whether RE2 compiles the rule's patterns. Rule sets are checked when written, so only a
    rule stored before patterns ran on RE2 can fail here: it is left out, with a warning."""
    try:
        for pattern in (rule.get("name_pattern"), rule.get("value_pattern")):
            if pattern:
                compile_pattern(pattern)
    except PatternError as error:
        log.warning("custom_rule_left_out", rule_set=version, rule_id=rule_id, reason=str(error))
        return False
    return True


def _fires(rule: dict[str, Any], column: Column) -> bool:
    name_pattern, value_pattern = rule.get("name_pattern"), rule.get("value_pattern")
    if name_pattern and not compile_pattern(name_pattern, ignore_case=True).search(column.name):
        return False
    if not value_pattern:
        return True
    values = [v.strip() for v in column.values[:SAMPLED_VALUES] if v.strip()]
    if not values:
        return False
    pattern = compile_pattern(value_pattern)
    check = NAMED_VALIDATORS.get(rule.get("validator") or "")
    matched = sum(1 for v in values if pattern.fullmatch(v) and (check is None or check(v)))
    return matched / len(values) >= float(rule["min_share"])
