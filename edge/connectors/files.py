"""The files of a file source: one file, or every file of a kind in a folder and its sub-folders,
each named by its path relative to the root as API.md asks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edge.connectors.base import ConnectorError, SourceNotFoundError, TableUnreadableError


@dataclass(frozen=True)
class SourceFile:
    """A file found under the source root."""

    path: Path
    qualified_name: str


def source_path(connection: dict[str, str]) -> Path:
    """The root the connection names; it must exist now (it may vanish later)."""
    text = connection.get("path", "")
    if not text:
        raise ConnectorError("the connection names no path")
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceNotFoundError(f"file not found: {text}")
    return path


def source_files(root: Path, suffix: str) -> Iterator[SourceFile]:
    """The root itself if it is a file, else every `*suffix` file below it, in a stable order
    (sorted per folder, walked lazily so a huge tree is not listed up front)."""
    if root.is_file():
        yield SourceFile(root, root.name)
        return
    if not os.access(root, os.R_OK | os.X_OK):
        raise ConnectorError(f"permission denied on folder {root}")
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            if name.lower().endswith(suffix):
                path = Path(folder) / name
                yield SourceFile(path, path.relative_to(root).as_posix())


def unreadable(qualified_name: str, error: OSError) -> TableUnreadableError:
    """A user-facing reason for a file that exists in the listing but cannot be read."""
    if isinstance(error, FileNotFoundError):
        return TableUnreadableError(qualified_name, f"file not found: {qualified_name}")
    if isinstance(error, PermissionError):
        return TableUnreadableError(qualified_name, f"permission denied on file {qualified_name}")
    return TableUnreadableError(
        qualified_name, f"cannot read file {qualified_name}: {error.strerror}"
    )
