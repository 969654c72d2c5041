"""A labelled set's disputed labels, settled again by a labeller who sees neither side.

A labelled set follows its makers' conventions, and they are not always TAXONOMY.md's: the
semantic-types set leaves untyped the columns of spouses' and officials' names, fax numbers and
address lines that TAXONOMY.md calls personal data. To tell which of the rules' misses are misses:

    python -m bench.adjudication pack SET OUT      # OUT/items.json to label, OUT/key.json
    (a labeller follows bench/adjudication/INSTRUCTIONS.md and writes OUT/labels.json)
    python -m bench.adjudication settle OUT FILE   # the labels beside their columns
    python -m bench.adjudication score SET FILE    # the rules scored with them

`pack` takes every scored column where the rules and the set disagree, and as controls 40
columns where both name the same infotype and 40 where both name none, shuffled; each item shows
a column's name, its table and up to 20 of its values, never the rules' answer nor the set's. The
labeller names the one TAXONOMY.md id each column holds (or NONE) and marks the calls reasonable
people could make otherwise. `score` puts those labels in place of the set's and prints micro F1
three ways: with the set's labels, with every settled label, and with the settled labels that are
not marked ambiguous (the set's label stands for the others); and how often the labeller agreed
with the set on the controls (a labeller who overturns agreements is not settling disputes).

The pool is drawn from one version of the rules (FILE says which, BENCHMARKS.md too): a later
change of the rules makes disagreements nobody has labelled, which `score` counts. The labels of a
blind set's columns are for scoring only: reading them is reading its misses.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.classification import SCORED_IDS, EvalColumn, Score, by_rules, eval_columns, score

CONTROLS = 40  # of each kind: both name the same infotype, both name none
SHOWN_VALUES = 20  # the 10 most frequent, then up to 10 others at random
SEED = 20261127


def _predicted(columns: list[EvalColumn]) -> dict[tuple[str, str], str | None]:
    return {(c.table, c.name): by_rules(c.table, c.name, c.values) for c in columns}


def _disagree(column: EvalColumn, predicted: str | None) -> bool:
    if column.label is not None:
        return predicted != column.label
    return predicted in SCORED_IDS


def pack(folder: Path, out: Path) -> dict[str, int]:
    """Write OUT/items.json (what the labeller sees) and OUT/key.json (which column each is)."""
    rng = random.Random(SEED)
    columns = [c for c in eval_columns(folder) if c.scored]
    predicted = _predicted(columns)
    disputed = [c for c in columns if _disagree(c, predicted[(c.table, c.name)])]
    agreed = [c for c in columns if not _disagree(c, predicted[(c.table, c.name)])]
    both_named = [c for c in agreed if c.label is not None]
    neither = [c for c in agreed if c.label is None and c.values]
    controls = rng.sample(both_named, min(CONTROLS, len(both_named)))
    controls += rng.sample(neither, min(CONTROLS, len(neither)))
    items, keys = [], []
    for column in disputed + controls:
        counts = Counter(v.strip() for v in column.values if v.strip())
        frequent = [v for v, _ in counts.most_common(SHOWN_VALUES // 2)]
        others = [v for v in counts if v not in frequent]
        shown = frequent + rng.sample(others, min(SHOWN_VALUES - len(frequent), len(others)))
        items.append(
            {
                "table": column.table,
                "column": column.name,
                "values_total": len(column.values),
                "values_distinct": len(counts),
                "sample_values": [v[:100] for v in shown],
            }
        )
        control = not _disagree(column, predicted[(column.table, column.name)])
        keys.append({"table": column.table, "column": column.name, "control": control})
    order = list(range(len(items)))
    rng.shuffle(order)
    for number, index in enumerate(order, 1):
        items[index]["item"] = keys[index]["item"] = number
    out.mkdir(parents=True, exist_ok=True)
    by_item = sorted(order, key=lambda index: items[index]["item"])
    _write(out / "items.json", [items[i] for i in by_item])
    _write(out / "key.json", [keys[i] for i in by_item])
    return {"disagreements": len(disputed), "controls": len(controls)}


def settle(out: Path, file: Path) -> int:
    """Join OUT/labels.json to OUT/key.json into FILE, with the commit the pool was drawn at."""
    keys = {k["item"]: k for k in json.loads((out / "key.json").read_text())}
    labels = {entry["item"]: entry for entry in json.loads((out / "labels.json").read_text())}
    if set(keys) != set(labels):
        raise SystemExit("labels.json must label every item of key.json, and only those")
    settled = [
        {
            "table": keys[n]["table"],
            "column": keys[n]["column"],
            "infotype": labels[n]["infotype"],
            "ambiguous": bool(labels[n].get("ambiguous")),
            "reason": labels[n].get("reason", ""),
            "control": keys[n]["control"],
        }
        for n in sorted(keys)
    ]
    commit = subprocess.run(
        [shutil.which("git") or "git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _write(file, {"rules_at": commit, "columns": settled})
    return len(settled)


def score_settled(folder: Path, file: Path) -> dict[str, Any]:
    """The rules' micro F1 on FOLDER with its labels, with FILE's, and with FILE's unambiguous
    ones; the controls' agreement; today's disagreements FILE does not settle."""
    settled = {(s["table"], s["column"]): s for s in json.loads(file.read_text())["columns"]}
    columns = eval_columns(folder)
    predicted = _predicted([c for c in columns if c.scored])

    def relabelled(ambiguous_too: bool) -> list[EvalColumn]:
        out = []
        for column in columns:
            entry = settled.get((column.table, column.name))
            if entry is not None and (ambiguous_too or not entry["ambiguous"]):
                infotype = entry["infotype"]
                column = replace(column, label=infotype if infotype in SCORED_IDS else None)
            out.append(column)
        return out

    def micro(scored: Score) -> str:
        m = scored.micro()
        return f"{m.f1:.3f} (P {m.precision:.3f} / R {m.recall:.3f}; tp {m.tp} fp {m.fp} fn {m.fn})"

    controls = [
        (c, settled[(c.table, c.name)])
        for c in columns
        if (c.table, c.name) in settled and settled[(c.table, c.name)]["control"]
    ]
    agree = sum(
        (entry["infotype"] if entry["infotype"] in SCORED_IDS else None) == c.label
        for c, entry in controls
    )
    unsettled = sum(
        1
        for c in columns
        if c.scored
        and (c.table, c.name) not in settled
        and _disagree(c, predicted[(c.table, c.name)])
    )
    return {
        "set's labels": micro(score(columns, by_rules)),
        "settled labels": micro(score(relabelled(True), by_rules)),
        "settled where unambiguous": micro(score(relabelled(False), by_rules)),
        "controls agreeing with the set": f"{agree} of {len(controls)}",
        "ambiguous settled labels": sum(s["ambiguous"] for s in settled.values()),
        "disagreements today without a settled label": unsettled,
        "pool drawn with the rules at": json.loads(file.read_text())["rules_at"],
    }


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(prog="python -m bench.adjudication")
    commands = arguments.add_subparsers(dest="command", required=True)
    packing = commands.add_parser("pack", help="the disputed columns, to label")
    packing.add_argument("set", type=Path, help="a labelled set (pii-eval's layout)")
    packing.add_argument("out", type=Path, help="the folder for items.json and key.json")
    settling = commands.add_parser("settle", help="the labels beside their columns")
    settling.add_argument("out", type=Path, help="the folder of key.json and labels.json")
    settling.add_argument("file", type=Path, help="the settled labels to write")
    scoring = commands.add_parser("score", help="the rules scored with the settled labels")
    scoring.add_argument("set", type=Path, help="a labelled set (pii-eval's layout)")
    scoring.add_argument("file", type=Path, help="the settled labels")
    given = arguments.parse_args()
    if given.command == "pack":
        print(pack(given.set, given.out))
    elif given.command == "settle":
        print(f"{settle(given.out, given.file)} columns settled in {given.file}")
    else:
        for name, value in score_settled(given.set, given.file).items():
            print(f"{name}: {value}")
