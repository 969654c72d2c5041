"""The compliance context: policies as data, evaluated against the classified catalog.

A policy is a list of rules in a small declarative format. A rule's `when` condition selects the
columns it is about; its optional `require` condition says what such a column must satisfy, and
a selected column that does not is a violation (with no `require`, every selected column is).

    {"id": "pci-dss.no-stored-cvv", "title": "Card verification codes are never stored",
     "reference": "PCI DSS v4.0 Req. 3.3.1.2", "severity": "critical",
     "when": {"field": "column.infotype", "op": "eq", "value": "CARD_VERIFICATION_CODE"}}

Conditions are `{"all": [...]}`, `{"any": [...]}`, `{"not": ...}` or a leaf
`{"field": F, "op": OP, "value": V}` over the fields of FIELDS. `validate_rules` checks a rule
list and names the exact place of the first mistake; `evaluate` compiles the rules once and runs
them over any number of columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidCommandError
from domain.meta import EventMeta
from domain.numbers import is_number
from domain.patterns import checked_pattern, compile_pattern
from domain.rule_ids import check_rule_id
from domain.taxonomy import CATEGORIES, PHI, PII, SENSITIVITY, SPECIAL
from domain.text import trimmed

TEXT, NUMBER, LIST = "text", "number", "list of text"

# The only field paths a condition may name, with the kind of value each holds.
FIELDS: dict[str, str] = {
    "column.name": TEXT,
    "column.infotype": TEXT,
    "column.category": TEXT,
    "column.sensitivity": TEXT,
    "column.confidence": NUMBER,
    "column.method": TEXT,
    "asset.qualified_name": TEXT,
    "asset.kind": TEXT,
    "source.name": TEXT,
    "source.kind": TEXT,
    "source.owner": TEXT,
    "source.tags": LIST,
}

# Each operator and the kinds of field it applies to.
OPS: dict[str, frozenset[str]] = {
    "eq": frozenset({TEXT, NUMBER}),
    "ne": frozenset({TEXT, NUMBER}),
    "in": frozenset({TEXT, NUMBER}),
    "not_in": frozenset({TEXT, NUMBER}),
    "contains": frozenset({LIST}),
    "contains_any": frozenset({LIST}),
    "has_prefix": frozenset({TEXT, LIST}),
    "exists": frozenset({TEXT, NUMBER, LIST}),
    "missing": frozenset({TEXT, NUMBER, LIST}),
    "matches": frozenset({TEXT, LIST}),
    "gte": frozenset({NUMBER}),
    "lte": frozenset({NUMBER}),
}

SEVERITIES = ("low", "medium", "high", "critical")
MAX_RULES = 200
MAX_DEPTH = 8
MAX_LIST_VALUES = 500
MAX_NAME_LENGTH = 100
MAX_TITLE_LENGTH = 200
MAX_REFERENCE_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 2000

_RULE_KEYS = ("id", "title", "reference", "severity", "when", "require")
_LEAF_KEYS = ("field", "op", "value")
_TAXONOMY_CATEGORIES = tuple(sorted(set(CATEGORIES.values())))
_SENSITIVITY_LEVELS = tuple(sorted(set(SENSITIVITY.values())))
_COMPARED_TO_TAXONOMY = frozenset({"eq", "ne", "in", "not_in"})


# --- validation -------------------------------------------------------------------------------


def validate_rules(rules: Any) -> list[dict[str, Any]]:
    """The rules as stored: checked, with defaults filled in; the first mistake raises an
    InvalidCommandError whose field is its exact path, such as `rules[1].when.any[0].op`."""
    if not isinstance(rules, list):
        raise InvalidCommandError("rules", "must be a list of rules")
    if not 1 <= len(rules) <= MAX_RULES:
        raise InvalidCommandError("rules", f"must hold between 1 and {MAX_RULES} rules")
    first_of: dict[str, int] = {}
    validated = []
    for index, rule in enumerate(rules):
        checked = _validate_rule(rule, f"rules[{index}]")
        first = first_of.setdefault(checked["id"], index)
        if first != index:
            raise InvalidCommandError(
                f"rules[{index}].id", f"{checked['id']!r} is already the id of rules[{first}]"
            )
        validated.append(checked)
    return validated


def _validate_rule(rule: Any, path: str) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise InvalidCommandError(path, "must be an object with id, title, severity and when")
    _reject_unknown_keys(rule, _RULE_KEYS, path)
    rule_id = check_rule_id(_required(rule, "id", path), f"{path}.id")
    title = _text(_required(rule, "title", path), f"{path}.title", MAX_TITLE_LENGTH)
    reference = _text(
        rule.get("reference", ""), f"{path}.reference", MAX_REFERENCE_LENGTH, empty_ok=True
    )
    severity = _required(rule, "severity", path)
    if severity not in SEVERITIES:
        raise InvalidCommandError(f"{path}.severity", f"must be one of {', '.join(SEVERITIES)}")
    when = _validate_condition(_required(rule, "when", path), f"{path}.when", 1)
    require = rule.get("require")
    return {
        "id": rule_id,
        "title": title,
        "reference": reference,
        "severity": severity,
        "when": when,
        "require": None if require is None else _validate_condition(require, f"{path}.require", 1),
    }


def _validate_condition(condition: Any, path: str, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise InvalidCommandError(path, f"nests deeper than {MAX_DEPTH} levels")
    if not isinstance(condition, dict):
        raise InvalidCommandError(
            path, 'must be {"all": [...]}, {"any": [...]}, {"not": ...} or {"field", "op", "value"}'
        )
    for combinator in ("all", "any"):
        if combinator in condition:
            _reject_unknown_keys(condition, (combinator,), path)
            parts = condition[combinator]
            if not isinstance(parts, list) or not parts:
                raise InvalidCommandError(
                    f"{path}.{combinator}", "must be a list of at least one condition"
                )
            return {
                combinator: [
                    _validate_condition(part, f"{path}.{combinator}[{index}]", depth + 1)
                    for index, part in enumerate(parts)
                ]
            }
    if "not" in condition:
        _reject_unknown_keys(condition, ("not",), path)
        return {"not": _validate_condition(condition["not"], f"{path}.not", depth + 1)}
    if "field" not in condition and "op" not in condition:
        unknown = next(iter(condition), None)
        if unknown is not None:
            raise InvalidCommandError(
                f"{path}.{unknown}", "is not a known key (all, any, not, field, op, value)"
            )
        raise InvalidCommandError(path, "must not be empty")
    return _validate_leaf(condition, path)


def _validate_leaf(condition: dict[str, Any], path: str) -> dict[str, Any]:
    _reject_unknown_keys(condition, _LEAF_KEYS, path)
    field = _required(condition, "field", path)
    if not isinstance(field, str) or field not in FIELDS:
        raise InvalidCommandError(f"{path}.field", f"must be one of {', '.join(FIELDS)}")
    op = _required(condition, "op", path)
    if not isinstance(op, str) or op not in OPS:
        raise InvalidCommandError(f"{path}.op", f"must be one of {', '.join(OPS)}")
    kind = FIELDS[field]
    if kind not in OPS[op]:
        fitting = ", ".join(name for name, kinds in OPS.items() if kind in kinds)
        raise InvalidCommandError(
            f"{path}.op", f"{op} does not apply to {field}, a {kind} field; use one of {fitting}"
        )
    if op in ("exists", "missing"):
        if "value" in condition:
            raise InvalidCommandError(f"{path}.value", f"must be left out for {op}")
        return {"field": field, "op": op}
    if "value" not in condition:
        raise InvalidCommandError(f"{path}.value", f"is required for {op}")
    value = _validate_value(field, op, condition["value"], f"{path}.value")
    return {"field": field, "op": op, "value": value}


def _validate_value(field: str, op: str, value: Any, path: str) -> Any:
    kind = FIELDS[field]
    if op in ("eq", "ne"):
        return _scalar(field, kind, op, value, path)
    if op in ("in", "not_in"):
        noun = "numbers" if kind == NUMBER else "text values"
        _check_list(value, path, noun)
        return [_scalar(field, kind, op, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if op in ("contains", "has_prefix"):
        return _text(value, path, MAX_TITLE_LENGTH)
    if op == "contains_any":
        _check_list(value, path, "text values")
        return [_text(item, f"{path}[{i}]", MAX_TITLE_LENGTH) for i, item in enumerate(value)]
    if op == "matches":
        return checked_pattern(value, path)
    return _number(value, path)  # gte, lte


def _check_list(value: Any, path: str, noun: str) -> None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST_VALUES:
        raise InvalidCommandError(path, f"must be a list of 1 to {MAX_LIST_VALUES} {noun}")


def _scalar(field: str, kind: str, op: str, value: Any, path: str) -> Any:
    if kind == NUMBER:
        return _number(value, path)
    if not isinstance(value, str):
        raise InvalidCommandError(path, f"must be a text value, as {field} holds text")
    if len(value) > MAX_TITLE_LENGTH:
        raise InvalidCommandError(path, f"must be at most {MAX_TITLE_LENGTH} characters")
    if op in _COMPARED_TO_TAXONOMY:
        if field == "column.infotype" and value not in CATEGORIES:
            raise InvalidCommandError(path, f"{value!r} is not an infotype id of the taxonomy")
        if field == "column.category" and value not in _TAXONOMY_CATEGORIES:
            known = ", ".join(_TAXONOMY_CATEGORIES)
            raise InvalidCommandError(
                path, f"{value!r} is not a category of the taxonomy ({known})"
            )
        if field == "column.sensitivity" and value not in _SENSITIVITY_LEVELS:
            known = ", ".join(_SENSITIVITY_LEVELS)
            raise InvalidCommandError(path, f"{value!r} is not a sensitivity level ({known})")
    return value


def _number(value: Any, path: str) -> float | int:
    if not is_number(value) or not math.isfinite(value):
        raise InvalidCommandError(path, "must be a number")
    return value


def _text(value: Any, path: str, max_length: int, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidCommandError(path, "must be text")
    cleaned = trimmed(value)
    if not cleaned and not empty_ok:
        raise InvalidCommandError(path, "must not be empty")
    if len(cleaned) > max_length:
        raise InvalidCommandError(path, f"must be at most {max_length} characters")
    return cleaned


def _required(mapping: dict[str, Any], key: str, path: str) -> Any:
    if key not in mapping:
        raise InvalidCommandError(f"{path}.{key}", "is required")
    return mapping[key]


def _reject_unknown_keys(mapping: dict[Any, Any], known: tuple[str, ...], path: str) -> None:
    for key in mapping:
        if key not in known:
            raise InvalidCommandError(
                f"{path}.{key}", f"is not a known key here (expected {', '.join(known)})"
            )


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """One column to judge, with its asset and source: plain mappings, as the read side holds
    them. source: id, name, kind, owner, tags; asset: id, qualified_name, kind; column: name,
    infotype, category, confidence, method."""

    source: Mapping[str, Any]
    asset: Mapping[str, Any]
    column: Mapping[str, Any]


@dataclass(frozen=True)
class Violation:
    """One column that breaks one rule. The evidence holds the field values the rule looked
    at (names, classifications, owner, tags), never a sample of the column's data."""

    rule_id: str
    title: str
    reference: str
    severity: str
    asset_id: str
    qualified_name: str
    column: str
    infotype: str | None
    detail: str
    evidence: dict[str, Any]


