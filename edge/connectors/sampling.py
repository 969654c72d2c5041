"""Sampling shared by the connectors that have no sampling of their own: seeded, so an unchanged
table yields the same sample every time and re-discovery gives identical profiles."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterable

# How many rows one key-range read returns at most: few round trips, yet rows from many places.
KEY_RANGE_ROWS = 50

Row = tuple[object, ...]
# (first key to read, at most this many rows) -> [(key, row), ...] in key order
KeyRangeReader = Callable[[int, int], list[tuple[int, Row]]]


def seed_for(qualified_name: str) -> int:
    """A seed fixed per table: stable across processes (unlike `hash`), different per table."""
    return zlib.crc32(qualified_name.encode())


def key_range_sample(
    read_range: KeyRangeReader, low: int, high: int, rows: int, seed: int
) -> list[Row]:
    """Up to `rows` rows read from seeded random places in the key space [low, high].

    Each place is an index range read (`key >= start ORDER BY key LIMIT n`), so the cost follows
    the sample size, not the table size; starts are sorted and never re-read a key already taken.
    Places near the top of the key space can run out of rows: then the sample is topped up from
    the bottom, with the keys not taken yet, so a table with enough rows gives `rows` rows.
    """
    per_range = min(KEY_RANGE_ROWS, rows)
    starts = _sorted_starts(low, high, -(-rows // per_range), seed)
    taken: dict[int, Row] = {}
    next_key = low
    for start in starts:
        wanted = min(per_range, rows - len(taken))
        found = read_range(max(start, next_key), wanted)
        taken.update(found)
        if found:
            next_key = found[-1][0] + 1
        if len(taken) >= rows or next_key > high:
            break
    next_key = low
    while len(taken) < rows and next_key <= high:
        found = read_range(next_key, rows - len(taken))
        if not found:
            break
        taken.update((key, row) for key, row in found if key not in taken)
        next_key = found[-1][0] + 1
    return [taken[key] for key in sorted(taken)]


def _sorted_starts(low: int, high: int, count: int, seed: int) -> list[int]:
    span = high - low + 1
    picked = random.Random(seed).sample(range(span), min(count, span))
    return sorted(low + offset for offset in picked)


def reservoir_sample(rows: Iterable[Row], size: int, seed: int) -> tuple[list[Row], int]:
    """A uniform random sample of `size` rows in one pass, holding no more than `size` rows;
    also the number of rows seen."""
    chooser = random.Random(seed)
    reservoir: list[Row] = []
    seen = 0
    for seen, row in enumerate(rows, start=1):
        if len(reservoir) < size:
            reservoir.append(row)
            continue
        slot = chooser.randrange(seen)
        if slot < size:
            reservoir[slot] = row
    return reservoir, seen
