"""The classification context: rule sets of custom rules, edited in drafts, used once published.

A custom rule names an infotype from the taxonomy and says when a column holds it: a pattern on
the column's name, a pattern every value must match (with a share of the values), or both, and
optionally a validator from the built-in ones. Edits change the draft; `publish` freezes the
draft as the next version, which every later scan uses and records.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidCommandError, NotFoundError
from domain.meta import EventMeta
from domain.numbers import is_number
from domain.patterns import checked_pattern
from domain.rule_ids import check_rule_id
from domain.taxonomy import ABSTAIN_BELOW, CATEGORIES
from domain.text import trimmed

VALIDATORS = frozenset({"luhn", "iban", "email", "phone", "ip", "ssn", "vin"})
MAX_RULES = 200
MAX_RULES_BYTES = 256 * 1024


def validate_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as stored: checked, with defaults filled in. Patterns must compile."""
    infotype = rule.get("infotype")
    if infotype not in CATEGORIES:
        raise InvalidCommandError("infotype", f"{infotype!r} is not an id of the taxonomy")
    name_pattern, value_pattern = rule.get("name_pattern"), rule.get("value_pattern")
    if not name_pattern and not value_pattern:
        raise InvalidCommandError("rule", "needs a name_pattern, a value_pattern or both")
    for field, pattern in (("name_pattern", name_pattern), ("value_pattern", value_pattern)):
        if pattern is not None:
            if not trimmed(str(pattern)):
                raise InvalidCommandError(field, "must not be blank")
            checked_pattern(pattern, field)
    validator = rule.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise InvalidCommandError("validator", f"must be one of {', '.join(sorted(VALIDATORS))}")
    confidence = rule.get("confidence", 0.9)
    if not is_number(confidence) or not ABSTAIN_BELOW <= confidence <= 1:
        # Below it the classifier leaves a column unclassified: such a rule could never decide.
        raise InvalidCommandError(
            "confidence",
            f"must be in [{ABSTAIN_BELOW}, 1], the range in which a column is classified",
        )
    min_share = rule.get("min_share", 0.8)
    if not is_number(min_share) or not 0 < min_share <= 1:
        raise InvalidCommandError("min_share", "must be in (0, 1]")
    return {
        "infotype": infotype,
        "name_pattern": name_pattern,
        "value_pattern": value_pattern,
        "validator": validator,
        "confidence": float(confidence),
        "min_share": float(min_share),
    }


class RuleSet(Aggregate):
    """One rule set; the install's rules live in the one named `default`."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/datawave/rule-sets/{name.casefold()}")

    @event("Created")
    def __init__(self, name: str, meta: EventMeta) -> None:
        self.name = name
        self.draft: dict[str, dict[str, Any]] = {}
        self.published: dict[str, dict[str, Any]] = {}
        self.published_version = 0

    @property
    def version_label(self) -> str | None:
        """What a classification records: `<name>-v<version>`, None before the first publish."""
        return f"{self.name}-v{self.published_version}" if self.published_version else None

    def add_rule(self, rule_id: str, rule: dict[str, Any], meta: EventMeta) -> None:
        check_rule_id(rule_id, "rule_id")
        if rule_id in self.draft:
            raise InvalidCommandError("rule_id", f"the rule {rule_id!r} exists; change it instead")
        if len(self.draft) >= MAX_RULES:
            raise ConflictError(f"the rule set holds {MAX_RULES} rules, the most it may")
        checked = validate_rule(rule)
        self._check_size(rule_id, checked)
        self._rule_added(rule_id=rule_id, rule=checked, meta=meta)

    def change_rule(self, rule_id: str, rule: dict[str, Any], meta: EventMeta) -> None:
        if rule_id not in self.draft:
            raise NotFoundError("rule", rule_id)
        checked = validate_rule(rule)
        self._check_size(rule_id, checked)
        self._rule_changed(rule_id=rule_id, rule=checked, meta=meta)

    def _check_size(self, rule_id: str, rule: dict[str, Any]) -> None:
        # Every edge job of a scan and every published version carries all the rules, in one
        # Kafka message: they must fit one with room to spare.
        size = len(json.dumps({**self.draft, rule_id: rule}))
        if size > MAX_RULES_BYTES:
            raise ConflictError(
                f"the rule set would be {size} bytes of JSON, over {MAX_RULES_BYTES}: "
                "shorten or remove rules"
            )

    def remove_rule(self, rule_id: str, meta: EventMeta) -> None:
        if rule_id not in self.draft:
            raise NotFoundError("rule", rule_id)
        self._rule_removed(rule_id=rule_id, meta=meta)

    def publish(self, meta: EventMeta) -> None:
        """Freeze the draft as the next version; publishing an unchanged draft changes nothing."""
        if self.published_version and self.draft == self.published:
            return
        self._published(version=self.published_version + 1, rules=dict(self.draft), meta=meta)

    @event("RuleAdded")
    def _rule_added(self, rule_id: str, rule: dict[str, Any], meta: EventMeta) -> None:
        self.draft[rule_id] = rule

    @event("RuleChanged")
    def _rule_changed(self, rule_id: str, rule: dict[str, Any], meta: EventMeta) -> None:
        self.draft[rule_id] = rule

    @event("RuleRemoved")
    def _rule_removed(self, rule_id: str, meta: EventMeta) -> None:
        del self.draft[rule_id]

    @event("Published")
    def _published(self, version: int, rules: dict[str, dict[str, Any]], meta: EventMeta) -> None:
        self.published = dict(rules)
        self.published_version = version
