"""Column profiles: what the classifier and the catalog learn about a column from a sample,
without any of its values. Every figure is rounded so the same sample gives the same profile,
which is what lets re-discovery of unchanged data change nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from edge.classification.names import name_evidence
from edge.connectors.base import Sample, Table

PRECISION = 4
PATTERN_LENGTH = 32
# The characters a value's shape keeps as they are: the separators that give it its structure.
# Any other punctuation is content (a value of symbols alone would otherwise be its own shape).
SHAPE_SEPARATORS = frozenset("-./:@_+(),'")
TOP_PATTERNS = 5
CHAR_CLASSES = ("alpha", "digit", "space", "other")
SECRET_INFOTYPES = ("PASSWORD", "API_KEY")
SECRET_NAME = 0.5  # name evidence from which a column counts as holding secrets


@dataclass(frozen=True)
class ColumnProfile:
    """Statistics of one column's sampled values; shapes and shares, never the values."""

    sampled: int
    null_ratio: float
    distinct_ratio: float
    min_length: int | None
    max_length: int | None
    mean_length: float | None
    char_classes: dict[str, float]
    patterns: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        return {
            "sampled": self.sampled,
            "null_ratio": self.null_ratio,
            "distinct_ratio": self.distinct_ratio,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "mean_length": self.mean_length,
            "char_classes": dict(self.char_classes),
            "patterns": [{"shape": shape, "share": share} for shape, share in self.patterns],
        }


def profile_table(table: Table, sample: Sample) -> dict[str, ColumnProfile]:
    """One profile per column of the table, by name, from the sample's rows."""
    table_name = table.qualified_name.rsplit(".", 1)[-1]
    return {
        column.name: profile_column(
            list(values),
            sample.distinct_ratios.get(column.name),
            with_patterns=not holds_secrets(column.name, table_name),
        )
        for column, values in zip(table.columns, columns_of(table, sample), strict=True)
    }


def holds_secrets(column: str, table: str) -> bool:
    """Whether the column's name says it holds passwords or keys: their shapes (how long, which
    characters where) would tell an attacker about them, so such profiles leave patterns out."""
    scores = name_evidence(column, table).scores
    return any(scores.get(infotype, 0.0) >= SECRET_NAME for infotype in SECRET_INFOTYPES)


def profile_column(
    values: list[object], source_distinct_ratio: float | None, *, with_patterns: bool = True
) -> ColumnProfile:
    """A column's profile; the source's own distinct estimate, where it keeps one, is preferred
    to the sample's, which undercounts for any column with more values than the sample rows.
    Without `with_patterns`, the value patterns are left out."""
    present = texts(values)
    lengths = [len(text) for text in present]
    if source_distinct_ratio is not None:
        distinct = source_distinct_ratio
    else:
        distinct = _share(len(set(present)), len(present))
    return ColumnProfile(
        sampled=len(values),
        null_ratio=_share(len(values) - len(present), len(values)),
        distinct_ratio=_rounded(distinct),
        min_length=min(lengths) if lengths else None,
        max_length=max(lengths) if lengths else None,
        mean_length=_share(sum(lengths), len(lengths)) if lengths else None,
        char_classes=_char_classes(present),
        patterns=_patterns(present) if with_patterns else (),
    )


_BINARY = (bytes, bytearray, memoryview)


def as_text(value: object) -> str:
    """A value's text form; bytes as hex, as their repr would differ by Python type."""
    if isinstance(value, _BINARY):
        return bytes(value).hex()
    return value if isinstance(value, str) else str(value)


def texts(values: Iterable[object]) -> list[str]:
    """The text forms of the values that are not NULL, as `as_text` gives them; in one pass
    without a call per value (a sample is 20,000 values a table, and each stage reads them)."""
    return [
        v if type(v) is str else str(v) if type(v) not in _BINARY else as_text(v)
        for v in values
        if v is not None
    ]


def columns_of(table: Table, sample: Sample) -> list[tuple[object, ...]]:
    """The sample's values column by column, in the table's column order (rows are never
    shorter than the table: a short one pads with NULLs)."""
    width = len(table.columns)
    rows = [
        row if len(row) >= width else (*row, *([None] * (width - len(row)))) for row in sample.rows
    ]
    return list(zip(*rows, strict=True))[:width] if rows else [() for _ in range(width)]


def shape(text: str) -> str:
    """A value's shape: upper-case letters as A, other letters as a, digits as 9, any white
    space as a blank, the separators of SHAPE_SEPARATORS kept, anything else as *; only the
    first PATTERN_LENGTH characters."""
    head = text[:PATTERN_LENGTH]
    if head.isascii():
        return head.translate(_ASCII_SHAPES)  # one C call instead of a Python loop
    return "".join(_shape_of(character) for character in head)


def shapes(texts: list[str]) -> list[str]:
    """The shapes of many values at once: one translate over all of them when they are ASCII."""
    heads = [text[:PATTERN_LENGTH] for text in texts]
    joined = _SEPARATOR.join(heads)
    if joined.isascii():
        shaped = joined.translate(_ASCII_SHAPES).split(_SEPARATOR)
        if len(shaped) == len(heads):  # no value held the separator itself
            return shaped
    return [shape(head) for head in heads]


def _shape_of(character: str) -> str:
    # Letters of scripts without case (CJK, say) count as lower case: keeping them would leak them.
    if character.isupper():
        return "A"
    if character.isalpha():
        return "a"
    if character.isdigit():
        return "9"
    if character.isspace():
        return " "
    return character if character in SHAPE_SEPARATORS else "*"


def _char_class(character: str) -> str:
    if character.isalpha():
        return "alpha"
    if character.isdigit():
        return "digit"
    if character.isspace():
        return "space"
    return "other"


# Its shape is itself, so splitting the shaped text finds every value again.
_SEPARATOR = "\x00"
# The same rules as tables for ASCII, which most values are: str.translate applies them in C.
_ASCII_SHAPES = str.maketrans(
    {chr(code): _shape_of(chr(code)) for code in range(128)} | {_SEPARATOR: _SEPARATOR}
)
_CLASS_MARKS = {"alpha": "l", "digit": "d", "space": "s", "other": "o"}
_ASCII_CLASSES = str.maketrans(
    {chr(code): _CLASS_MARKS[_char_class(chr(code))] for code in range(128)}
)


def _char_classes(texts: list[str]) -> dict[str, float]:
    joined = "".join(texts)
    if joined.isascii():
        marks = joined.translate(_ASCII_CLASSES)
        counts = {name: marks.count(mark) for name, mark in _CLASS_MARKS.items()}
    else:
        counts = Counter(_char_class(character) for character in joined)
    total = len(joined)
    return {name: _share(counts[name], total) for name in CHAR_CLASSES}


def _patterns(texts: list[str]) -> tuple[tuple[str, float], ...]:
    """The most frequent shapes, ties broken by the shape so the order never depends on the
    order of the sample's rows."""
    counts = Counter(shapes(texts))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATTERNS]
    return tuple((pattern, _share(count, len(texts))) for pattern, count in ranked)


def _share(part: int, whole: int) -> float:
    return _rounded(part / whole) if whole else 0.0


def _rounded(value: float) -> float:
    return round(value, PRECISION)
