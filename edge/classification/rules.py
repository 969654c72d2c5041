"""The rules layer: column-name evidence and value evidence, weighed into one decision.

How much values alone can say differs by infotype, whatever the data set: a column of valid IBANs is
IBANs, while a column of small integers is ages only if its name says so. Each infotype therefore
has a value weight, the most confidence its values can give on their own; the name's strength and
the values' strength combine as independent evidence (noisy-or). A negative cue in the name
(`hire_date`, `product_name`, `*_id`) silences weak value evidence, never strong: e-mail addresses
under a meaningless name are still e-mail addresses. A validator adds evidence and does not veto a
strong name: dirty data is common. What values cannot be does veto it: a column of nearly all short
whole numbers, of one- or two-character marks, or (for card, phone and other numbers) of values
without a digit holds no such infotype (`_contradiction`). Values count by their variety and their
form: one value repeated is one piece of evidence, and ten bare digits are as often a ticket number
as a phone number, so neither decides alone. Below the abstain threshold the column stays
unclassified rather than guessed.

`classify` adds the trained model (`model.py`) to the rules: the model sees the rules' evidence
and more, and decides when it is sure either way (an infotype, or none at all); when it is
unsure, the rules decide. When there is no model to ask, or asking fails, the rules decide alone
and the decision says `fallback`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import structlog

from domain.taxonomy import ABSTAIN_BELOW, CATEGORIES
from edge.classification.features import features
from edge.classification.model import DEFAULT_PATH, Model, ModelError, load_model
from edge.classification.names import NameEvidence, name_evidence
from edge.classification.values import (
    ValueEvidence,
    names_an_organisation,
    present_values,
    spread,
    value_evidence,
)
from edge.connectors.base import Sample, Table
from edge.profiling import columns_of, texts

log = structlog.get_logger()

# The built-in rules' version, recorded with every classification they make.
RULE_SET = "builtin-1"
# How many of the model's most likely classes the evidence keeps.
MODEL_EVIDENCE = 3
# The share of columns without personal data the model was trained on (training.py: 31 kinds of
# 100 negative columns beside 36 infotypes of 250), and about the share in real databases: most
# columns hold none (87 % of the held-out set's development half hold none of the ids it
# labels, and some of those hold ids it does not).
TRAINED_NONE_SHARE = 3100 / 12100
REAL_NONE_SHARE = 0.85
# Fewer values than this and the values' share is too noisy to count for much.
FEW_VALUES = 10
# Under a negative name cue (`*_id`, `hire_date`), value evidence at or below WEAK_VALUE_WEIGHT
# is silenced, and below DISTINCT_VALUE_WEIGHT halved: ten-digit ids look like phone numbers,
# but nothing else looks like an e-mail address or a valid IBAN.
WEAK_VALUE_WEIGHT = 0.5
RESIDUAL_NAME = 0.3  # name evidence below this, beside a negative cue, is what the cue left
DISTINCT_VALUE_WEIGHT = 0.9

# The most confidence values alone give, by infotype (how rarely other data looks the same).
VALUE_WEIGHTS: dict[str, float] = {
    "EMAIL_ADDRESS": 0.97,
    "IBAN": 0.97,
    "IP_ADDRESS": 0.95,
    "MAC_ADDRESS": 0.95,
    "CREDIT_CARD_NUMBER": 0.9,
    "SWIFT_BIC": 0.75,
    "VEHICLE_IDENTIFICATION_NUMBER": 0.85,
    "US_SSN": 0.8,
    "API_KEY": 0.8,
    "PASSWORD": 0.8,
    "PHONE_NUMBER": 0.75,
    "STREET_ADDRESS": 0.8,
    "PERSON_NAME": 0.75,
    "GEO_COORDINATES": 0.6,
    "NATIONAL_ID": 0.6,
    "TAX_ID": 0.5,
    "GENDER": 0.7,
    "HEALTH_CONDITION": 0.5,
    "CARD_EXPIRY_DATE": 0.4,
    "DATE_OF_BIRTH": 0.3,
    "POSTAL_CODE": 0.3,
    "BANK_ACCOUNT_NUMBER": 0.3,
    "AGE": 0.2,
    "USERNAME": 0.2,
    "CARD_VERIFICATION_CODE": 0.1,
    "MEDICAL_RECORD_NUMBER": 0.1,
}
DEFAULT_VALUE_WEIGHT = 0.3

# Infotypes whose values have a form set by a standard or a law: values that cannot have that
# form rule them out, whatever the column's name says (`Num_Credit_Card` holding 0 to 11, a
# hospital's six-digit `ccn`, `unidad_movil` holding "NO"). Left out: what is coded as small
# numbers or single letters (gender 1/2 or F/M, an expiry month, an age).
FORMED_VALUES = frozenset(
    {
        "CREDIT_CARD_NUMBER",
        "US_SSN",
        "PHONE_NUMBER",
        "IBAN",
        "SWIFT_BIC",
        "VEHICLE_IDENTIFICATION_NUMBER",
        "NATIONAL_ID",
        "TAX_ID",
        "DRIVERS_LICENSE_NUMBER",
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "API_KEY",
        "STREET_ADDRESS",
        "PERSON_NAME",
    }
)
# A share of values this large is "nearly all": a few stray values do not save a column.
NEARLY_ALL = 0.9
# Whole numbers shorter than this many digits are counts, codes, flags or house numbers; an
# infotype that may be written as a whole number is never this short (a card number has at
# least 12 digits, an SSN stored as a number without its leading zeros at least 7), and one
# that is never a whole number (an IBAN, a name) is not one at any length.
SHORTEST_NUMBER: dict[str, int | None] = {
    "CREDIT_CARD_NUMBER": 12,
    "US_SSN": 7,
    "IBAN": None,
    "SWIFT_BIC": None,
    "VEHICLE_IDENTIFICATION_NUMBER": None,
    "EMAIL_ADDRESS": None,
    "STREET_ADDRESS": None,
    "PERSON_NAME": None,
}
DEFAULT_SHORTEST_NUMBER = 4
# Infotypes whose every value holds a digit.
WITH_DIGITS = frozenset(
    {
        "CREDIT_CARD_NUMBER",
        "US_SSN",
        "PHONE_NUMBER",
        "IBAN",
        "VEHICLE_IDENTIFICATION_NUMBER",
        "NATIONAL_ID",
        "TAX_ID",
        "DRIVERS_LICENSE_NUMBER",
    }
)
# Values of the first infotype that are often values of the second: towns are named after
# people (Elizabeth, Parker, Washington), so where a column's name ends in a word of the second
# (`principal_city`; not `county_clerk`), the values' look of the first counts LOOKALIKE of it.
LOOKALIKES: dict[str, str] = {"PERSON_NAME": "LOCATION"}
LOOKALIKE = 0.5
# How many evenly spread values tell whether nearly all values have a form.
CONTRADICTION_PROBE = 128
# Values this short (Y/N, N/S/E/W, a check mark) are marks or codes, never a formed value;
# except that a middle name is often an initial.
MARK_LENGTH = 2
INITIALLED = frozenset({"PERSON_NAME"})
# Different values needed for the values alone to count fully: a column repeating one value
# is one piece of evidence however often it repeats it ("PHARMACY" 661 times is no bank code;
# it counts half, which a name may complete: one address under `site_address`).
# Values of a few categories (gender) repeat by nature, and a few people's names are names;
# what nothing else looks like (an e-mail address, an IBAN) needs no variety to be recognised.
VARIETY_NEEDED: dict[str, int] = {
    **dict.fromkeys(("GENDER", "AGE", "HEALTH_CONDITION", "CARD_EXPIRY_DATE", "POSTAL_CODE"), 2),
    "PERSON_NAME": 3,  # a team's few names (`assigned_to`) are names already
    "LOCATION": 3,  # places repeat (a city's data: NY and NJ), but codes may be flags ("OK")
}


@dataclass(frozen=True)
class Column:
    """What the classifier sees of a column: all of it stays at the edge."""

    name: str
    table: str
    data_type: str
    values: Sequence[str]  # the sampled non-null values, as text


@dataclass(frozen=True)
class Classification:
    infotype: str | None
    category: str | None
    confidence: float
    method: str  # "rules", "model", "fallback" or "manual"
    evidence: dict[str, Any] = field(default_factory=dict)
    model: str | None = None  # the version of the model that was asked, if one was
    rule_set: str = RULE_SET  # the version of the rules that decided

    def to_dict(self) -> dict[str, Any]:
        """As it travels to the catalog, with the rule set and the model behind it."""
        return {
            "infotype": self.infotype,
            "category": self.category,
            "confidence": self.confidence,
            "method": self.method,
            "evidence": self.evidence,
            "rule_set": self.rule_set,
            "model": self.model,
        }


class Classifier:
    """The model and the rules together, or the rules alone when the model could not be
    loaded: then every decision says `fallback`, with the reason."""

    def __init__(self, model: Model | None, unavailable: str | None = None) -> None:
        self.model = model
        self.unavailable = unavailable if model is None else None

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Classifier:
        """The shipped model (or the one at `path`) with the rules; the rules alone if it
        cannot be loaded."""
        try:
            return cls(load_model(path))
        except ModelError as error:
            log.warning("classification_model_unavailable", path=str(path), reason=error.reason)
            return cls(None, error.reason)

    @property
    def version(self) -> str | None:
        return self.model.version if self.model is not None else None

    def classify(self, column: Column) -> Classification:
        return classify(column, self.model, unavailable=self.unavailable)


Refine = Callable[[Column, Classification], Classification]


def classify_table(
    table: Table,
    sample: Sample | None,
    classifier: Classifier | None = None,
    refine: Refine | None = None,
) -> dict[str, Classification]:
    """Every column of a sampled table, by `classifier` or else by the rules alone, then
    `refine`d (by the published custom rules); without a sample (an unreadable table) the names
    alone decide, which a strong name can."""
    sampled = columns_of(table, sample) if sample is not None else [()] * len(table.columns)
    decide = classifier.classify if classifier is not None else classify_by_rules
    decided: dict[str, Classification] = {}
    table_name = table.qualified_name.rsplit(".", 1)[-1]
    for spec, raw in zip(table.columns, sampled, strict=True):
        column = Column(spec.name, table_name, spec.data_type, texts(raw))
        decision = decide(column)
        decided[spec.name] = refine(column, decision) if refine is not None else decision
    return decided


def classify_by_rules(column: Column, method: str = "rules") -> Classification:
    """The rules' decision for one column, with the evidence behind it."""
    names = name_evidence(column.name, column.table)
    return _by_rules(names, value_evidence(column.values), method, _Forms(column.values))


