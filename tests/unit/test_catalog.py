"""The catalog use cases on the in-memory event store: what re-discovery appends, and what not."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID, uuid4

import pytest

from commands.catalog import Catalog
from commands.messages import (
    ChangeRule,
    OverrideClassification,
    PublishRuleSet,
    RemoveRule,
    WithdrawOverride,
)
from commands.rule_sets import RuleSets, published_rules
from domain.catalog import asset_id
from domain.errors import ConflictError, InvalidCommandError, NotFoundError
from domain.meta import EventMeta

META: EventMeta = {"actor": "edge-agent:a", "correlation_id": "wf-1", "causation_id": "wf-1:1"}
SOURCE = uuid4()


def customers() -> dict[str, Any]:
    return {
        "qualified_name": "public.customers",
        "kind": "table",
        "columns": [
            {"name": "id", "data_type": "integer", "nullable": False, "profile": {"null_ratio": 0}},
            {
                "name": "email",
                "data_type": "text",
                "nullable": True,
                "profile": {"null_ratio": 0.1},
            },
            {"name": "age", "data_type": "smallint", "nullable": True, "profile": None},
        ],
        "primary_key": ["id"],
        "foreign_keys": [],
        "row_estimate": 1000,
    }


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def event_names(catalog: Catalog) -> list[str]:
    aggregate = asset_id(SOURCE, "public.customers")
    return [type(e).__name__ for e in catalog.events.get(aggregate)]


def test_a_table_seen_again_unchanged_appends_nothing(catalog: Catalog) -> None:
    first = catalog.ingest(SOURCE, [customers()], META)
    again = catalog.ingest(SOURCE, [customers()], META)
    assert (first.discovered, first.events) == (1, 1)
    assert (again.discovered, again.changed, again.events) == (0, 0, 0)
    assert event_names(catalog) == ["Discovered"]


def test_each_schema_change_is_its_own_event(catalog: Catalog) -> None:
    catalog.ingest(SOURCE, [customers()], META)
    drifted = customers()
    columns = drifted["columns"]
    drifted["columns"] = [
        columns[0],
        {**columns[1], "data_type": "character varying(320)"},
        {"name": "phone", "data_type": "text", "nullable": True, "profile": None},
    ]
    catalog.ingest(SOURCE, [drifted], META)
    assert event_names(catalog)[1:] == ["ColumnRemoved", "ColumnTypeChanged", "ColumnAdded"]
    asset = catalog.get_asset(asset_id(SOURCE, "public.customers"))
    assert asset is not None
    assert list(asset.columns) == ["id", "email", "phone"]
    assert asset.columns["email"]["data_type"] == "character varying(320)"
    assert catalog.ingest(SOURCE, [drifted], META).events == 0


def test_changed_statistics_and_keys_are_recorded_once(catalog: Catalog) -> None:
    catalog.ingest(SOURCE, [customers()], META)
    changed = copy.deepcopy(customers())
    changed["columns"][1]["profile"] = {"null_ratio": 0.5}
    changed["row_estimate"] = 2000
    changed["primary_key"] = ["id", "email"]
    catalog.ingest(SOURCE, [changed], META)
    assert event_names(catalog)[1:] == ["KeysChanged", "StatisticsUpdated"]
    assert catalog.ingest(SOURCE, [changed], META).events == 0


def test_a_decommissioned_table_that_returns_is_rediscovered(catalog: Catalog) -> None:
    catalog.ingest(SOURCE, [customers()], META)
    aggregate = asset_id(SOURCE, "public.customers")
    assert catalog.decommission([aggregate], "gone", META) == 1
    assert catalog.decommission([aggregate], "gone", META) == 0
    catalog.ingest(SOURCE, [customers()], META)
    assert event_names(catalog) == ["Discovered", "Decommissioned", "Rediscovered"]


def test_the_same_table_of_another_source_is_another_asset() -> None:
    assert asset_id(SOURCE, "public.customers") != asset_id(uuid4(), "public.customers")
    assert asset_id(SOURCE, "public.customers") == asset_id(SOURCE, "public.customers")


def classified(
    observed: dict[str, Any], column: str, infotype: str | None, confidence: float
) -> None:
    for item in observed["columns"]:
        if item["name"] == column:
            item["classification"] = {
                "infotype": infotype,
                "category": "PII" if infotype else None,
                "confidence": confidence,
                "method": "rules",
                "evidence": {"values": {"total": 10, "matched": 10}},
            }


def test_classifications_are_recorded_when_the_decision_changes_with_the_previous_one(
    catalog: Catalog,
) -> None:
    first = customers()
    classified(first, "email", "EMAIL_ADDRESS", 0.97)
    classified(first, "age", None, 0.2)
    catalog.ingest(SOURCE, [first], META)
    assert event_names(catalog) == ["Discovered", "ColumnClassified"]  # "age" stays unclassified
    again = customers()
    classified(again, "email", "EMAIL_ADDRESS", 0.97)
    again["columns"][1]["classification"]["evidence"] = {"values": {"total": 11, "matched": 11}}
    classified(again, "age", None, 0.2)
    assert catalog.ingest(SOURCE, [again], META).events == 0  # same decisions, new counts
    changed = customers()
    classified(changed, "email", None, 0.4)
    catalog.ingest(SOURCE, [changed], META)
    aggregate = asset_id(SOURCE, "public.customers")
    last = list(catalog.events.get(aggregate))[-1]
    assert type(last).__name__ == "ColumnClassified"
    assert last.previous["infotype"] == "EMAIL_ADDRESS"  # type: ignore[attr-defined]
    assert last.classification["infotype"] is None  # type: ignore[attr-defined]


def email_decided_by_a_steward(catalog: Catalog, infotype: str | None) -> UUID:
    """The customers table classified by workflow wf-1 (email: EMAIL_ADDRESS), then a steward's
    decision on email; the asset's id."""
    first = customers()
    classified(first, "email", "EMAIL_ADDRESS", 0.97)
    catalog.ingest(SOURCE, [first], META)
    aggregate = asset_id(SOURCE, "public.customers")
    decision = OverrideClassification(aggregate, "email", infotype, "checked by hand")
    catalog.override_classification(decision, META)
    return aggregate


