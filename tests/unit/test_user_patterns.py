"""Patterns users write (custom classification rules, policy conditions) cannot hang a scan:
they run on RE2, which matches in linear time, and constructs that need backtracking are refused
when the rule is written."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from domain.errors import InvalidCommandError
from domain.policies import Subject, evaluate, validate_rules
from domain.rule_sets import validate_rule
from edge.classification.custom import CustomRules
from edge.classification.rules import Classification, Column

# Nested quantifiers: Python's `re` needs about 2**n steps to reject n a's followed by a '!'.
CATASTROPHIC = "(a+)+$"
ALMOST = "a" * 64 + "!"  # 2**64 backtracking steps: it would never finish on `re`
# A bound for work that must finish, so that a regression fails instead of hanging the suite.
HANG_GUARD_SECONDS = 60


def finishes(work: Callable[[], Any]) -> Any:
    """What `work` returns, once a forked copy of this process has shown that it finishes; a
    failed test if that copy is still running after the hang guard. (A thread would not do: a
    backtracking `re` match holds the GIL until it ends.)"""
    trial = multiprocessing.get_context("fork").Process(target=work, daemon=True)
    trial.start()
    trial.join(HANG_GUARD_SECONDS)
    if trial.is_alive():
        trial.kill()
        trial.join()
    assert trial.exitcode == 0, "matching a user pattern did not finish"
    return work()


def column(name: str, values: list[str]) -> Column:
    return Column(name=name, table="t", data_type="text", values=values)


UNCLASSIFIED = Classification(None, None, 0.0, "rules")


def test_a_custom_value_pattern_with_nested_quantifiers_does_not_hang_classification() -> None:
    rules = CustomRules.of(
        {
            "version": "default-v1",
            "rules": {
                "as": validate_rule({"infotype": "API_KEY", "value_pattern": CATASTROPHIC}),
            },
        }
    )
    dirty = column("token", [ALMOST] * 200)
    decision = finishes(lambda: rules.apply(dirty, UNCLASSIFIED))
    assert decision.infotype is None and decision.rule_set == "default-v1"
    clean = column("token", ["a" * 30] * 200)
    assert rules.apply(clean, UNCLASSIFIED).infotype == "API_KEY"


def test_a_policy_condition_with_nested_quantifiers_does_not_hang_evaluation() -> None:
    rules = validate_rules(
        [
            {
                "id": "r",
                "title": "Odd column names",
                "severity": "low",
                "when": {"field": "column.name", "op": "matches", "value": CATASTROPHIC},
            }
        ]
    )

    def judged(name: str) -> Subject:
        return Subject(
            source={"id": "s", "name": "crm", "kind": "postgresql", "owner": None, "tags": []},
            asset={"id": "a", "qualified_name": "public.t", "kind": "table"},
            column={"name": name, "infotype": None, "category": None},
        )

    assert finishes(lambda: evaluate(rules, [judged(ALMOST)] * 50)) == []
    assert [v.column for v in evaluate(rules, [judged("aaaa")])] == ["aaaa"]


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [(r"(\d)\1", "backreference"), (r"card(?=\d)", "lookahead"), (r"(?<!x)ssn", "lookbehind")],
)
def test_patterns_that_need_backtracking_are_refused_with_the_reason(
    pattern: str, construct: str
) -> None:
    with pytest.raises(InvalidCommandError) as in_rule_set:
        validate_rule({"infotype": "US_SSN", "name_pattern": pattern})
    assert in_rule_set.value.field == "name_pattern"
    assert "RE2 syntax" in in_rule_set.value.reason, construct
    with pytest.raises(InvalidCommandError) as in_policy:
        validate_rules(
            [
                {
                    "id": "r",
                    "title": "t",
                    "severity": "low",
                    "when": {"field": "column.name", "op": "matches", "value": pattern},
                }
            ]
        )
    assert in_policy.value.field == "rules[0].when.value"
    assert "RE2 syntax" in in_policy.value.reason


def test_a_stored_rule_that_re2_refuses_is_left_out_with_a_warning_not_a_failed_scan() -> None:
    # Rule sets written before patterns ran on RE2 may hold lookaround; the rest still apply.
    stored = {
        "version": "default-v3",
        "rules": {
            "old": {"infotype": "US_SSN", "name_pattern": "ssn(?!_hash)", "confidence": 0.99},
            "new": {"infotype": "EMAIL_ADDRESS", "name_pattern": "^mail", "confidence": 0.9},
        },
    }
    with capture_logs() as logs:
        rules = CustomRules.of(stored)
    assert set(rules.rules) == {"new"}
    assert [(e["event"], e["rule_id"]) for e in logs] == [("custom_rule_left_out", "old")]
    assert rules.apply(column("ssn", ["x"]), UNCLASSIFIED).infotype is None
    assert rules.apply(column("MAIL_TO", ["x"]), UNCLASSIFIED).infotype == "EMAIL_ADDRESS"