def classify(
    column: Column, model: Model | None, *, unavailable: str | None = None
) -> Classification:
    """The decision of `model` and the rules for one column. The rules' decision stands where
    they make one; where they abstain, the model decides if it gives an infotype a probability
    of at least ABSTAIN_BELOW, at real data's prior (`_at_real_prior`; so are the probabilities
    the evidence records), that the name or the values speak for, unless the name carries a
    negative cue or the values ruled out what the name says.
    Without a model (None: it could not be loaded, `unavailable` says why), or when it fails,
    the rules decide alone and the method says `fallback`."""
    names = name_evidence(column.name, column.table)
    values = value_evidence(column.values)
    forms = _Forms(column.values)
    by_rules = _by_rules(names, values, "rules", forms)
    if model is None:
        return _fallback(by_rules, unavailable or "no model loaded")
    try:
        probabilities = _at_real_prior(model.predict(features(names, values, column.values)))
    except ModelError as error:
        log.warning("classification_model_failed", column=column.name, reason=error.reason)
        return _fallback(by_rules, error.reason)
    ranked = sorted(probabilities, key=lambda c: (-probabilities[c], c))
    evidence = by_rules.evidence | {
        "model": {c: round(probabilities[c], 3) for c in ranked[:MODEL_EVIDENCE]}
    }
    best = next((c for c in ranked if c in CATEGORIES), None)
    likely = probabilities[best] if best is not None else 0.0
    if by_rules.infotype is not None or "ruled_out" in by_rules.evidence or names.negative:
        # A rule decision stands: rules name what they saw (a validated value, a strong name),
        # and the model, trained on synthetic columns only, agrees or adds nothing better. So
        # does their abstention where the values ruled out what the name says (`house_number`
        # holding 1 to 9999 is no address, and no card verification code either), or where the
        # name says what kind of column it is (`notes`, `customer_id`, `hire_date`).
        return replace(by_rules, evidence=evidence, model=model.version)
    if (
        best is not None
        and likely >= ABSTAIN_BELOW
        and _contradiction(best, forms) is None
        # Only what the name or the values speak for: trained on synthetic columns, the model
        # otherwise named what nothing in a column shows (contract states, neighbourhoods and
        # job titles as political opinions and ethnicities; WKT points as licence plates).
        and score(best, names, values.get(best)) > 0.0
    ):
        return Classification(
            best, CATEGORIES[best], round(likely, 3), "model", evidence, model.version
        )
    return replace(by_rules, evidence=evidence, model=model.version)