def test_a_stewards_decision_survives_every_rescan_and_is_checked(catalog: Catalog) -> None:
    aggregate = email_decided_by_a_steward(catalog, None)
    rescan = customers()
    classified(rescan, "email", "EMAIL_ADDRESS", 0.99)
    assert catalog.ingest(SOURCE, [rescan], META).events == 0
    asset = catalog.get_asset(aggregate)
    assert asset is not None
    assert asset.classifications["email"]["method"] == "manual"
    assert asset.classifications["email"]["infotype"] is None
    with pytest.raises(NotFoundError, match="no column with id 'nope' in asset"):
        catalog.override_classification(OverrideClassification(aggregate, "nope", None, "x"), META)
    for bad in (
        OverrideClassification(aggregate, "email", "NOT_AN_ID", "x"),
        OverrideClassification(aggregate, "email", "EMAIL_ADDRESS", " "),
        # Invisible characters are no reason either: a zero-width space, a byte-order mark.
        OverrideClassification(aggregate, "email", "EMAIL_ADDRESS", "\u200b \ufeff"),
    ):
        with pytest.raises(InvalidCommandError):
            catalog.override_classification(bad, META)
    with pytest.raises(NotFoundError):
        catalog.override_classification(OverrideClassification(uuid4(), "x", None, "y"), META)


def test_a_withdrawn_decision_gives_the_column_back_to_the_scans(catalog: Catalog) -> None:
    first = customers()
    classified(first, "email", "EMAIL_ADDRESS", 0.97)
    catalog.ingest(SOURCE, [first], META)
    aggregate = asset_id(SOURCE, "public.customers")
    withdraw = WithdrawOverride(aggregate, "email", "decided on the wrong column")
    with pytest.raises(ConflictError, match="no steward's decision"):
        catalog.withdraw_override(withdraw, META)
    with pytest.raises(InvalidCommandError):  # a bad request is that, whatever the column's state
        catalog.withdraw_override(WithdrawOverride(aggregate, "email", "  "), META)
    for infotype in (None, "PERSON_NAME"):  # decided twice: the automatic one stays set aside
        decision = OverrideClassification(aggregate, "email", infotype, "checked by hand")
        catalog.override_classification(decision, META)
    with pytest.raises(InvalidCommandError):
        catalog.withdraw_override(WithdrawOverride(aggregate, "email", " "), META)
    catalog.withdraw_override(withdraw, META)
    asset = catalog.get_asset(aggregate)
    assert asset is not None
    restored = asset.classifications["email"]
    assert (restored["infotype"], restored["method"]) == ("EMAIL_ADDRESS", "rules")
    last = list(catalog.events.get(aggregate))[-1]
    assert type(last).__name__ == "ClassificationOverrideWithdrawn"
    assert last.previous["infotype"] == "PERSON_NAME"  # type: ignore[attr-defined]
    assert last.reason == "decided on the wrong column"  # type: ignore[attr-defined]
    with pytest.raises(ConflictError):
        catalog.withdraw_override(withdraw, META)
    rescan = customers()  # the scans decide again
    classified(rescan, "email", None, 0.3)
    catalog.ingest(SOURCE, [rescan], META)
    asset = catalog.get_asset(aggregate)
    assert asset is not None and asset.classifications["email"]["infotype"] is None
    assert type(list(catalog.events.get(aggregate))[-1]).__name__ == "ColumnClassified"


