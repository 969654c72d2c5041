"""classification: accuracy on labelled third-party columns, and throughput.

Accuracy: every column of ../shared/data/pii-eval/datahub-classify/datasets is classified from
its name, its table's name and its values (the files hold at most 1,000 rows), and scored as that
folder's README says: per infotype precision, recall and F1 over the 13 mapped ids, micro and
macro F1. A column-name regex baseline is scored in the same run. The rules were never tuned on
these files; nothing here trains on them.

The same columns are scored a second time through `classify` with the shipped model
(model + rules, `edge/classification/model.joblib`), so one run reports the rules, model + rules
and the baseline side by side. The model was trained on synthetic columns only.

Throughput: generated columns of 1,000 values each (numbers, names, e-mails, dates, ids, free
text, phone numbers, card numbers), classified one after another in this process: columns/s on
one core, by the rules and by model + rules.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Result, Row, progress
from bench.semantic_types import BLIND
from edge.classification.rules import Classifier, Column, classify_by_rules
from tests.support import Servers

NAME = "classification"
TITLE = "classification accuracy on pii-eval/datahub-classify, and throughput"
# The labelled columns beside the project (../shared), or where DATAWAVE_PII_EVAL says.
EVAL = Path(
    os.environ.get(
        "DATAWAVE_PII_EVAL",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "pii-eval" / "datahub-classify",
    )
)
TARGET_MICRO_F1 = 0.95
TARGET_COLUMNS_PER_SECOND = 1000
VALUES_PER_COLUMN = 1000

# The README's mapping of the set's labels to our ids.
MAPPED = {
    "Full_Name": "PERSON_NAME",
    "Email_Address": "EMAIL_ADDRESS",
    "Phone_Number": "PHONE_NUMBER",
    "Street_Address": "STREET_ADDRESS",
    "Gender": "GENDER",
    "Age": "AGE",
    "Credit_Debit_Card_Number": "CREDIT_CARD_NUMBER",
    "IBAN": "IBAN",
    "Swift_Code": "SWIFT_BIC",
    "US_Social_Security_Number": "US_SSN",
    "US_Driving_License_Number": "DRIVERS_LICENSE_NUMBER",
    "Vehicle_Identification_Number": "VEHICLE_IDENTIFICATION_NUMBER",
    "IP_Address_v4": "IP_ADDRESS",
    "IP_Address_v6": "IP_ADDRESS",
}
SCORED_IDS = tuple(sorted(set(MAPPED.values())))

# The baseline: one case-insensitive regex on the column name per id, as a first attempt would.
BASELINE = {
    "PERSON_NAME": r"(^|_|\s)(full_?)?name$",
    "EMAIL_ADDRESS": r"e-?mail",
    "PHONE_NUMBER": r"phone|tel|mobile",
    "STREET_ADDRESS": r"address|street",
    "GENDER": r"gender|(^|_)sex($|_)",
    "AGE": r"(^|_|\s)age($|_|\s)",
    "CREDIT_CARD_NUMBER": r"credit|card_?num|cc_?num",
    "IBAN": r"iban",
    "SWIFT_BIC": r"swift|(^|_)bic($|_)",
    "US_SSN": r"ssn|social",
    "DRIVERS_LICENSE_NUMBER": r"licen[cs]e|(^|_)dl($|_)",
    "VEHICLE_IDENTIFICATION_NUMBER": r"(^|_)vin($|_)",
    "IP_ADDRESS": r"(^|_)ip($|_|v4|v6|_?addr)",
}
_BASELINE = {infotype: re.compile(p, re.IGNORECASE) for infotype, p in BASELINE.items()}

Predict = Callable[[str, str, list[str]], str | None]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    per_id: dict[str, Tally] = field(default_factory=lambda: {i: Tally() for i in SCORED_IDS})
    misses: list[str] = field(default_factory=list)

    def micro(self) -> Tally:
        tallies = self.per_id.values()
        return Tally(
            sum(t.tp for t in tallies), sum(t.fp for t in tallies), sum(t.fn for t in tallies)
        )

    def macro_f1(self) -> float:
        # Over the ids that occur in the labels or the predictions (SWIFT_BIC does in neither).
        seen = [t.f1 for t in self.per_id.values() if t.tp + t.fp + t.fn]
        return sum(seen) / len(seen) if seen else 0.0


@dataclass(frozen=True)
class EvalColumn:
    table: str
    name: str
    values: list[str]
    label: str | None  # our id, for a labelled column
    scored: bool


def eval_columns(folder: Path = EVAL) -> list[EvalColumn]:
    expected: dict[str, dict[str, str]] = json.loads(
        (folder / "expected_infotypes_IDEAL.json").read_text()
    )
    not_scored: dict[str, list[str]] = json.loads((folder / "not_scored.json").read_text())
    columns: list[EvalColumn] = []
    for path in sorted((folder / "datasets").glob("*.csv")):
        table = path.stem
        with path.open(newline="", encoding="utf-8", errors="replace") as source:
            rows = list(csv.reader(source))
        header, body = rows[0], rows[1 : VALUES_PER_COLUMN + 1]
        labels = expected.get(table, {})
        for index, name in enumerate(header):
            values = [r[index] for r in body if index < len(r) and r[index].strip()]
            label = MAPPED.get(labels[name]) if name in labels else None
            scored = name not in set(not_scored.get(table, []))
            columns.append(EvalColumn(table, name, values, label, scored))
    return columns


def outcome(label: str | None, predicted: str | None) -> str | None:
    """How a prediction counts, as the README says: "tp", "fn" (a labelled column given any
    other answer), "fp" (an unlabelled one given a scored id) or None (right to name none)."""
    if label is not None:
        return "tp" if predicted == label else "fn"
    return "fp" if predicted in SCORED_IDS else None


def score(columns: list[EvalColumn], predict: Predict) -> Score:
    result = Score()
    for column in columns:
        if not column.scored:
            continue
        predicted = predict(column.table, column.name, column.values)
        counted = outcome(column.label, predicted)
        if counted == "tp":
            result.per_id[str(column.label)].tp += 1
        elif counted == "fn":
            result.per_id[str(column.label)].fn += 1
            result.misses.append(
                f"{column.table}.{column.name}: {column.label} predicted as {predicted}"
            )
        elif counted == "fp":
            result.per_id[str(predicted)].fp += 1
            result.misses.append(f"{column.table}.{column.name}: unlabelled, predicted {predicted}")
    return result


def by_rules(table: str, name: str, values: list[str]) -> str | None:
    return classify_by_rules(Column(name, table, "", values)).infotype


def by_model(classifier: Classifier) -> Predict:
    def predict(table: str, name: str, values: list[str]) -> str | None:
        return classifier.classify(Column(name, table, "", values)).infotype

    return predict


def by_baseline(_: str, name: str, __: list[str]) -> str | None:
    for infotype, pattern in _BASELINE.items():
        if pattern.search(name):
            return infotype
    return None


def generated_columns(count: int, seed: int = 7) -> list[Column]:
    """Columns of many kinds, 1,000 values each, made here (no evaluation data)."""
    rng = random.Random(seed)
    first = ["Ann", "Bob", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jo"]
    last = ["Smith", "Müller", "Rossi", "Nguyen", "Kowalski", "Silva", "Okafor", "Haddad"]
    words = ["order", "shipped", "late", "blue", "widget", "priority", "returned", "north"]
    makers: list[tuple[str, Callable[[int], str]]] = [
        ("quantity", lambda i: str(rng.randint(0, 500))),
        ("customer_name", lambda i: f"{rng.choice(first)} {rng.choice(last)}"),
        ("email", lambda i: f"{rng.choice(first).lower()}.{i}@example.org"),
        ("created_at", lambda i: f"2024-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"),
        ("order_id", lambda i: f"ORD-{rng.randint(10**6, 10**7)}"),
        ("comment", lambda i: " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))),
        ("phone", lambda i: f"+1 415 555 {rng.randint(1000, 9999)}"),
        ("card", lambda i: "4111111111111111"),
        ("price", lambda i: f"{rng.uniform(1, 999):.2f}"),
        ("uuid", lambda i: f"{rng.getrandbits(128):032x}"),
    ]
    columns = []
    for n in range(count):
        name, make = makers[n % len(makers)]
        columns.append(Column(name, "orders", "text", [make(i) for i in range(VALUES_PER_COLUMN)]))
    return columns


def _f1_rows(label: str, scored: Score) -> list[Row]:
    micro = scored.micro()
    return [
        Row(
            f"{label}: micro F1 (precision / recall)",
            f"{micro.f1:.3f} ({micro.precision:.3f} / {micro.recall:.3f})",
            f">= {TARGET_MICRO_F1}",
            micro.f1 >= TARGET_MICRO_F1,
        ),
        Row(f"{label}: macro F1", f"{scored.macro_f1():.3f}"),
    ]


def _throughput(label: str, classify: Callable[[Column], object], columns: list[Column]) -> Row:
    started = time.process_time()
    for column in columns:
        classify(column)
    seconds = time.process_time() - started
    rate = len(columns) / seconds if seconds else float("inf")
    return Row(
        f"throughput, {label}, {VALUES_PER_COLUMN} values per column (CPU time, one core)",
        f"{rate:,.0f} columns/s ({len(columns)} columns in {seconds:.2f} s)",
        f">= {TARGET_COLUMNS_PER_SECOND} columns/s",
        rate >= TARGET_COLUMNS_PER_SECOND,
    )


def run(_: Servers, quick: bool) -> Result:
    result = Result(NAME, TITLE)
    columns = eval_columns()
    progress(NAME, f"{len(columns)} columns in {len({c.table for c in columns})} tables")
    classifier = Classifier.load()
    progress(NAME, f"model {classifier.version or 'unavailable: ' + str(classifier.unavailable)}")
    rules, baseline = score(columns, by_rules), score(columns, by_baseline)
    model = score(columns, by_model(classifier))
    result.rows.extend(_f1_rows("rules", rules))
    result.rows.extend(_f1_rows(f"model + rules ({classifier.version})", model))
    base_micro = baseline.micro()
    result.rows.append(
        Row(
            "baseline (column-name regex): micro F1 (precision / recall)",
            f"{base_micro.f1:.3f} ({base_micro.precision:.3f} / {base_micro.recall:.3f})",
        )
    )
    result.rows.append(Row("baseline: macro F1", f"{baseline.macro_f1():.3f}"))
    for infotype in SCORED_IDS:
        mine, learned, theirs = (
            rules.per_id[infotype],
            model.per_id[infotype],
            baseline.per_id[infotype],
        )
        support = mine.tp + mine.fn
        result.rows.append(
            Row(
                f"{infotype} (support {support}): P / R / F1, rules vs model + rules vs baseline",
                f"{mine.precision:.2f} / {mine.recall:.2f} / {mine.f1:.2f} vs "
                f"{learned.precision:.2f} / {learned.recall:.2f} / {learned.f1:.2f} vs "
                f"{theirs.precision:.2f} / {theirs.recall:.2f} / {theirs.f1:.2f}",
            )
        )
    if (EVAL / BLIND).exists():
        result.notes.append(f"misses withheld: {EVAL} is a blind set ({BLIND} says so)")
    else:
        result.notes.append("misses of the rules: " + ("; ".join(rules.misses) or "none"))
        result.notes.append("misses of model + rules: " + ("; ".join(model.misses) or "none"))
    generated = generated_columns(200 if quick else 2000)
    result.rows.append(_throughput("rules", classify_by_rules, generated))
    result.rows.append(_throughput("model + rules", classifier.classify, generated))
    return result