def _at_real_prior(probabilities: dict[str, float]) -> dict[str, float]:
    """The model's probabilities moved from its training set's share of columns without
    personal data to REAL_NONE_SHARE: each class's probability times its real share over its
    trained share, renormalised (the correction for a shift of the prior, with the infotypes
    keeping their trained shares among themselves)."""
    none = REAL_NONE_SHARE / TRAINED_NONE_SHARE
    personal = (1 - REAL_NONE_SHARE) / (1 - TRAINED_NONE_SHARE)
    weighted = {c: p * (personal if c in CATEGORIES else none) for c, p in probabilities.items()}
    total = sum(weighted.values())
    return {c: w / total for c, w in weighted.items()}


def _fallback(by_rules: Classification, reason: str) -> Classification:
    return replace(by_rules, method="fallback", evidence=by_rules.evidence | {"fallback": reason})


def _by_rules(
    names: NameEvidence, values: dict[str, ValueEvidence], method: str, forms: _Forms
) -> Classification:
    scores = {
        infotype: score(infotype, names, values.get(infotype))
        for infotype in set(names.scores) | set(values)
    }
    ruled_out: dict[str, str] = {}
    best = max(scores, key=lambda t: (scores[t], t), default=None)
    while (
        best is not None
        and scores[best] >= ABSTAIN_BELOW  # below it the column abstains anyway
        and (reason := _contradiction(best, forms)) is not None
    ):
        ruled_out[best] = reason
        del scores[best]
        best = max(scores, key=lambda t: (scores[t], t), default=None)
    evidence = _evidence(names, values, best)
    if ruled_out:
        evidence["ruled_out"] = ruled_out
    if best is None or scores[best] < ABSTAIN_BELOW:
        return Classification(
            None, None, round(scores.get(best, 0.0) if best else 0.0, 3), method, evidence
        )
    return Classification(best, CATEGORIES[best], round(scores[best], 3), method, evidence)


