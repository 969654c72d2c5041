"""A published custom rule's decision carries its own evidence: counts and a masked example."""

from __future__ import annotations

from dataclasses import replace

from domain.rule_sets import validate_rule
from edge.classification.custom import CustomRules
from edge.classification.rules import Classification, Column

CARDS = ["4111 1111 1111 1111", "5500 0055 5555 5559", "4012 8888 8888 1881"]
NOT_LUHN = ["4111 1111 1111 1112"]


def rules(**rule: object) -> CustomRules:
    return CustomRules.of({"version": "default-v2", "rules": {"r": validate_rule(dict(rule))}})


def test_a_value_rule_records_what_matched_what_validated_and_a_masked_example() -> None:
    values = CARDS * 3 + NOT_LUHN + ["", "  "]
    card_rule = rules(
        infotype="CREDIT_CARD_NUMBER",
        value_pattern=r"\d{4} \d{4} \d{4} \d{4}",
        validator="luhn",
        min_share=0.8,
        confidence=0.9,
    )
    built_in = Classification(
        None, None, 0.3, "rules", {"name_tokens": ["ref"], "values": {"total": 10}}
    )
    decision = card_rule.apply(Column("ref", "t", "text", values), built_in)
    assert (decision.infotype, decision.confidence, decision.rule_set) == (
        "CREDIT_CARD_NUMBER",
        0.9,
        "default-v2",
    )
    assert decision.evidence["custom_rule"] == "r"
    assert decision.evidence["name_tokens"] == ["ref"]
    assert decision.evidence["values"] == {
        "total": 10,
        "matched": 10,
        "validated": 9,
        "example": "**** **** **** ****",
    }
    assert all(card not in str(decision.evidence) for card in CARDS)
    # Below the share once the invalid numbers are more than a fifth: the rule does not fire.
    dirty = CARDS * 2 + NOT_LUHN * 3
    unchanged = card_rule.apply(Column("ref", "t", "text", dirty), built_in)
    assert unchanged == replace(built_in, rule_set="default-v2")


def test_a_name_rule_drops_the_built_in_value_counts_it_overrules() -> None:
    name_rule = rules(infotype="NATIONAL_ID", name_pattern="^kundennr$", confidence=0.95)
    built_in = Classification(
        "PHONE_NUMBER", "PII", 0.7, "rules", {"values": {"total": 5, "matched": 5}}
    )
    decision = name_rule.apply(Column("kundennr", "t", "text", ["KN-1"]), built_in)
    assert decision.infotype == "NATIONAL_ID"
    assert decision.evidence == {"custom_rule": "r"}


def test_an_example_of_symbols_alone_is_masked_too() -> None:
    symbols = rules(infotype="PASSWORD", value_pattern=r"[!@#$%^&*]{5}", confidence=0.9)
    unsure = Classification(None, None, 0.0, "rules")
    decision = symbols.apply(Column("sign", "t", "text", ["!@#$%", "#$%^&"] * 10), unsure)
    assert decision.evidence["values"]["example"] == "*****"  # not even the "@"
