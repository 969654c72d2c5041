"""The model's view of a column: one fixed-length vector of numbers, from what the rules already
know and a few cheap statistics of the values.

The rules' evidence goes in as it is: the name's score for every infotype and whether a negative
cue fired (`name_evidence`), and for every infotype the share of values that matched its pattern
and the share that passed its validator (`value_evidence`). `features` takes both as arguments,
so a caller that has them (the rules) never works them out twice. The statistics describe what
patterns cannot: how many words a value has, whether they are capitalised, whether a number
comes before them (a house number) or after them, how long values are and how alike, how many
repeat. They are taken on at most `SAMPLE` evenly spread values with C-speed string methods and
one regex scan each, so a column of 1,000 values costs well under a tenth of a millisecond.

Every feature lies in 0..1 (lengths and counts on a log scale), so that no model needs scaling.
`FEATURE_VERSION` names the layout; a trained model records it, and a model trained on another
layout is refused rather than fed numbers it does not know.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import mul

import numpy as np
import numpy.typing as npt

from domain.taxonomy import INFOTYPES
from edge.classification.names import NameEvidence
from edge.classification.values import ValueEvidence

FEATURE_VERSION = "features-2"
# Values the statistics look at, evenly spread over the column: the shares they estimate are
# within a few points of the whole column's, at an eighth of the cost of 1,000 values.
SAMPLE = 128

_LOG_LENGTH = math.log1p(200)  # lengths beyond 200 characters all look alike: long text
_LOG_COUNT = math.log1p(10_000)
_MARKS = ("@", "-", "/", ".", ":", ",", "_", "+", "(", "$", "#")
_DIGITS = b"0123456789"
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_PUNCT = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

# Values the line patterns look at: a regex scan costs about 0.15 µs a character.
PATTERN_SAMPLE = 48
# Line patterns, counted over the sample joined by newlines: each match starts at the newline
# before its line, which the regex engine finds at C speed, and ends before the next one.
_LINES = {
    # a house number before words: "221B Baker Street", "12, rue de la Paix"
    "number_then_words": re.compile(r"\n\d{1,5}[A-Za-z]?,? +[^\W\d_]{2,}[^\n]*(?=\n)"),
    # words before a number: "Hauptstraße 5", "Evibaan 743", "Contrada Germano, 5"
    "words_then_number": re.compile(r"\n[^\W\d_][^\n]*?[^\W\d_],? +\d{1,5}[A-Za-z]?(?=\n)"),
    "decimal": re.compile(r"\n[-+]?\d+[.,]\d+(?=\n)"),
}

NAME_FEATURES = (
    *(f"name:{infotype}" for infotype in INFOTYPES),
    "name:negative_cue",
    "name:best",
    "name:tokens",
)
VALUE_FEATURES = tuple(
    f"values:{infotype}:{kind}" for infotype in INFOTYPES for kind in ("matched", "validated")
)
STAT_FEATURES = (
    "stat:count",
    "stat:empty",
    "stat:distinct_ratio",
    "stat:distinct_in_sample",
    "stat:top_value_share",
    "stat:digits_only",
    "stat:letters_only",
    "stat:letters_and_digits_only",
    "stat:upper",
    "stat:lower",
    "stat:capitalised",
    "stat:spaces_per_value",
    *(f"stat:{mark}_per_value" for mark in _MARKS),
    "stat:mean_length",
    "stat:length_spread",
    "stat:min_length",
    "stat:max_length",
    "stat:modal_length_share",
    "stat:one_word",
    "stat:two_words",
    "stat:three_words",
    "stat:four_or_more_words",
    "stat:chars_digit",
    "stat:chars_upper",
    "stat:chars_lower",
    "stat:chars_punctuation",
    "stat:chars_other",
    *(f"stat:{name}" for name in _LINES),
    "stat:integer_median",
    "stat:integer_max",
)
FEATURE_NAMES = NAME_FEATURES + VALUE_FEATURES + STAT_FEATURES
N_FEATURES = len(FEATURE_NAMES)
_POSITION = {infotype: index for index, infotype in enumerate(INFOTYPES)}

Vector = npt.NDArray[np.float64]


def features(
    names: NameEvidence, values: Mapping[str, ValueEvidence], column_values: Sequence[str]
) -> Vector:
    """The column as `FEATURE_NAMES` says: the rules' name and value evidence, and statistics
    of `column_values` (the sampled values as text, as the rules saw them)."""
    scores = names.scores
    shares = [0.0] * len(VALUE_FEATURES)
    for infotype, found in values.items():
        if found.total and infotype in _POSITION:
            at = 2 * _POSITION[infotype]
            shares[at] = found.matched / found.total
            shares[at + 1] = found.telling / found.total  # as the rules count it
    return np.array(
        [
            *(scores.get(infotype, 0.0) for infotype in INFOTYPES),
            1.0 if names.negative else 0.0,
            max(scores.values(), default=0.0),
            min(len(names.tokens), 8) / 8,
            *shares,
            *_statistics(column_values),
        ]
    )


def _statistics(column_values: Sequence[str]) -> list[float]:
    step = max(1, len(column_values) // SAMPLE)
    sample = list(map(str.strip, column_values[::step][:SAMPLE]))
    values = list(filter(None, sample))
    n = len(values)
    if n == 0:
        return [0.0] * len(STAT_FEATURES)
    text = "\n".join(values)
    if text.count("\n") != n - 1:  # a value spans lines: keep each on one
        values = [" ".join(value.splitlines()) for value in values]
        text = "\n".join(values)
    empty = (len(sample) - n) / len(sample)
    counts = Counter(values)
    raw = text.encode("utf-8", "surrogatepass")
    chars = max(1, len(raw) - (n - 1))
    digit = len(raw) - len(raw.translate(None, _DIGITS))
    upper = len(raw) - len(raw.translate(None, _UPPER))
    lower = len(raw) - len(raw.translate(None, _LOWER))
    space = raw.count(b" ")
    punct = len(raw) - len(raw.translate(None, _PUNCT))
    other = max(0, chars - digit - upper - lower - space - punct)
    lengths = list(map(len, values))
    mean = sum(lengths) / n
    spread = math.sqrt(max(0.0, sum(map(mul, lengths, lengths)) / n - mean * mean))
    words = Counter(map(str.count, values, repeat(" ")))
    integers = sorted(map(int, filter(str.isdecimal, values)))
    digits_only, letters_only = len(integers) / n, _share(str.isalpha, values)
    median = max_int = 0.0
    if integers:
        median = min(1.0, math.log10(integers[len(integers) // 2] + 1) / 15)
        max_int = min(1.0, math.log10(integers[-1] + 1) / 15)
    head = "\n" + "\n".join(values[:: max(1, n // PATTERN_SAMPLE)][:PATTERN_SAMPLE]) + "\n"
    in_head = max(1, head.count("\n") - 1)
    return [
        math.log1p(len(column_values) * (1.0 - empty)) / _LOG_COUNT,
        empty,
        len(counts) / n,
        math.log1p(len(counts)) / _LOG_COUNT,
        max(counts.values()) / n,
        digits_only,
        letters_only,
        _share(str.isalnum, values) - digits_only - letters_only,
        _share(str.isupper, values),
        _share(str.islower, values),
        _share(str.istitle, values),
        min(1.0, text.count(" ") / n / 4),
        *(min(1.0, text.count(mark) / n) for mark in _MARKS),
        min(1.0, math.log1p(mean) / _LOG_LENGTH),
        min(1.0, spread / (mean + 1.0)),
        min(1.0, math.log1p(min(lengths)) / _LOG_LENGTH),
        min(1.0, math.log1p(max(lengths)) / _LOG_LENGTH),
        Counter(lengths).most_common(1)[0][1] / n,
        words[0] / n,
        words[1] / n,
        words[2] / n,
        1.0 - (words[0] + words[1] + words[2]) / n,
        digit / chars,
        upper / chars,
        lower / chars,
        punct / chars,
        other / chars,
        *(len(pattern.findall(head)) / in_head for pattern in _LINES.values()),
        median,
        max_int,
    ]


def _share(check: Callable[[str], bool], values: list[str]) -> float:
    return sum(map(check, values)) / len(values)