class _Forms:
    """Which forms nearly all of a column's values have, read from an evenly spread sample of its
    present values when first asked (a column that is mostly empty is sampled again after its
    blanks are dropped), each form counted in one scan of the sample."""

    def __init__(self, raw: Sequence[str]) -> None:
        self._raw = raw
        self._probe: list[str] | None = None
        self._text = ""
        self._least = 0.0
        self._nearly_all: dict[re.Pattern[str] | Callable[[str], bool], bool] = {}

    def nearly_all(self, form: re.Pattern[str]) -> bool:
        """Whether nearly all of at least FEW_VALUES sampled values are of `form`."""
        found = self._nearly_all.get(form)
        if found is None:
            self._sample()
            found = self._nearly_all[form] = len(form.findall(self._text)) >= self._least
        return found

    def nearly_all_pass(self, check: Callable[[str], bool]) -> bool:
        """Whether nearly all of at least FEW_VALUES sampled values pass `check`."""
        found = self._nearly_all.get(check)
        if found is None:
            probe = self._sample()
            found = self._nearly_all[check] = sum(map(check, probe)) >= self._least
        return found

    def _sample(self) -> list[str]:
        if self._probe is None:
            probe = present_values(spread(list(self._raw), CONTRADICTION_PROBE))
            if len(probe) < FEW_VALUES:  # mostly blanks: look among the values present
                probe = spread(present_values(self._raw), CONTRADICTION_PROBE)
            self._probe, self._text = probe, "\n".join(probe)  # one value a line
            self._least = NEARLY_ALL * len(probe) if len(probe) >= FEW_VALUES else math.inf
        return self._probe