Facts = dict[str, Any]
Predicate = Callable[[Facts], bool]


def _category(subject: Subject) -> Any:
    # A column classified before categories were recorded still has one through its infotype.
    return subject.column.get("category") or CATEGORIES.get(subject.column.get("infotype") or "")


def _sensitivity(subject: Subject) -> Any:
    category = _category(subject)
    return SENSITIVITY.get(category) if isinstance(category, str) else None


_GETTERS: dict[str, Callable[[Subject], Any]] = {
    "column.name": lambda s: s.column.get("name"),
    "column.infotype": lambda s: s.column.get("infotype"),
    "column.category": _category,
    "column.sensitivity": _sensitivity,
    "column.confidence": lambda s: s.column.get("confidence"),
    "column.method": lambda s: s.column.get("method"),
    "asset.qualified_name": lambda s: s.asset.get("qualified_name"),
    "asset.kind": lambda s: s.asset.get("kind"),
    "source.name": lambda s: s.source.get("name"),
    "source.kind": lambda s: s.source.get("kind"),
    "source.owner": lambda s: s.source.get("owner"),
    "source.tags": lambda s: s.source.get("tags") or (),
}


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(trimmed(value))
    if isinstance(value, list | tuple | set | frozenset | dict):
        return bool(value)
    return True


