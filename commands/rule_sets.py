"""Use cases of the classification context: edit the install's rule set and publish it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from commands.conflicts import retrying_on_conflict
from commands.messages import ChangeRule, PublishRuleSet, Receipt, RemoveRule
from domain.meta import EventMeta
from domain.rule_sets import RuleSet

DEFAULT = "default"


def published_rules(repository: Any) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """The default rule set's published version label and rules, from any application's
    repository on the event store; (None, {}) before anything was published."""
    try:
        rule_set: RuleSet = repository.get(RuleSet.create_id(DEFAULT))
    except AggregateNotFoundError:
        return None, {}
    return rule_set.version_label, dict(rule_set.published)


class RuleSets(Application[UUID]):
    """The rule-set application; it shares the event store with every context."""

    name = "datawave"

    def put_rule(self, cmd: ChangeRule, meta: EventMeta) -> Receipt:
        """Add the rule to the draft, or change the one with its id."""

        def change(rule_set: RuleSet) -> None:
            if cmd.rule_id in rule_set.draft:
                rule_set.change_rule(cmd.rule_id, cmd.rule, meta)
            else:
                rule_set.add_rule(cmd.rule_id, cmd.rule, meta)

        return self._change(change, meta)

    def remove_rule(self, cmd: RemoveRule, meta: EventMeta) -> Receipt:
        return self._change(lambda r: r.remove_rule(cmd.rule_id, meta), meta)

    def publish(self, _: PublishRuleSet, meta: EventMeta) -> Receipt:
        return self._change(lambda r: r.publish(meta), meta)

    def rule_set(self) -> RuleSet | None:
        """The default rule set with its draft and published rules; None before the first edit."""
        try:
            rule_set: RuleSet = self.repository.get(RuleSet.create_id(DEFAULT))
        except AggregateNotFoundError:
            return None
        return rule_set

    def _change(self, change: Callable[[RuleSet], None], meta: EventMeta) -> Receipt:
        def attempt(_: bool) -> Receipt:
            rule_set = self.rule_set() or RuleSet(name=DEFAULT, meta=meta)
            change(rule_set)
            recordings = self.save(rule_set)
            position = max((r.notification.id for r in recordings), default=0)
            return Receipt(aggregate_id=rule_set.id, version=rule_set.version, position=position)

        return retrying_on_conflict(attempt)
