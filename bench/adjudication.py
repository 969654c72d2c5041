"""A labelled set's disputed labels, settled again by a labeller who sees neither side.

A labelled set follows its makers' conventions, and they are not always TAXONOMY.md's: the
semantic-types set leaves untyped the columns of spouses' and officials' names, fax numbers and
address lines that TAXONOMY.md calls personal data. To tell which of the rules' misses are misses:

    python -m bench.adjudication pack SET OUT      # OUT/items.json to label, OUT/key.json
    (a labeller, given items.json alone, follows bench/adjudication/INSTRUCTIONS.md and writes
    labels.json into OUT; key.json says which kind of column each item is: keep it from them)
    python -m bench.adjudication settle OUT FILE   # the labels beside their columns, into FILE
    python -m bench.adjudication score SET FILE    # the rules scored with them

`pack` takes every scored column where the rules and the set disagree ("disputed"), and as
controls 40 columns where both name the same infotype ("agreed-named") and 40 where both name
none ("agreed-none"), shuffled; each item shows a column's name, its table and up to 20 of its
values, never the rules' answer nor the set's. `pack --agreed-none N --settled FILE` draws N more
agreed-none columns that FILE does not hold yet: the columns both sides would miss hide among
them, and only a larger sample tells how many; `pack --settled FILE` alone packs the disputed
columns FILE does not settle yet, which a change of the rules makes. The labeller names the one
TAXONOMY.md id each column holds (or NONE) and marks the calls reasonable people could make
otherwise.

`score` puts the settled labels in place of the set's and prints micro F1 four ways: with the
set's labels, with every settled label, with the settled labels not marked ambiguous (the
set's label stands for the others), and with the columns marked ambiguous left out.
Agreements outside the sample are taken as right, so those figures are upper bounds until every
agreement is labelled (both halves are, since the twelfth session); `score` also prints how
often the labeller found personal data in the agreed-none sample, the number of such columns
that rate gives over all of them, and the micro F1 if they were counted as misses. And how many
of today's disagreements FILE does not settle: a change of the rules makes disagreements nobody
has labelled. The labels of a blind set's columns are for scoring only: reading them is
reading its misses.
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

from bench.classification import (
    SCORED_IDS,
    EvalColumn,
    Score,
    Tally,
    by_rules,
    eval_columns,
    outcome,
    score,
)
from domain.taxonomy import INFOTYPES

CONTROLS = 40  # of each kind of agreement, in a first pack
SHOWN_VALUES = 20  # the 10 most frequent, then up to 10 others at random
SEED = 20261127
KINDS = ("disputed", "agreed-named", "agreed-none")

Key = tuple[str, str]


def _key(column: EvalColumn) -> Key:
    return column.table, column.name


def _kinds(columns: list[EvalColumn]) -> tuple[dict[Key, str], dict[Key, str | None]]:
    """Each scored column's kind, and the rules' answer for it."""
    answers = {_key(c): by_rules(c.table, c.name, c.values) for c in columns}
    kinds = {}
    for column in columns:
        if outcome(column.label, answers[_key(column)]) in ("fp", "fn"):
            kinds[_key(column)] = "disputed"
        elif column.label is not None:
            kinds[_key(column)] = "agreed-named"
        elif column.values:
            kinds[_key(column)] = "agreed-none"
    return kinds, answers


def _drawn_at() -> str:
    """The commit the rules were at, "+dirty" when the tree had changes."""

    def git(*arguments: str) -> str:
        command = [shutil.which("git") or "git", *arguments]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain") else "")


def pack(
    folder: Path, out: Path, agreed_none: int = 0, settled: Path | None = None
) -> Counter[str]:
    """Write OUT/items.json (what the labeller sees) and OUT/key.json (which column each is):
    the disputed columns and the controls; with `agreed_none`, that many more agreed-none
    columns that `settled` does not hold; with `settled` alone, the disputed columns it does not
    hold (a change of the rules makes new ones)."""
    rng = random.Random(SEED + (1 if agreed_none else 0))
    columns = [c for c in eval_columns(folder) if c.scored]
    kinds, _ = _kinds(columns)
    of = {kind: [c for c in columns if kinds.get(_key(c)) == kind] for kind in KINDS}
    known = {(s["table"], s["column"]) for s in _settled(settled)} if settled else set()
    if agreed_none:
        fresh = [c for c in of["agreed-none"] if _key(c) not in known]
        chosen = rng.sample(fresh, min(agreed_none, len(fresh)))
    elif settled:
        chosen = [c for c in of["disputed"] if _key(c) not in known]
    else:
        chosen = of["disputed"]
        chosen += rng.sample(of["agreed-named"], min(CONTROLS, len(of["agreed-named"])))
        chosen += rng.sample(of["agreed-none"], min(CONTROLS, len(of["agreed-none"])))
    items, keys = [], []
    for column in chosen:
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
        keys.append({"table": column.table, "column": column.name, "kind": kinds[_key(column)]})
    order = list(range(len(items)))
    rng.shuffle(order)
    out.mkdir(parents=True, exist_ok=True)
    drawn_at = _drawn_at()
    _write(out / "items.json", [items[i] | {"item": n} for n, i in enumerate(order, 1)])
    _write(
        out / "key.json",
        [keys[i] | {"item": n, "drawn_at": drawn_at} for n, i in enumerate(order, 1)],
    )
    return Counter(key["kind"] for key in keys)


def settle(out: Path, file: Path) -> int:
    """Add OUT/labels.json, joined to OUT/key.json, to FILE (made if missing)."""
    keys = {k["item"]: k for k in json.loads((out / "key.json").read_text())}
    labels = {entry["item"]: entry for entry in json.loads((out / "labels.json").read_text())}
    if set(keys) != set(labels):
        raise SystemExit("labels.json must label every item of key.json, and only those")
    wrong = {e["infotype"] for e in labels.values()} - set(INFOTYPES) - {"NONE"}
    if wrong:
        raise SystemExit(f"labels.json names ids TAXONOMY.md does not have: {sorted(wrong)}")
    earlier = _settled(file) if file.exists() else []
    held = {(s["table"], s["column"]) for s in earlier}
    added = [
        {
            "table": keys[n]["table"],
            "column": keys[n]["column"],
            "infotype": labels[n]["infotype"],
            "ambiguous": bool(labels[n].get("ambiguous")),
            "reason": labels[n].get("reason", ""),
            "kind": keys[n]["kind"],
            "drawn_at": keys[n]["drawn_at"],
        }
        for n in sorted(keys)
        if (keys[n]["table"], keys[n]["column"]) not in held
    ]
    _write(file, {"columns": earlier + added})
    return len(added)


def score_settled(folder: Path, file: Path) -> dict[str, Any]:
    """The rules' micro F1 on FOLDER with its labels, with FILE's, with FILE's unambiguous ones,
    and without the columns FILE marks ambiguous; the controls' agreement; the agreed-none
    sample's rate of personal data; today's disagreements FILE does not settle."""
    settled = {(s["table"], s["column"]): s for s in _settled(file)}
    columns = eval_columns(folder)
    kinds, answers = _kinds([c for c in columns if c.scored])

    def label(entry: dict[str, Any]) -> str | None:
        return entry["infotype"] if entry["infotype"] in SCORED_IDS else None

    def relabelled(ambiguous_too: bool) -> list[EvalColumn]:
        return [
            replace(c, label=label(settled[_key(c)]))
            if _key(c) in settled and (ambiguous_too or not settled[_key(c)]["ambiguous"])
            else c
            for c in columns
        ]

    def by_answer(table: str, name: str, _: list[str]) -> str | None:
        return answers.get((table, name))

    def micro(tally: Tally) -> str:
        return (
            f"{tally.f1:.3f} (P {tally.precision:.3f} / R {tally.recall:.3f}; "
            f"tp {tally.tp} fp {tally.fp} fn {tally.fn})"
        )

    settled_columns = relabelled(True)
    everything: Score = score(settled_columns, by_answer)
    result: dict[str, Any] = {
        "set's labels": micro(score(columns, by_answer).micro()),
        "settled labels": micro(everything.micro()),
        "settled where unambiguous": micro(score(relabelled(False), by_answer).micro()),
        "settled, ambiguous columns left out": micro(
            score(
                [c for c in settled_columns if not settled.get(_key(c), {}).get("ambiguous")],
                by_answer,
            ).micro()
        ),
    }
    for kind in ("agreed-named", "agreed-none"):
        sample = [c for c in columns if _key(c) in settled and settled[_key(c)]["kind"] == kind]
        agree = sum(label(settled[_key(c)]) == c.label for c in sample)
        result[f"{kind} columns labelled, agreeing with the set"] = f"{agree} of {len(sample)}"
    # The random draw only: a disputed column the rules no longer flag is no random agreement.
    sample = [
        c
        for c in columns
        if kinds.get(_key(c)) == "agreed-none"
        and _key(c) in settled
        and settled[_key(c)]["kind"] == "agreed-none"
    ]
    found = sum(label(settled[_key(c)]) is not None for c in sample)
    population = sum(kind == "agreed-none" for kind in kinds.values())
    if sample:
        hidden = round(found / len(sample) * population)
        tally = everything.micro()
        tally = Tally(tally.tp, tally.fp, tally.fn + max(0, hidden - found))
        result["agreed-none: personal data found in the sample"] = (
            f"{found} of {len(sample)}; over all {population} such columns about {hidden}, "
            f"micro F1 {tally.f1:.3f} if they were counted as misses"
        )
    result["ambiguous settled labels"] = sum(s["ambiguous"] for s in settled.values())
    result["disagreements today without a settled label"] = sum(
        kind == "disputed" and key not in settled for key, kind in kinds.items()
    )
    result["drawn with the rules at"] = sorted({s["drawn_at"] for s in settled.values()})
    return result


def _settled(file: Path) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = json.loads(file.read_text())["columns"]
    return columns


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(prog="python -m bench.adjudication")
    commands = arguments.add_subparsers(dest="command", required=True)
    packing = commands.add_parser("pack", help="the columns to label")
    packing.add_argument("set", type=Path, help="a labelled set (pii-eval's layout)")
    packing.add_argument("out", type=Path, help="the folder for items.json and key.json")
    packing.add_argument("--agreed-none", type=int, default=0, help="only this many more")
    packing.add_argument("--settled", type=Path, help="the settled labels not to repeat")
    settling = commands.add_parser("settle", help="the labels beside their columns")
    settling.add_argument("out", type=Path, help="the folder of key.json and labels.json")
    settling.add_argument("file", type=Path, help="the settled labels to add to")
    scoring = commands.add_parser("score", help="the rules scored with the settled labels")
    scoring.add_argument("set", type=Path, help="a labelled set (pii-eval's layout)")
    scoring.add_argument("file", type=Path, help="the settled labels")
    given = arguments.parse_args()
    if given.command == "pack":
        print(dict(pack(given.set, given.out, given.agreed_none, given.settled)))
    elif given.command == "settle":
        print(f"{settle(given.out, given.file)} columns added to {given.file}")
    else:
        for name, value in score_settled(given.set, given.file).items():
            print(f"{name}: {value}")
