"""Compliance policies: the rule format, its evaluation, the built-in packs and the Policy."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from eventsourcing.application import Application

from domain.errors import ConflictError, InvalidCommandError
from domain.meta import EventMeta
from domain.policies import (
    BUILTIN_PACKS,
    MAX_DEPTH,
    Policy,
    Subject,
    Violation,
    builtin_policy_id,
    evaluate,
    validate_rules,
)

META: EventMeta = {"actor": "alice", "correlation_id": "c-1", "causation_id": "cmd-1"}


def subject(
    column: str = "email",
    infotype: str | None = "EMAIL_ADDRESS",
    category: str | None = "PII",
    *,
    qualified_name: str = "public.customers",
    asset_id: str = "asset-1",
    owner: str | None = "alice",
    tags: list[str] | None = None,
    **extra: Any,
) -> Subject:
    """A column with its asset and source; `extra` overrides or adds column or source keys."""
    source = {
        "id": "source-1",
        "name": "crm",
        "kind": "postgresql",
        "owner": owner,
        "tags": tags if tags is not None else [],
    }
    columns = {
        "name": column,
        "infotype": infotype,
        "category": category,
        "confidence": 0.95,
        "method": "rules",
    }
    for key, value in extra.items():
        (source if key in source else columns)[key] = value
    return Subject(
        source=source,
        asset={"id": asset_id, "qualified_name": qualified_name, "kind": "table"},
        column=columns,
    )


def rule(when: Any, require: Any = None, rule_id: str = "r", **extra: Any) -> dict[str, Any]:
    body = {"id": rule_id, "title": "A rule", "severity": "low", "when": when, **extra}
    if require is not None:
        body["require"] = require
    return body


def selects(condition: dict[str, Any], column: Subject) -> bool:
    """Whether the condition holds for the column, through the public validate-then-evaluate."""
    return bool(evaluate(validate_rules([rule(condition)]), [column]))


def pack_violations(pack: str, *subjects: Subject) -> list[Violation]:
    return evaluate(validate_rules(BUILTIN_PACKS[pack]["rules"]), subjects)


def leaf(field: str, op: str, *value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, **({"value": value[0]} if value else {})}


# --- operators --------------------------------------------------------------------------------

OPERATOR_CASES = [
    ("eq", leaf("column.infotype", "eq", "EMAIL_ADDRESS"), subject(), subject(infotype="AGE")),
    ("ne", leaf("column.method", "ne", "manual"), subject(), subject(method="manual")),
    (
        "in",
        leaf("column.category", "in", ["PCI", "PHI"]),
        subject(category="PHI"),
        subject(category="PII"),
    ),
    (
        "not_in",
        leaf("source.kind", "not_in", ["s3", "file"]),
        subject(kind="postgresql"),
        subject(kind="s3"),
    ),
    (
        "contains",
        leaf("source.tags", "contains", "masked"),
        subject(tags=["prod", "masked"]),
        subject(tags=["masked-partly"]),
    ),
    (
        "contains_any",
        leaf("source.tags", "contains_any", ["encrypted", "masked"]),
        subject(tags=["encrypted"]),
        subject(tags=["prod"]),
    ),
    (
        "has_prefix on a list",
        leaf("source.tags", "has_prefix", "lawful-basis:"),
        subject(tags=["prod", "lawful-basis:consent"]),
        subject(tags=["lawful-basis"]),
    ),
    (
        "has_prefix on text",
        leaf("asset.qualified_name", "has_prefix", "staging."),
        subject(qualified_name="staging.users"),
        subject(qualified_name="public.staging"),
    ),
    ("exists", leaf("source.owner", "exists"), subject(owner="alice"), subject(owner=None)),
    ("exists, blank text", leaf("source.owner", "exists"), subject(), subject(owner="  ")),
    ("exists, empty list", leaf("source.tags", "exists"), subject(tags=["x"]), subject(tags=[])),
    ("missing", leaf("source.owner", "missing"), subject(owner=None), subject(owner="bob")),
    (
        "matches is a full match",
        leaf("column.name", "matches", "(?i)cv[vc]2?"),
        subject(column="CVV2"),
        subject(column="cvv_hint"),
    ),
    (
        "gte includes the bound",
        leaf("column.confidence", "gte", 0.9),
        subject(confidence=0.9),
        subject(confidence=0.5),
    ),
    (
        "gte on an unscored column",
        leaf("column.confidence", "gte", 0),
        subject(confidence=0),
        subject(confidence=None),
    ),
    (
        "lte includes the bound",
        leaf("column.confidence", "lte", 0.5),
        subject(confidence=0.5),
        subject(confidence=0.51),
    ),
    (
        "sensitivity follows the category",
        leaf("column.sensitivity", "eq", "restricted"),
        subject("cvv", "CARD_VERIFICATION_CODE", "PCI"),
        subject(),
    ),
    (
        "unclassified has no sensitivity",
        leaf("column.sensitivity", "missing"),
        subject("notes", None, None),
        subject(),
    ),
    (
        "category from the infotype when not recorded",
        leaf("column.category", "eq", "PCI"),
        subject("iban", "IBAN", None),
        subject("notes", None, None),
    ),
]


@pytest.mark.parametrize(
    ("condition", "holding", "failing"),
    [case[1:] for case in OPERATOR_CASES],
    ids=[case[0] for case in OPERATOR_CASES],
)
def test_each_operator_selects_exactly_the_matching_columns(
    condition: dict[str, Any], holding: Subject, failing: Subject
) -> None:
    assert selects(condition, holding)
    assert not selects(condition, failing)


def test_negative_operators_are_the_exact_complements_for_unclassified_columns() -> None:
    unclassified = subject("notes", None, None)
    assert selects(leaf("column.infotype", "ne", "IBAN"), unclassified)
    assert selects(leaf("column.infotype", "not_in", ["IBAN"]), unclassified)
    assert not selects(leaf("column.infotype", "in", ["IBAN"]), unclassified)


def test_nested_all_any_and_not_combine_as_logic_does() -> None:
    # (PCI or PHI) and not in a masked source
    condition = {
        "all": [
            {"any": [leaf("column.category", "eq", "PCI"), leaf("column.category", "eq", "PHI")]},
            {"not": leaf("source.tags", "contains", "masked")},
        ]
    }
    assert selects(condition, subject("pan", "CREDIT_CARD_NUMBER", "PCI"))
    assert selects(condition, subject("diagnosis", "HEALTH_CONDITION", "PHI", tags=["prod"]))
    assert not selects(condition, subject("pan", "CREDIT_CARD_NUMBER", "PCI", tags=["masked"]))
    assert not selects(condition, subject())


# --- validation -------------------------------------------------------------------------------


def refusal(rules: Any) -> InvalidCommandError:
    with pytest.raises(InvalidCommandError) as caught:
        validate_rules(rules)
    return caught.value


CVV = leaf("column.infotype", "eq", "CARD_VERIFICATION_CODE")

INVALID_CASES: list[tuple[str, Any, str, str]] = [
    ("not a list", {"id": "r"}, "rules", "must be a list"),
    ("no rules", [], "rules", "between 1 and 200"),
    ("too many rules", [rule(CVV, rule_id=f"r{i}") for i in range(201)], "rules", "200"),
    (
        "unknown op",
        [rule({"any": [{"field": "column.name", "op": "like", "value": "x"}]})],
        "rules[0].when.any[0].op",
        "must be one of eq, ne, in, not_in",
    ),
    (
        "unknown field",
        [rule({"all": [CVV, leaf("column.owner", "exists")]})],
        "rules[0].when.all[1].field",
        "must be one of column.name",
    ),
    (
        "bad infotype",
        [rule(CVV, rule_id="a"), rule({"any": [leaf("column.infotype", "eq", "CVV")]})],
        "rules[1].when.any[0].value",
        "'CVV' is not an infotype id of the taxonomy",
    ),
    (
        "bad infotype in a list",
        [rule(leaf("column.infotype", "not_in", ["IBAN", "PAN"]))],
        "rules[0].when.value[1]",
        "'PAN' is not an infotype id of the taxonomy",
    ),
    (
        "bad category",
        [rule(leaf("column.category", "eq", "PERSONAL"))],
        "rules[0].when.value",
        "'PERSONAL' is not a category of the taxonomy (CREDENTIALS, PCI, PHI, PII, SPECIAL)",
    ),
    (
        "bad sensitivity",
        [rule(leaf("column.sensitivity", "in", ["secret"]))],
        "rules[0].when.value[0]",
        "'secret' is not a sensitivity level (confidential, restricted)",
    ),
    (
        "bad regex",
        [rule(CVV, require={"not": leaf("column.name", "matches", "cvv(")})],
        "rules[0].require.not.value",
        "is not a valid regular expression",
    ),
    (
        "regex too long",
        [rule(leaf("column.name", "matches", "a" * 501))],
        "rules[0].when.value",
        "at most 500 characters",
    ),
    (
        "duplicate rule ids",
        [rule(CVV, rule_id="x"), rule(CVV, rule_id="y"), rule(CVV, rule_id="x")],
        "rules[2].id",
        "'x' is already the id of rules[0]",
    ),
    ("missing when", [{"id": "r", "title": "t", "severity": "low"}], "rules[0].when", "required"),
    (
        "in needs a list",
        [rule(leaf("column.category", "in", "PII"))],
        "rules[0].when.value",
        "must be a list",
    ),
    (
        "gte needs a number",
        [rule(leaf("column.confidence", "gte", "0.9"))],
        "rules[0].when.value",
        "must be a number",
    ),
    (
        "a boolean is no number",
        [rule(leaf("column.confidence", "lte", True))],
        "rules[0].when.value",
        "must be a number",
    ),
    (
        "has_prefix needs text",
        [rule(leaf("source.tags", "has_prefix", 3))],
        "rules[0].when.value",
        "must be text",
    ),
    (
        "eq on text needs text",
        [rule(leaf("source.owner", "eq", 1))],
        "rules[0].when.value",
        "must be a text value",
    ),
    (
        "value left out",
        [rule(leaf("column.infotype", "eq"))],
        "rules[0].when.value",
        "is required for eq",
    ),
    (
        "value given to exists",
        [rule(leaf("source.owner", "exists", "alice"))],
        "rules[0].when.value",
        "must be left out for exists",
    ),
    (
        "list operator on a text field",
        [rule(leaf("column.name", "contains", "cvv"))],
        "rules[0].when.op",
        "contains does not apply to column.name",
    ),
    (
        "unknown rule key",
        [rule(CVV, sevrity="high")],
        "rules[0].sevrity",
        "is not a known key",
    ),
    (
        "unknown leaf key",
        [rule({"field": "column.name", "op": "eq", "valeu": "x"})],
        "rules[0].when.valeu",
        "is not a known key",
    ),
    (
        "two combinators in one condition",
        [rule({"all": [CVV], "any": [CVV]})],
        "rules[0].when.any",
        "is not a known key",
    ),
    (
        "unknown condition shape",
        [rule({"every": [CVV]})],
        "rules[0].when.every",
        "is not a known key",
    ),
    ("empty all", [rule({"all": []})], "rules[0].when.all", "at least one condition"),
    ("bad id", [rule(CVV, rule_id="PCI 3.3")], "rules[0].id", "lower-case letters"),
    ("bad severity", [rule(CVV, severity="urgent")], "rules[0].severity", "low, medium, high"),
    ("blank title", [rule(CVV, title="  ")], "rules[0].title", "must not be empty"),
    # Bounded, so that a policy's events fit a Kafka message.
    (
        "blank prefix",
        [rule(leaf("source.tags", "has_prefix", "   "))],
        "rules[0].when.value",
        "must not be empty",
    ),
    (
        "long prefix",
        [rule(leaf("source.tags", "has_prefix", "x" * 201))],
        "rules[0].when.value",
        "at most 200 characters",
    ),
    (
        "long value",
        [rule(leaf("source.owner", "eq", "x" * 201))],
        "rules[0].when.value",
        "at most 200 characters",
    ),
    (
        "too many values",
        [rule(leaf("column.name", "in", ["x"] * 501))],
        "rules[0].when.value",
        "a list of 1 to 500",
    ),
]


@pytest.mark.parametrize(
    ("rules", "field", "reason"),
    [case[1:] for case in INVALID_CASES],
    ids=[case[0] for case in INVALID_CASES],
)
def test_invalid_rules_are_refused_at_the_exact_place(rules: Any, field: str, reason: str) -> None:
    error = refusal(rules)
    assert error.field == field
    assert reason in error.reason


def test_nesting_is_bounded() -> None:
    condition: dict[str, Any] = CVV
    for _ in range(MAX_DEPTH - 1):
        condition = {"not": condition}
    validate_rules([rule(condition)])  # the deepest allowed
    error = refusal([rule({"not": condition})])
    assert error.field == "rules[0].when" + ".not" * MAX_DEPTH
    assert "deeper than" in error.reason


def test_validation_fills_defaults_and_leaves_the_input_alone() -> None:
    given = [rule(leaf("column.category", "in", ["PII"]), title="  Owners  ")]
    [stored] = validate_rules(given)
    assert stored == {
        "id": "r",
        "title": "Owners",
        "reference": "",
        "severity": "low",
        "when": {"field": "column.category", "op": "in", "value": ["PII"]},
        "require": None,
    }
    stored["when"]["value"].append("PCI")
    assert given[0]["when"]["value"] == ["PII"]


# --- evaluation -------------------------------------------------------------------------------


def test_violations_come_ordered_by_qualified_name_column_and_rule() -> None:
    rules = validate_rules(
        [
            rule(leaf("column.category", "eq", "PII"), rule_id="z-any-pii"),
            rule(leaf("source.owner", "exists"), rule_id="a-owned"),
        ]
    )
    columns = [
        subject("phone", "PHONE_NUMBER", qualified_name="public.users"),
        subject("email", qualified_name="public.users"),
        subject("name", "PERSON_NAME", qualified_name="public.accounts"),
    ]
    found = [(v.qualified_name, v.column, v.rule_id) for v in evaluate(rules, columns)]
    assert found == [
        ("public.accounts", "name", "a-owned"),
        ("public.accounts", "name", "z-any-pii"),
        ("public.users", "email", "a-owned"),
        ("public.users", "email", "z-any-pii"),
        ("public.users", "phone", "a-owned"),
        ("public.users", "phone", "z-any-pii"),
    ]


def test_a_selected_column_that_meets_the_requirement_is_no_violation() -> None:
    rules = validate_rules(
        [rule(leaf("column.category", "eq", "PII"), leaf("source.owner", "exists"))]
    )
    assert evaluate(rules, [subject(owner="alice")]) == []
    [violation] = evaluate(rules, [subject(owner=None)])
    assert violation.column == "email"


def test_evidence_holds_the_fields_the_rule_read_and_no_sample_values() -> None:
    rules = validate_rules(
        [
            rule(
                leaf("column.infotype", "eq", "CREDIT_CARD_NUMBER"),
                leaf("source.tags", "contains_any", ["masked"]),
            )
        ]
    )
    pan = subject(
        "pan",
        "CREDIT_CARD_NUMBER",
        "PCI",
        tags=("prod",),  # type: ignore[arg-type]
        samples=["4111111111111111"],
    )
    [violation] = evaluate(rules, [pan])
    assert violation.evidence == {"column.infotype": "CREDIT_CARD_NUMBER", "source.tags": ["prod"]}
    assert "4111111111111111" not in repr(violation)


def test_evaluation_reads_a_generator_of_columns_once() -> None:
    rules = validate_rules([rule(CVV)])
    columns = (subject(f"cvv{i}", "CARD_VERIFICATION_CODE", "PCI") for i in range(3))
    assert [v.column for v in evaluate(rules, columns)] == ["cvv0", "cvv1", "cvv2"]


# --- built-in packs ---------------------------------------------------------------------------


@pytest.mark.parametrize("pack", ["gdpr", "pci-dss", "hipaa"])
def test_every_builtin_pack_is_valid_and_cites_the_law_for_every_rule(pack: str) -> None:
    rules = validate_rules(BUILTIN_PACKS[pack]["rules"])
    assert BUILTIN_PACKS[pack]["name"]
    assert all(r["reference"] for r in rules)


def test_the_packs_cite_the_provisions_they_enforce() -> None:
    references = {r["id"]: r["reference"] for pack in BUILTIN_PACKS.values() for r in pack["rules"]}
    assert "Art. 5(2)" in references["gdpr.personal-data-has-owner"]
    assert "Art. 9" in references["gdpr.special-category-lawful-basis"]
    assert "v4.0 Req. 3.3.1.2" in references["pci-dss.no-stored-card-verification-code"]
    assert "v4.0 Req. 3.5.1" in references["pci-dss.card-numbers-unreadable"]
    assert "164.312(a)(1)" in references["hipaa.phi-access-restricted"]


def test_pci_a_stored_card_verification_code_is_always_a_violation() -> None:
    cvv = subject("cvv", "CARD_VERIFICATION_CODE", "PCI", tags=["encrypted", "masked"])
    [violation] = pack_violations("pci-dss", cvv)
    assert violation.rule_id == "pci-dss.no-stored-card-verification-code"
    assert violation.severity == "critical"
    assert violation.asset_id == "asset-1"
    assert violation.detail == (
        "public.customers.cvv holds CARD_VERIFICATION_CODE; "
        "Card verification codes are never stored"
    )


@pytest.mark.parametrize("tag", ["encrypted", "masked"])
def test_pci_card_numbers_in_encrypted_or_masked_sources_pass(tag: str) -> None:
    assert pack_violations("pci-dss", subject("pan", "CREDIT_CARD_NUMBER", "PCI", tags=[tag])) == []


def test_pci_card_numbers_in_a_plain_source_are_a_violation() -> None:
    [violation] = pack_violations("pci-dss", subject("pan", "CREDIT_CARD_NUMBER", "PCI"))
    assert violation.rule_id == "pci-dss.card-numbers-unreadable"


def test_hipaa_health_data_only_in_access_restricted_sources() -> None:
    diagnosis = {"column": "diagnosis", "infotype": "HEALTH_CONDITION", "category": "PHI"}
    assert pack_violations("hipaa", subject(**diagnosis, tags=["access-restricted"])) == []
    [violation] = pack_violations("hipaa", subject(**diagnosis, tags=["prod"]))
    assert violation.rule_id == "hipaa.phi-access-restricted"


def test_gdpr_special_category_data_needs_a_lawful_basis_tag() -> None:
    religion = {"column": "religion", "infotype": "RELIGION", "category": "SPECIAL"}
    [violation] = pack_violations("gdpr", subject(**religion, tags=["lawful-basis"]))
    assert violation.rule_id == "gdpr.special-category-lawful-basis"
    assert pack_violations("gdpr", subject(**religion, tags=["lawful-basis:consent"])) == []


def test_gdpr_counts_health_data_as_special_category() -> None:
    diagnosis = subject("diagnosis", "HEALTH_CONDITION", "PHI", tags=["access-restricted"])
    assert [v.rule_id for v in pack_violations("gdpr", diagnosis)] == [
        "gdpr.special-category-lawful-basis"
    ]


@pytest.mark.parametrize("owner", [None, ""])
@pytest.mark.parametrize(
    ("column", "infotype", "category", "lawful_basis"),
    [
        ("email", "EMAIL_ADDRESS", "PII", None),
        ("religion", "RELIGION", "SPECIAL", "lawful-basis:consent"),
    ],
)
def test_gdpr_personal_data_without_an_owner_is_a_violation(
    owner: str | None, column: str, infotype: str, category: str, lawful_basis: str | None
) -> None:
    tags = [lawful_basis] if lawful_basis else []
    [violation] = pack_violations(
        "gdpr", subject(column, infotype, category, owner=owner, tags=tags)
    )
    assert violation.rule_id == "gdpr.personal-data-has-owner"
    assert violation.evidence == {"column.category": category, "source.owner": owner}
    owned = subject(column, infotype, category, owner="dpo@example.com", tags=tags)
    assert pack_violations("gdpr", owned) == []


def test_no_pack_flags_an_unclassified_column_or_credentials() -> None:
    quiet = [subject("notes", None, None, owner=None), subject("pwd", "PASSWORD", "CREDENTIALS")]
    for pack in BUILTIN_PACKS:
        assert pack_violations(pack, *quiet) == []


# --- the Policy aggregate ---------------------------------------------------------------------


def app() -> Application[Any]:
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_create_cleans_the_name_fills_defaults_and_starts_at_revision_one() -> None:
    policy = Policy.create("  Card data  ", "PCI basics", [rule(CVV)], META)
    assert (policy.name, policy.revision, policy.retired, policy.pack) == (
        "Card data",
        1,
        False,
        None,
    )
    assert policy.rules[0]["reference"] == ""
    [created] = policy.collect_events()
    assert created.meta == META  # type: ignore[attr-defined]


def test_a_builtin_pack_policy_has_the_same_id_on_every_install() -> None:
    pack = BUILTIN_PACKS["hipaa"]
    first = Policy.create(pack["name"], pack["description"], pack["rules"], META, pack="hipaa")
    again = Policy.create(pack["name"], pack["description"], pack["rules"], META, pack="hipaa")
    assert first.id == again.id == builtin_policy_id("hipaa")
    assert builtin_policy_id("hipaa") == uuid5(NAMESPACE_URL, "/datawave/policies/builtin/hipaa")
    assert builtin_policy_id("gdpr") != builtin_policy_id("hipaa")


def test_a_policy_from_a_pack_does_not_share_the_packs_rules() -> None:
    pack = BUILTIN_PACKS["pci-dss"]
    policy = Policy.create(pack["name"], pack["description"], pack["rules"], META, pack="pci-dss")
    policy.rules[1]["require"]["value"].append("hashed")
    assert pack["rules"][1]["require"]["value"] == ["encrypted", "masked"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"pack": "sox"}, "pack"),
        ({"rules": [rule(leaf("column.infotype", "eq", "CVV"))]}, "rules[0].when.value"),
        ({"rules": []}, "rules"),
    ],
)
def test_an_invalid_policy_is_refused_and_nothing_is_stored(
    kwargs: dict[str, Any], field: str
) -> None:
    application = app()
    command: dict[str, Any] = {"name": "p", "description": "", "rules": [rule(CVV)], **kwargs}
    with pytest.raises(InvalidCommandError) as caught:
        application.save(Policy.create(meta=META, **command))
    assert caught.value.field == field
    assert list(application.notification_log.select(start=1, limit=10)) == []


def test_changes_raise_the_revision_and_survive_a_reload() -> None:
    application = app()
    policy = Policy.create("Owners", "", [rule(CVV)], META)
    policy.change(META, rules=[rule(CVV), rule(leaf("source.owner", "missing"), rule_id="s")])
    policy.change(META, name="Ownership", description="who answers for data")
    application.save(policy)
    stored: Policy = application.repository.get(policy.id)
    assert (stored.name, stored.description, stored.revision) == (
        "Ownership",
        "who answers for data",
        3,
    )
    assert [r["id"] for r in stored.rules] == ["r", "s"]


def test_a_change_event_carries_only_the_fields_that_changed() -> None:
    policy = Policy.create("Owners", "old", [rule(CVV)], META)
    policy.collect_events()
    policy.change(META, name="Owners", description="new")
    [changed] = policy.collect_events()
    assert changed.changes == {"description": "new"}  # type: ignore[attr-defined]
    assert changed.revision == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("kwargs", [{}, {"name": "Owners", "rules": [rule(CVV)]}])
def test_a_change_that_changes_nothing_is_refused(kwargs: dict[str, Any]) -> None:
    policy = Policy.create("Owners", "", [rule(CVV)], META)
    with pytest.raises(InvalidCommandError) as caught:
        policy.change(META, **kwargs)
    assert (caught.value.field, caught.value.reason) == ("policy", "nothing to change")
    assert policy.revision == 1


def test_a_change_with_invalid_rules_changes_nothing() -> None:
    policy = Policy.create("Owners", "", [rule(CVV)], META)
    with pytest.raises(InvalidCommandError) as caught:
        policy.change(META, name="New", rules=[rule({"not": leaf("column.name", "matches", "(")})])
    assert caught.value.field == "rules[0].when.not.value"
    assert (policy.name, policy.revision) == ("Owners", 1)


def test_a_retired_policy_refuses_changes_and_a_second_retirement() -> None:
    application = app()
    policy = Policy.create("Owners", "", [rule(CVV)], META)
    policy.retire("replaced by the GDPR pack", META)
    application.save(policy)
    stored: Policy = application.repository.get(policy.id)
    assert stored.retired
    with pytest.raises(ConflictError):
        stored.change(META, name="Again")
    with pytest.raises(ConflictError):
        stored.retire("twice", META)
    assert stored.name == "Owners"