def _contradiction(infotype: str, forms: _Forms) -> str | None:
    """Why the values cannot be `infotype`, if nearly all of them have a form it never has; None
    when they can be (or are too few to tell)."""
    if infotype not in FORMED_VALUES:
        return None
    shortest = SHORTEST_NUMBER.get(infotype, DEFAULT_SHORTEST_NUMBER)
    if forms.nearly_all(_whole_numbers(shortest)):
        if shortest is None:
            return "nearly all values are whole numbers"
        return f"nearly all values are whole numbers of 1-{shortest - 1} digits"
    if infotype not in INITIALLED and forms.nearly_all(_MARK):
        return f"nearly all values are marks of 1-{MARK_LENGTH} characters"
    if infotype in WITH_DIGITS and forms.nearly_all(_WITHOUT_DIGITS):
        return "nearly all values hold no digit"
    if infotype == "PERSON_NAME" and forms.nearly_all_pass(names_an_organisation):
        return "nearly all values name organisations"  # B2B customers, taxpayers that are firms
    return None


_MARK = re.compile(rf"^.{{1,{MARK_LENGTH}}}$", re.MULTILINE)
_WITHOUT_DIGITS = re.compile(r"^[^\d\n]+$", re.MULTILINE)  # no digit of any script


@functools.cache
def _whole_numbers(shorter_than: int | None) -> re.Pattern[str]:
    """A whole number on a line of its own, of fewer than `shorter_than` digits (None: any)."""
    most = "" if shorter_than is None else shorter_than - 1
    return re.compile(rf"^[0-9]{{1,{most}}}$", re.MULTILINE)


def score(infotype: str, names: NameEvidence, values: ValueEvidence | None) -> float:
    """Name and value evidence for one infotype, combined as independent evidence."""
    from_name = names.scores.get(infotype, 0.0)
    from_values = value_strength(infotype, values)
    if names.last is not None and names.last == LOOKALIKES.get(infotype):
        from_values *= LOOKALIKE
    if names.negative is not None and from_name < RESIDUAL_NAME:
        # The cue says what the column is about (`artist_name`: names of things); a word it
        # leaves standing (`name`) does not outweigh it.
        from_values *= _under_negative_cue(infotype)
    return 1.0 - (1.0 - from_name) * (1.0 - from_values)


def value_strength(infotype: str, values: ValueEvidence | None) -> float:
    """How strongly the values alone say `infotype`: the share that matched, validated values
    counting fully and unvalidated matches (and bare digits) half, capped by the infotype's value
    weight, and discounted for few values or little variety (`_variety`)."""
    if values is None or values.total == 0:
        return 0.0
    weight = VALUE_WEIGHTS.get(infotype, DEFAULT_VALUE_WEIGHT)
    matched = values.matched / values.total
    validated = values.telling / values.total
    share = validated + 0.5 * (matched - validated)
    reliability = min(1.0, values.total / FEW_VALUES, _variety(infotype, weight, values.distinct))
    return weight * share * reliability


def _variety(infotype: str, weight: float, distinct: int) -> float:
    """How far the values' variety lets them count: fully from the number of different values
    the infotype needs, half for one value repeated (enough beside a name, never alone)."""
    if weight >= DISTINCT_VALUE_WEIGHT:
        return 1.0
    needed = VARIETY_NEEDED.get(infotype, FEW_VALUES)
    return min(1.0, 0.5 + 0.5 * (distinct - 1) / (needed - 1))


def _under_negative_cue(infotype: str) -> float:
    weight = VALUE_WEIGHTS.get(infotype, DEFAULT_VALUE_WEIGHT)
    if weight <= WEAK_VALUE_WEIGHT:
        return 0.0
    return 1.0 if weight >= DISTINCT_VALUE_WEIGHT else 0.5


def _evidence(
    names: NameEvidence, values: dict[str, ValueEvidence], best: str | None
) -> dict[str, Any]:
    """What fired: name tokens and scores, the negative cue, and the chosen infotype's counts
    and masked example (never a raw value)."""
    evidence: dict[str, Any] = {"name_tokens": list(names.tokens)}
    if names.scores:
        evidence["name_scores"] = {k: round(v, 3) for k, v in sorted(names.scores.items())}
    if names.negative:
        evidence["negative_cue"] = names.negative
    chosen = values.get(best) if best else None
    if chosen is not None:
        evidence["values"] = {
            "total": chosen.total,
            "matched": chosen.matched,
            "validated": chosen.validated,
            "example": chosen.example,
        }
    return evidence
