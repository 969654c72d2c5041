"""Custom rules from the published rule set, applied after the built-in decision.

A rule fires when its name pattern finds the column's name (case-insensitive) and, if it has a
value pattern, at least `min_share` of the sampled values match it whole (and pass its
validator, if it names one). The firing rule with the highest confidence replaces the built-in
decision when it is at least as confident, or when the built-in rules left the column
unclassified. Every decision records the rule set's version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import structlog

from domain.patterns import PatternError, compile_pattern
from domain.taxonomy import CATEGORIES
from edge.classification.rules import RULE_SET, Classification, Column
from edge.classification.values import NAMED_VALIDATORS, mask_shape, present_values

# Values looked at per rule: enough for a share, cheap however many rules there are.
SAMPLED_VALUES = 200

log = structlog.get_logger()


@dataclass(frozen=True)
class CustomRule:
    """One published rule, its patterns compiled once for every column of a scan."""

    infotype: str
    confidence: float
    name_pattern: Any = None  # compiled, case-insensitive; None: any name
    value_pattern: Any = None  # compiled; None: the name alone decides
    validator: Callable[[str], bool] | None = None
    min_share: float = 1.0  # of the sampled values that must match; only with a value pattern

    @classmethod
    def of(cls, rule: dict[str, Any]) -> CustomRule:
        """From a stored rule; PatternError if RE2 refuses one of its patterns."""
        name, value = rule.get("name_pattern"), rule.get("value_pattern")
        return cls(
            infotype=rule["infotype"],
            confidence=float(rule["confidence"]),
            name_pattern=compile_pattern(name, ignore_case=True) if name else None,
            value_pattern=compile_pattern(value) if value else None,
            validator=NAMED_VALIDATORS.get(rule.get("validator") or ""),
            min_share=float(rule["min_share"]) if value else 1.0,
        )

    def fires(self, column: Column) -> dict[str, Any] | None:
        """None if the rule does not fire on the column; else the value evidence it fired on,
        counted like the built-in rules' (empty for a rule on the name alone)."""
        if self.name_pattern is not None and not self.name_pattern.search(column.name):
            return None
        if self.value_pattern is None:
            return {}
        values = present_values(column.values[:SAMPLED_VALUES])
        matched = [v for v in values if self.value_pattern.fullmatch(v)]
        check = self.validator
        validated = matched if check is None else [v for v in matched if check(v)]
        if not validated or len(validated) / len(values) < self.min_share:
            return None
        return {
            "total": len(values),
            "matched": len(matched),
            "validated": len(validated),
            "example": mask_shape(validated[0]),
        }


@dataclass(frozen=True)
class CustomRules:
    version: str | None  # `<rule set>-v<n>`; None: nothing published, the built-in rules alone
    rules: dict[str, CustomRule] = field(default_factory=dict)

    @classmethod
    def of(cls, rule_set: dict[str, Any] | None) -> CustomRules:
        """From a discovery job's `rule_set` ({"version", "rules"}), if it carries one.

        Rule sets are checked when written, so only a rule stored before patterns ran on RE2
        can fail to compile here: it is left out, with a warning, and the others still apply.
        """
        if not rule_set:
            return cls(None)
        version = rule_set.get("version")
        rules = {}
        for rule_id, stored in (rule_set.get("rules") or {}).items():
            try:
                rules[rule_id] = CustomRule.of(stored)
            except PatternError as error:
                log.warning(
                    "custom_rule_left_out", rule_set=version, rule_id=rule_id, reason=str(error)
                )
        return cls(version, rules)

    def apply(self, column: Column, decision: Classification) -> Classification:
        label = self.version or RULE_SET
        fired = {
            rule_id: found
            for rule_id, rule in self.rules.items()
            if (found := rule.fires(column)) is not None
        }
        if not fired:
            return replace(decision, rule_set=label)
        rule_id = max(fired, key=lambda r: (self.rules[r].confidence, r))
        rule = self.rules[rule_id]
        if decision.infotype is not None and decision.confidence > rule.confidence:
            return replace(decision, rule_set=label)
        # The built-in value counts were about another infotype: the rule's own replace them.
        evidence = {k: v for k, v in decision.evidence.items() if k != "values"}
        evidence["custom_rule"] = rule_id
        if fired[rule_id]:
            evidence["values"] = fired[rule_id]
        return Classification(
            rule.infotype,
            CATEGORIES[rule.infotype],
            rule.confidence,
            "rules",
            evidence,
            decision.model,
            label,
        )