def _texts(value: Any) -> Iterable[str]:
    """A text field as one text, a list field as its texts; anything else as none."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return ()


def _is_key(value: Any) -> bool:
    return isinstance(value, str) or is_number(value)


def _compile_leaf(field: str, op: str, value: Any) -> Predicate:
    # Each branch binds its operands once, so a subject costs one dict lookup and one test.
    if op == "eq":
        return lambda facts: bool(facts[field] == value)
    if op == "ne":
        return lambda facts: bool(facts[field] != value)
    if op in ("in", "not_in"):
        members = frozenset(value)
        if op == "in":
            return lambda facts: _is_key(facts[field]) and facts[field] in members
        return lambda facts: not (_is_key(facts[field]) and facts[field] in members)
    if op == "contains":
        return lambda facts: value in _texts(facts[field])
    if op == "contains_any":
        wanted = frozenset(value)
        return lambda facts: not wanted.isdisjoint(_texts(facts[field]))
    if op == "has_prefix":
        return lambda facts: any(text.startswith(value) for text in _texts(facts[field]))
    if op == "matches":
        pattern = compile_pattern(value)
        return lambda facts: any(pattern.fullmatch(text) for text in _texts(facts[field]))
    if op == "exists":
        return lambda facts: _present(facts[field])
    if op == "missing":
        return lambda facts: not _present(facts[field])
    if op == "gte":
        return lambda facts: is_number(facts[field]) and facts[field] >= value
    if op == "lte":
        return lambda facts: is_number(facts[field]) and facts[field] <= value
    raise InvalidCommandError("op", f"must be one of {', '.join(OPS)}")


def _compile(condition: dict[str, Any], fields: dict[str, None]) -> Predicate:
    """A condition as a closure over a subject's facts; records the fields it reads."""
    if "all" in condition:
        every = tuple(_compile(part, fields) for part in condition["all"])
        return lambda facts: all(test(facts) for test in every)
    if "any" in condition:
        some = tuple(_compile(part, fields) for part in condition["any"])
        return lambda facts: any(test(facts) for test in some)
    if "not" in condition:
        negated = _compile(condition["not"], fields)
        return lambda facts: not negated(facts)
    fields[condition["field"]] = None
    return _compile_leaf(condition["field"], condition["op"], condition.get("value"))


