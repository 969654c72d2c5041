"""A second, held-out labelled set for `python -m bench classification`, built from public data.

`python -m bench.semantic_types REPO OUT` reads a git clone of github.com/tsegall/semantic-types
(the reference set of the FTA library's author: real open-data CSVs from US, CA, AU and CO Socrata
portals, at most 1,000 rows each, with each column's semantic type checked by hand) at commit
782d912, and writes OUT in the layout of pii-eval/datahub-classify, so that

    DATAWAVE_PII_EVAL=OUT python -m bench classification

scores our rules on it the same way. Only files with a column of one of the scored ids are kept,
one per distinct list of column names. `--part dev` or `--part test` keeps one half of the files,
split by a hash of their name: rules are changed only after reading the development half's
misses, and the test half measures them blind (BENCHMARKS.md says which figures came from
which). The upstream repository is Apache-2.0; its data files carry the portals' licence (CC0,
says its README); nothing of it is stored in this repository.

Mapping (FTA semantic type -> the datahub-classify label the bench maps to our id): first, last
and full names -> Full_Name (PERSON_NAME); EMAIL, TELEPHONE, STREET_ADDRESS_EN, GENDER.TEXT_*,
PERSON.AGE, VIN likewise. Everything else is unlabelled. An empty upstream type means "FTA has no
type for it", not "no personal data", and so does BLANK, FTA's type for a column without values
(until 2026-11-28 such columns counted as holding none): those whose names say they hold one of
our ids (`firstname`, `telefono`, `date_of_birth`), and middle names, suffixes and second address
lines, are listed in not_scored.json, so a right answer there is not counted as a false positive.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

COMMIT = "782d9128651217ba526c4a58bb4fe2d09f9b2b3c"
LABELS = {
    "NAME.FIRST": "Full_Name",
    "NAME.LAST": "Full_Name",
    "NAME.FIRST_LAST": "Full_Name",
    "NAME.LAST_FIRST": "Full_Name",
    "EMAIL": "Email_Address",
    "TELEPHONE": "Phone_Number",
    "STREET_ADDRESS_EN": "Street_Address",
    "GENDER.TEXT_EN": "Gender",
    "GENDER.TEXT_ES": "Gender",
    "PERSON.AGE": "Age",
    "VIN": "Vehicle_Identification_Number",
}
# Parts of what we label, or types the source cannot vouch for: never scored.
UNSURE_TYPES = frozenset(
    {"NAME.MIDDLE", "NAME.MIDDLE_INITIAL", "NAME.SUFFIX", "STREET_ADDRESS2_EN", "CHECKDIGIT.LUHN"}
)
# Untyped columns (upstream type empty or a number format) whose names say personal data.
UNSURE_NAME = re.compile(
    "|".join(
        (
            r"(^|_)(first|last|middle|given|family|sur|full)_?name|^[fl]?name$|^nombres?$"
            r"|apellido|^(first|last)$|(^|_)(employee|contact|owner|person|voter|agent|officer"
            r"|visitor|patient|student|driver|applicant|candidate|member|taxpayer|licensee"
            r"|physician|doctor|provider)s?_?name",
            r"e_?mail|correo",
            r"(^|_)(phone|telephone|tel|telefono|tel_fono|fax|mobile|cell|celular)(_|$)"
            r"|phone_?(number|num|no)|telefono",
            r"address|addr|direcci|domicilio",
            r"zip|postal|postcode",
            r"(^|_)(sex|gender|genero|g_nero|sexo)(_|$|id)",
            r"(^|_)(age|edad|ages)(_|$)|(^|_)age_?(at|range|group|years|num)|^ageat",
            r"(date|fecha|day|year|yr)_?(of_?)?birth|birth_?(date|day|year|yr)|(^|_)dob(_|$)"
            r"|fecha_?(de_?)?nacimiento|a_o_?(de_?)?nacimiento|ano_?(de_?)?nacimiento",
            r"(^|_)ssn(_|$)|social_?sec",
            r"driver_?s?_?licen",
            r"(^|_)vin(_|$)",
            r"(^|_)ip(_|$)|ip_?addr",
            r"mac_?addr",
            r"credit_?card|card_?(num|no)",
            r"iban",
            r"swift|(^|_)bic(_|$)",
            r"tax_?id|taxpayer_?(number|num|no|id)|(^|_)(tp_id|tp_number|tin|ein|nit)(_|$)",
            r"passport|pasaporte",
            r"cedula|c_dula|national_?id|(numero|nro|num|no)_?(de_?)?documento"
            r"|documento_?(numero|nro|no)(_|$)|documento_de_identidad",
            r"account_?(number|num|no)(_|$)|(numero|nro|no)_?(de_?)?cuenta|(^|_)cuenta(_|$)",
        )
    )
)
# An upstream type that names something else (CITY, URI.URL, YES_NO): the name is not doubted.
# BLANK names nothing: FTA gives it to a column without values, which it cannot type.
OTHER_TYPE = re.compile(
    r"^(?!(SIGNED|GROUPING|NON_LOCALIZED|SIGNED,GROUPING|FREE_TEXT|BLANK)$)[A-Z][\w.\-]+$"
)


PARTS = ("dev", "test")
# A labelled set holding this file is measured blind: `bench classification` does not print its
# misses, so that nobody changes a rule for them. The test half holds it.
BLIND = "BLIND"


def part_of(table: str) -> str:
    """The half a table belongs to: fixed by its name, so every build splits alike."""
    return PARTS[hashlib.sha256(table.encode()).digest()[0] % 2]


def build(repo: Path, out: Path, part: str | None = None) -> dict[str, int]:
    """Write OUT/datasets/*.csv, expected_infotypes_IDEAL.json and not_scored.json (of one
    `part` of the tables, or of all); the counts."""
    reference = _show(repo, "reference.csv").decode("utf-8")
    fields: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(reference, newline="")):
        fields[row["File"]].append(row)
    shutil.rmtree(out / "datasets", ignore_errors=True)  # a rebuild holds this build's files only
    (out / BLIND).unlink(missing_ok=True)
    (out / "datasets").mkdir(parents=True, exist_ok=True)
    expected: dict[str, dict[str, str]] = {}
    not_scored: dict[str, list[str]] = {}
    schemas: set[tuple[str, ...]] = set()
    for path in sorted(fields):
        rows = sorted(fields[path], key=lambda r: int(r["FieldOffset"]))
        schema = tuple(r["FieldName"].lower() for r in rows)
        if schema in schemas or not any(r["SemanticType"] in LABELS for r in rows):
            continue
        schemas.add(schema)  # the first file of a schema stands for it, readable or not
        data = _show(repo, path).removeprefix(b"\xef\xbb\xbf")
        header = _header(data)
        if header is None or len(header) != len(rows) or len(set(header)) != len(header):
            continue  # not UTF-8, or columns that do not line up with the reference
        parts = path.split("/")
        table = "__".join(re.sub(r"[^A-Za-z0-9]+", "_", p) for p in (parts[-2], parts[-1][:-4]))
        if part is not None and part_of(table) != part:
            continue
        (out / "datasets" / f"{table}.csv").write_bytes(data)
        for column, row in zip(header, rows, strict=True):
            kind = row["SemanticType"]
            if kind in LABELS:
                expected.setdefault(table, {})[column] = LABELS[kind]
            elif kind in UNSURE_TYPES or (
                not OTHER_TYPE.match(kind)
                and UNSURE_NAME.search(re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_"))
            ):
                not_scored.setdefault(table, []).append(column)
    if part == "test":
        (out / BLIND).write_text(
            "Measure with this set; do not read its misses or change rules for it.\n"
        )
    (out / "expected_infotypes_IDEAL.json").write_text(json.dumps(expected, indent=1))
    (out / "not_scored.json").write_text(json.dumps(not_scored, indent=1))
    return {
        "tables": len(list((out / "datasets").glob("*.csv"))),
        "labelled": sum(len(c) for c in expected.values()),
        "not_scored": sum(len(c) for c in not_scored.values()),
    }


def _show(repo: Path, path: str) -> bytes:
    git = shutil.which("git") or "git"
    return subprocess.run(
        [git, "-C", str(repo), "show", f"{COMMIT}:{path}"], capture_output=True, check=True
    ).stdout


def _header(data: bytes) -> list[str] | None:
    try:
        return next(csv.reader(io.StringIO(data.decode("utf-8"))), None)
    except UnicodeDecodeError:
        return None


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(prog="python -m bench.semantic_types")
    arguments.add_argument("repo", type=Path, help="a git clone of tsegall/semantic-types")
    arguments.add_argument("out", type=Path, help="the folder to write the labelled set to")
    arguments.add_argument("--part", choices=PARTS, help="one half of the files (default: all)")
    given = arguments.parse_args()
    print(build(given.repo, given.out, given.part))