def test_a_withdrawal_restores_what_was_set_aside_across_absence_and_roll_back(
    catalog: Catalog,
) -> None:
    aggregate = email_decided_by_a_steward(catalog, "USERNAME")
    catalog.decommission([aggregate], "gone", META)
    back = customers()
    classified(back, "email", "EMAIL_ADDRESS", 0.97)
    catalog.ingest(SOURCE, [back], META)  # the steward's decision came back with the table
    catalog.withdraw_override(WithdrawOverride(aggregate, "email", "not logins"), META)
    asset = catalog.get_asset(aggregate)
    assert asset is not None
    assert asset.classifications["email"]["infotype"] == "EMAIL_ADDRESS"
    # wf-1's decision stands again, so rolling wf-1 back still reverts it.
    assert asset.revert_classifications("wf-1", META) == ["email"]
    assert asset.classifications["email"]["infotype"] is None


def test_a_roll_back_under_a_stewards_decision_is_not_undone_by_withdrawing_it(
    catalog: Catalog,
) -> None:
    aggregate = email_decided_by_a_steward(catalog, None)
    asset = catalog.get_asset(aggregate)
    assert asset is not None
    assert asset.revert_classifications("wf-1", META) == ["email"]
    assert asset.classifications["email"]["method"] == "manual"  # the steward's still shows
    catalog.save(asset)
    catalog.withdraw_override(WithdrawOverride(aggregate, "email", "checked again"), META)
    asset = catalog.get_asset(aggregate)
    assert asset is not None
    assert asset.classifications["email"]["infotype"] is None  # wf-1's stays rolled back
    assert asset.revert_classifications("wf-1", META) == []


def test_a_stewards_decision_survives_the_table_being_gone_for_a_scan(catalog: Catalog) -> None:
    aggregate = email_decided_by_a_steward(catalog, "PERSON_NAME")
    catalog.decommission([aggregate], "gone", META)
    back = customers()
    classified(back, "email", "EMAIL_ADDRESS", 0.97)
    catalog.ingest(SOURCE, [back], META)
    asset = catalog.get_asset(aggregate)
    assert asset is not None and not asset.decommissioned
    assert asset.classifications["email"]["infotype"] == "PERSON_NAME"
    assert asset.classifications["email"]["method"] == "manual"


def test_rules_are_checked_edited_in_a_draft_and_published_as_versions() -> None:
    rule_sets = RuleSets(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for bad in (
        {"infotype": "NOPE", "name_pattern": "x"},
        {"infotype": "EMAIL_ADDRESS"},
        {"infotype": "EMAIL_ADDRESS", "value_pattern": "("},
        {"infotype": "EMAIL_ADDRESS", "name_pattern": "x", "validator": "crc"},
        {"infotype": "EMAIL_ADDRESS", "name_pattern": "   "},
        # Below the abstain threshold the rule could never classify a column.
        {"infotype": "LOCATION", "name_pattern": "^department$", "confidence": 0.3},
        {"infotype": "EMAIL_ADDRESS", "name_pattern": "x", "confidence": True},  # not a number
        {"infotype": "EMAIL_ADDRESS", "name_pattern": "x", "min_share": True},
    ):
        with pytest.raises(InvalidCommandError):
            rule_sets.put_rule(ChangeRule("r", bad), META)
    fine = {"infotype": "EMAIL_ADDRESS", "name_pattern": "^mail"}
    for bad_id in (" ", "a b", "x" * 65, "Mail", "-mail"):  # ids go into URLs and events
        with pytest.raises(InvalidCommandError, match="rule_id"):
            rule_sets.put_rule(ChangeRule(bad_id, fine), META)
    rule_sets.put_rule(ChangeRule("r", fine), META)
    assert published_rules(rule_sets.repository) == (None, {})
    for n in range(1, 200):  # every edge job carries them all: at most 200
        rule_sets.put_rule(ChangeRule(f"r{n}", fine), META)
    with pytest.raises(ConflictError, match="200 rules"):
        rule_sets.put_rule(ChangeRule("r200", fine), META)
    rule_sets.put_rule(ChangeRule("r1", {**fine, "name_pattern": "^e?mail"}), META)  # a change
    for n in range(1, 200):
        rule_sets.remove_rule(RemoveRule(f"r{n}"), META)
    rule_sets.publish(PublishRuleSet(), META)
    rule_sets.publish(PublishRuleSet(), META)  # nothing new: no new version
    version, rules = published_rules(rule_sets.repository)
    assert version == "default-v1" and rules["r"]["confidence"] == 0.9
    rule_sets.remove_rule(RemoveRule("r"), META)
    rule_sets.publish(PublishRuleSet(), META)
    assert published_rules(rule_sets.repository) == ("default-v2", {})
    with pytest.raises(NotFoundError):
        rule_sets.remove_rule(RemoveRule("r"), META)
    # And at most 256 KiB of JSON: a control character is written as six bytes.
    heavy = {"infotype": "EMAIL_ADDRESS", "name_pattern": "a" + "\x01" * 498 + "a"}
    heavy["value_pattern"] = heavy["name_pattern"]
    with pytest.raises(ConflictError, match="bytes of JSON"):
        for n in range(1, 200):
            rule_sets.put_rule(ChangeRule(f"h{n}", heavy), META)