@dataclass(frozen=True)
class _CompiledRule:
    rule: dict[str, Any]
    when: Predicate
    require: Predicate | None
    fields: tuple[str, ...]


def _compile_rule(rule: dict[str, Any]) -> _CompiledRule:
    fields: dict[str, None] = {}  # insertion-ordered set: evidence lists fields as the rule does
    when = _compile(rule["when"], fields)
    require = rule.get("require")
    return _CompiledRule(
        rule=rule,
        when=when,
        require=None if require is None else _compile(require, fields),
        fields=tuple(fields),
    )


def _evidence_value(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def _violation(compiled: _CompiledRule, subject: Subject, facts: Facts) -> Violation:
    rule = compiled.rule
    qualified_name = str(subject.asset.get("qualified_name") or "")
    column = str(subject.column.get("name") or "")
    infotype = subject.column.get("infotype")
    holds = f"holds {infotype}" if infotype else "is unclassified"
    return Violation(
        rule_id=rule["id"],
        title=rule["title"],
        reference=rule.get("reference", ""),
        severity=rule["severity"],
        asset_id=str(subject.asset.get("id") or ""),
        qualified_name=qualified_name,
        column=column,
        infotype=infotype,
        detail=f"{qualified_name}.{column} {holds}; {rule['title']}",
        evidence={field: _evidence_value(facts[field]) for field in compiled.fields},
    )


def evaluate(rules: list[dict[str, Any]], subjects: Iterable[Subject]) -> list[Violation]:
    """Every (column, rule) pair where the rule selects the column and the column fails the
    rule's requirement, ordered by qualified name, column and rule id. `rules` are as
    validate_rules returns them; they are compiled once for the whole run."""
    compiled = [_compile_rule(rule) for rule in rules]
    read: dict[str, None] = {}
    for rule in compiled:
        read.update(dict.fromkeys(rule.fields))
    getters = [(field, _GETTERS[field]) for field in read]
    violations = []
    for subject in subjects:
        facts = {field: get(subject) for field, get in getters}
        for rule in compiled:
            if rule.when(facts) and (rule.require is None or not rule.require(facts)):
                violations.append(_violation(rule, subject, facts))
    violations.sort(key=lambda v: (v.qualified_name, v.column, v.rule_id, v.asset_id))
    return violations


# --- the aggregate ----------------------------------------------------------------------------


def builtin_policy_id(pack: str) -> UUID:
    """The one id of a built-in pack's policy, on every install."""
    return uuid5(NAMESPACE_URL, f"/datawave/policies/builtin/{pack}")


def validate_policy_name(name: Any) -> str:
    """A policy's name: trimmed, 1 to 100 characters."""
    if not isinstance(name, str):
        raise InvalidCommandError("name", "must be text")
    cleaned = trimmed(name)
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH:
        raise InvalidCommandError("name", f"must be 1 to {MAX_NAME_LENGTH} characters")
    return cleaned


def validate_description(description: Any) -> str:
    """A policy's description: trimmed, may be empty, bounded."""
    return _text(description, "description", MAX_DESCRIPTION_LENGTH, empty_ok=True)


class Policy(Aggregate):
    """A named list of compliance rules; `revision` counts its versions, and a retired
    policy stays in the history but accepts no change."""

    @event("PolicyCreated")
    def __init__(
        self,
        id: UUID,
        name: str,
        description: str,
        rules: list[dict[str, Any]],
        pack: str | None,
        meta: EventMeta,
    ) -> None:
        self.name = name
        self.description = description
        self.rules = rules
        self.pack = pack
        self.revision = 1
        self.retired = False

    @classmethod
    def create(
        cls,
        name: str,
        description: str,
        rules: Any,
        meta: EventMeta,
        pack: str | None = None,
        policy_id: UUID | None = None,
    ) -> Policy:
        """A new policy; a built-in pack's policy gets the pack's fixed id unless one is given."""
        if pack is not None and pack not in BUILTIN_PACKS:
            raise InvalidCommandError("pack", f"must be one of {', '.join(BUILTIN_PACKS)}")
        cleaned_name = validate_policy_name(name)
        cleaned_description = validate_description(description)
        validated = validate_rules(rules)
        if policy_id is None:
            policy_id = builtin_policy_id(pack) if pack is not None else uuid4()
        return cls(
            id=policy_id,
            name=cleaned_name,
            description=cleaned_description,
            rules=validated,
            pack=pack,
            meta=meta,
        )

    def change(
        self,
        meta: EventMeta,
        name: str | None = None,
        description: str | None = None,
        rules: Any = None,
    ) -> None:
        """Change any of name, description and rules; values equal to the current ones do not
        count, and a change that changes nothing is refused."""
        if self.retired:
            raise ConflictError(f"policy {self.id} is retired and accepts no changes")
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = validate_policy_name(name)
        if description is not None:
            changes["description"] = validate_description(description)
        if rules is not None:
            changes["rules"] = validate_rules(rules)
        effective = {key: value for key, value in changes.items() if getattr(self, key) != value}
        if not effective:
            raise InvalidCommandError("policy", "nothing to change")
        self._changed(changes=effective, revision=self.revision + 1, meta=meta)

    def retire(self, reason: str, meta: EventMeta) -> None:
        """Take the policy out of use; it stays in the history."""
        if self.retired:
            raise ConflictError(f"policy {self.id} is already retired")
        self._retired(reason=trimmed(reason), meta=meta)

    @event("PolicyChanged")
    def _changed(self, changes: dict[str, Any], revision: int, meta: EventMeta) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self.revision = revision

    @event("PolicyRetired")
    def _retired(self, reason: str, meta: EventMeta) -> None:
        self.retired = True


# --- built-in packs ---------------------------------------------------------------------------


def _category_in(*categories: str) -> dict[str, Any]:
    return {"field": "column.category", "op": "in", "value": list(categories)}


# Health data is personal data of a special category under GDPR Art. 9(1) as well, so the GDPR
# rules cover PHI besides SPECIAL: the taxonomy files it apart only because HIPAA names it.
BUILTIN_PACKS: dict[str, dict[str, Any]] = {
    "gdpr": {
        "name": "GDPR",
        "description": (
            "EU General Data Protection Regulation (Regulation (EU) 2016/679): personal data "
            "has an accountable owner, and special-category data a recorded lawful basis."
        ),
        "rules": [
            {
                "id": "gdpr.personal-data-has-owner",
                "title": "Personal data has an accountable owner",
                "reference": (
                    "GDPR Art. 5(2) (accountability) and Art. 24(1) "
                    "(responsibility of the controller)"
                ),
                "severity": "medium",
                "when": _category_in(PII, SPECIAL, PHI),
                "require": {"field": "source.owner", "op": "exists"},
            },
            {
                "id": "gdpr.special-category-lawful-basis",
                "title": "Special-category data is tagged with its lawful basis",
                "reference": (
                    "GDPR Art. 9(1)-(2) (processing of special categories of personal data: "
                    "prohibited unless a condition of Art. 9(2) applies)"
                ),
                "severity": "high",
                "when": _category_in(SPECIAL, PHI),
                "require": {"field": "source.tags", "op": "has_prefix", "value": "lawful-basis:"},
            },
        ],
    },
    "pci-dss": {
        "name": "PCI DSS v4.0",
        "description": (
            "Payment Card Industry Data Security Standard v4.0, Requirement 3 (protect stored "
            "account data): no card verification codes, card numbers only unreadable."
        ),
        "rules": [
            {
                "id": "pci-dss.no-stored-card-verification-code",
                "title": "Card verification codes are never stored",
                "reference": (
                    "PCI DSS v4.0 Req. 3.3.1.2 (the card verification code is not retained "
                    "upon completion of the authorization process)"
                ),
                "severity": "critical",
                "when": {
                    "field": "column.infotype",
                    "op": "eq",
                    "value": "CARD_VERIFICATION_CODE",
                },
            },
            {
                "id": "pci-dss.card-numbers-unreadable",
                "title": "Card numbers are stored only in encrypted or masked sources",
                "reference": (
                    "PCI DSS v4.0 Req. 3.5.1 (PAN is rendered unreadable anywhere it is stored)"
                ),
                "severity": "high",
                "when": {"field": "column.infotype", "op": "eq", "value": "CREDIT_CARD_NUMBER"},
                "require": {
                    "field": "source.tags",
                    "op": "contains_any",
                    "value": ["encrypted", "masked"],
                },
            },
        ],
    },
    "hipaa": {
        "name": "HIPAA Security Rule",
        "description": (
            "US Health Insurance Portability and Accountability Act, Security Rule "
            "(45 CFR Part 164, Subpart C): health data only where access is restricted."
        ),
        "rules": [
            {
                "id": "hipaa.phi-access-restricted",
                "title": "Health data is kept only in access-restricted sources",
                "reference": (
                    "45 CFR \u00a7164.312(a)(1) (HIPAA Security Rule, technical safeguards: "
                    "access control)"
                ),
                "severity": "high",
                "when": {"field": "column.category", "op": "eq", "value": PHI},
                "require": {"field": "source.tags", "op": "contains", "value": "access-restricted"},
            },
        ],
    },
}
