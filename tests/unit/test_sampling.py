"""Key-range sampling: seeded places in the key space, and always the rows asked for when the
table has them."""

from __future__ import annotations

from edge.connectors.sampling import KeyRangeReader, Row, key_range_sample


def reader(keys: list[int]) -> KeyRangeReader:
    """`key >= start ORDER BY key LIMIT limit` over a table with these keys; a row is its key."""

    def read_range(start: int, limit: int) -> list[tuple[int, Row]]:
        found: list[tuple[int, Row]] = [(k, (k,)) for k in keys if k >= start]
        return found[:limit]

    return read_range


def keys_of(sample: list[Row]) -> list[int]:
    return [int(str(row[0])) for row in sample]


def test_every_seed_gives_the_rows_asked_for_once_each() -> None:
    keys = [k for k in range(1, 3_000) if k % 7]  # gaps, as deleted rows leave
    read_range = reader(keys)
    for seed in range(200):
        sample = key_range_sample(read_range, keys[0], keys[-1], 500, seed)
        got = keys_of(sample)
        assert len(got) == 500 and len(set(got)) == 500, seed
        assert got == sorted(got)
        assert key_range_sample(read_range, keys[0], keys[-1], 500, seed) == sample
        assert max(got) > 1_000  # not the first 500 rows, as a LIMIT would read


def test_a_small_table_gives_what_it_has() -> None:
    keys = list(range(10, 40))
    assert keys_of(key_range_sample(reader(keys), 10, 39, 500, 3)) == keys
