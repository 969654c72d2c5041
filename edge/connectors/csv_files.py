"""CSV files: one table per `.csv` file, the header row naming the columns.

Column types and nullability are inferred from the first rows of the file (reading a whole file
to list it would make discovery cost as much as the data); the sample is a seeded reservoir over
the whole file, one pass, holding no more rows than the sample itself.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from edge.connectors.base import DEFAULT_SAMPLE_ROWS, Column, Sample, Table, TableUnreadableError
from edge.connectors.files import source_files, source_path, unreadable
from edge.connectors.sampling import Row, reservoir_sample, seed_for

HEAD_BYTES = 64 * 1024  # what the listing reads of each file: delimiter, header, types, estimate
MAX_HEADER_BYTES = 1024 * 1024  # a longer header line is no CSV we can catalog
DELIMITERS = ",;\t|"
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BOOLEANS = frozenset({"true", "false", "yes", "no"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def connect(connection: dict[str, str]) -> CsvConnector:
    """A connector over the file or folder in `connection["path"]`."""
    return CsvConnector(source_path(connection))


class CsvConnector:
    """The CSV files below one root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def tables(self) -> Iterator[Table]:
        for found in source_files(self.root, ".csv"):
            yield _describe(found.path, found.qualified_name)

    def sample(self, table: Table, rows: int = DEFAULT_SAMPLE_ROWS) -> Sample:
        path, delimiter = Path(table.locator[0]), table.locator[1]
        width = len(table.columns)
        try:
            with _open(path) as text:
                records = csv.reader(text, delimiter=delimiter)
                next(records, None)  # the header
                fitted = (_fit(record, width) for record in records)
                chosen, count = reservoir_sample(fitted, rows, seed_for(table.qualified_name))
        except OSError as error:
            raise unreadable(table.qualified_name, error) from None
        except (csv.Error, UnicodeError) as error:
            raise _malformed(table.qualified_name, error) from None
        return Sample(chosen, row_count=count)

    def close(self) -> None:
        """Nothing stays open between calls."""


def _open(path: Path) -> io.TextIOWrapper:
    # utf-8-sig drops a byte-order mark; undecodable bytes must not hide the rest of the file.
    return path.open(encoding="utf-8-sig", errors="replace", newline="")


def _describe(path: Path, qualified_name: str) -> Table:
    """The table a file holds, from its first HEAD_BYTES; a file that cannot be read is still
    listed (without columns) so the rest of the source is cataloged and sampling says why."""
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            head = raw.read(HEAD_BYTES)
            # A header wider than that (thousands of columns) is read on to its end, bounded.
            while b"\n" not in head and len(head) < MAX_HEADER_BYTES:
                more = raw.read(HEAD_BYTES)
                if not more:
                    break
                head += more
    except OSError:
        return Table(qualified_name, "file", (), locator=(str(path), ","))
    text = head.decode("utf-8-sig", errors="replace")
    complete = len(head) >= size
    if not complete:
        text = text[: text.rfind("\n") + 1]  # a cut last line would mislead the sniffer
    delimiter = _sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        records = []
    header, body = (records[0], records[1:]) if records else ([], [])
    columns = _infer_columns(_column_names(header), body)
    estimate = len(body) if complete else _estimate_rows(len(body), len(text.encode()), size)
    return Table(
        qualified_name, "file", columns, row_estimate=estimate, locator=(str(path), delimiter)
    )


def _sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _column_names(header: list[str]) -> list[str]:
    """Header cells as unique names: a blank cell becomes `column_N`, a repeat gets `_2`, `_3`."""
    names: list[str] = []
    for position, cell in enumerate(header, start=1):
        base = cell.strip() or f"column_{position}"
        name = base
        for suffix in itertools.count(2):
            if name not in names:
                break
            name = f"{base}_{suffix}"
        names.append(name)
    return names


def _infer_columns(names: list[str], body: list[list[str]]) -> tuple[Column, ...]:
    columns = []
    for index, name in enumerate(names):
        values = [record[index] if index < len(record) else "" for record in body]
        present = [value for value in values if value.strip()]
        nullable = len(present) < len(values)
        columns.append(Column(name, infer_type(present), nullable))
    return tuple(columns)


def infer_type(values: list[str]) -> str:
    """The narrowest of integer, decimal, boolean, date, timestamp that fits every value."""
    if not values:
        return "string"
    cleaned = [value.strip() for value in values]
    for name, fits in _TYPE_TESTS:
        if all(fits(value) for value in cleaned):
            return name
    return "string"


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_timestamp(value: str) -> bool:
    if len(value) < 11 or not _DATE.match(value):
        return _is_date(value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_TYPE_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("integer", lambda value: _INTEGER.fullmatch(value) is not None),
    ("decimal", lambda value: _DECIMAL.fullmatch(value) is not None),
    ("boolean", lambda value: value.lower() in _BOOLEANS),
    ("date", _is_date),
    ("timestamp", _is_timestamp),
)


def _estimate_rows(rows_in_head: int, head_bytes: int, size: int) -> int | None:
    if rows_in_head == 0 or head_bytes == 0:
        return None
    return round(size * rows_in_head / head_bytes)


def _fit(record: list[str], width: int) -> Row:
    """A record as a row of the header's width; empty cells are nulls."""
    cells = record[:width] + [""] * (width - len(record))
    return tuple(cell if cell.strip() else None for cell in cells)


def _malformed(qualified_name: str, error: Exception) -> TableUnreadableError:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return TableUnreadableError(qualified_name, f"malformed CSV in {qualified_name}: {reason}")
