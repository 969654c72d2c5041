"""Parquet files: one table per `.parquet` file, described from the file's footer alone.

The sample reads seeded random row groups until they hold a few times the rows asked for, one
row group in memory at a time, and takes seeded random rows from them: a file's cost is a few
row groups, never the whole file (except a file that is one row group).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from edge.connectors.base import DEFAULT_SAMPLE_ROWS, Column, Sample, Table, TableUnreadableError
from edge.connectors.files import source_files, source_path, unreadable
from edge.connectors.sampling import Row, seed_for

# Row groups are read until they hold this many times the rows asked for, so the rows taken
# come from more than one place in the file.
HEADROOM = 4


def connect(connection: dict[str, str]) -> ParquetConnector:
    """A connector over the file or folder in `connection["path"]`."""
    return ParquetConnector(source_path(connection))


class ParquetConnector:
    """The Parquet files below one root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def tables(self) -> Iterator[Table]:
        for found in source_files(self.root, ".parquet"):
            yield _describe(found.path, found.qualified_name)

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        names = [column.name for column in table.columns]
        with _opened(Path(table.locator[0]), table.qualified_name) as file:
            try:
                return Sample(_sample_rows(file, names, rows, seed_for(table.qualified_name)))
            except (pa.ArrowException, OSError) as error:
                raise _unreadable(table.qualified_name, error) from None

    def close(self) -> None:
        """Nothing stays open between calls."""


def _describe(path: Path, qualified_name: str) -> Table:
    """The table a file holds; a file that is not readable Parquet is still listed (without
    columns) so the rest of the source is cataloged and sampling says why."""
    try:
        with pq.ParquetFile(path) as file:
            schema, row_count = file.schema_arrow, file.metadata.num_rows
    except (pa.ArrowException, OSError):
        return Table(qualified_name, "file", (), locator=(str(path),))
    columns = tuple(Column(field.name, str(field.type), field.nullable) for field in schema)
    return Table(qualified_name, "file", columns, row_estimate=row_count, locator=(str(path),))


@contextmanager
def _opened(path: Path, qualified_name: str) -> Iterator[pq.ParquetFile]:
    """A ParquetFile for sampling, its open errors told as the table's."""
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(qualified_name, error) from None
    with file:
        yield file


def _sample_rows(file: pq.ParquetFile, names: list[str], rows: int, seed: int) -> list[Row]:
    chooser = random.Random(seed)
    groups = _chosen_row_groups(file, rows, chooser)
    available = sum(file.metadata.row_group(group).num_rows for group in groups)
    picked = sorted(chooser.sample(range(available), min(rows, available)))
    sample: list[Row] = []
    offset = 0
    for group in groups:
        size = file.metadata.row_group(group).num_rows
        local = [position - offset for position in picked if offset <= position < offset + size]
        if local:
            table = file.read_row_group(group, columns=names).take(local)
            sample.extend(_as_rows(table, names))
        offset += size
    return sample


def _chosen_row_groups(file: pq.ParquetFile, rows: int, chooser: random.Random) -> list[int]:
    """Row groups in seeded random order until they hold HEADROOM times the rows wanted; then
    in file order, so each is read once."""
    order = list(range(file.num_row_groups))
    chooser.shuffle(order)
    chosen, held = [], 0
    for group in order:
        if held >= rows * HEADROOM:
            break
        chosen.append(group)
        held += file.metadata.row_group(group).num_rows
    return sorted(chosen)


def _as_rows(table: pa.Table, names: list[str]) -> list[Row]:
    columns = [table.column(name).to_pylist() for name in names]
    return list(zip(*columns, strict=True))


def _unreadable(qualified_name: str, error: Exception) -> TableUnreadableError:
    if isinstance(error, OSError) and not isinstance(error, pa.ArrowException):
        return unreadable(qualified_name, error)
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return TableUnreadableError(
        qualified_name, f"cannot read Parquet file {qualified_name}: {reason}"
    )
