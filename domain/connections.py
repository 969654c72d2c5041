"""Connection settings of a data source, and where their secret is kept apart."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

from domain.errors import InvalidCommandError
from domain.text import trimmed

DATABASE_KINDS = frozenset({"postgresql", "mysql"})
FILE_KINDS = frozenset({"sqlite", "csv", "parquet"})
KINDS = DATABASE_KINDS | FILE_KINDS

REDACTED = "***"
_DSN_SCHEMES = {
    "postgresql": ("postgresql", "postgres"),
    "mysql": ("mysql", "mariadb", "mysql+pymysql"),
}
# libpq's and the MySQL drivers' names for a password in a DSN's query (sslpassword unlocks the
# client's key).
_SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "sslpassword"})
_KEYWORD_PASSWORD = re.compile(r"(?i)\b(password|passwd|pwd|sslpassword)\s*=\s*('[^']*'|\S+)")


@dataclass(frozen=True)
class SplitConnection:
    """Connection settings with the secret replaced by a marker, and the secret itself."""

    redacted: dict[str, str]
    secret: str | None


def validate_connection(
    kind: str, connection: dict[str, str], file_roots: tuple[str, ...] = ()
) -> None:
    """Check that the settings fit the kind, as the public contract describes them.

    With `file_roots`, a file path must lie inside one of them (checked on the path's text:
    the command side never opens the file; the edge agent does).
    """
    if kind not in KINDS:
        raise InvalidCommandError("kind", f"must be one of {', '.join(sorted(KINDS))}")
    key = "dsn" if kind in DATABASE_KINDS else "path"
    value = connection.get(key)
    if not isinstance(value, str) or not trimmed(value):
        raise InvalidCommandError(f"connection.{key}", f"is required for kind {kind}")
    unknown = set(connection) - {key}
    if unknown:
        raise InvalidCommandError("connection", f"unknown keys for kind {kind}: {sorted(unknown)}")
    if kind in FILE_KINDS:
        # The agent opens it wherever it runs: a relative path would depend on its folder.
        if not posixpath.isabs(value):
            raise InvalidCommandError("connection.path", "must be an absolute path")
        if file_roots and not _inside(value, file_roots):
            raise InvalidCommandError(
                "connection.path",
                f"must lie inside one of the allowed roots: {', '.join(file_roots)}",
            )
    if kind in DATABASE_KINDS:
        parts = _parsed(value)
        if parts.scheme not in _DSN_SCHEMES[kind]:
            allowed = " or ".join(f"{s}://" for s in _DSN_SCHEMES[kind])
            raise InvalidCommandError("connection.dsn", f"must start with {allowed}")
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0:  # not a number, out of 1..65535, or 0
            raise InvalidCommandError("connection.dsn", "has a port outside 1 to 65535")


def _parsed(dsn: str) -> SplitResult:
    try:
        return urlsplit(dsn)
    except ValueError:  # an unclosed or malformed [IPv6] host
        raise InvalidCommandError("connection.dsn", "is not a valid URL") from None


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    if not posixpath.isabs(path):
        return False
    normal = _normal(path)
    return any(
        normal == (root := _normal(r)) or normal.startswith(root.rstrip("/") + "/") for r in roots
    )


def _normal(path: str) -> str:
    # normpath keeps a leading "//" (POSIX leaves its meaning open; Linux reads it as "/").
    return "/" + posixpath.normpath(path).lstrip("/")


def split_secret(connection: dict[str, str]) -> SplitConnection:
    """Take the password out of a DSN (user-info or query), leaving a marker in its place.

    The DSN keeps its own spelling: only the password's text is replaced, nothing is decoded and
    encoded again (libpq reads `+` in a query as a plus sign, not a space). A DSN holding two
    different passwords is refused: only one can be kept apart and put back.
    """
    dsn = connection.get("dsn")
    if dsn is None:
        return SplitConnection(dict(connection), None)
    parts = _parsed(dsn)
    secrets: set[str] = set()
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            user, secret = userinfo.split(":", 1)
            secrets.add(secret)
            netloc = f"{user}:{REDACTED}@{host}"
    query, found = _replace_secret_values(parts.query, lambda _: REDACTED)
    secrets.update(found)
    if len(secrets) > 1:
        raise InvalidCommandError("connection.dsn", "holds two different passwords")
    redacted = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return SplitConnection({**connection, "dsn": redacted}, secrets.pop() if secrets else None)


def join_secret(redacted: dict[str, str], secret: str | None) -> dict[str, str]:
    """The clear-text settings again: the secret put back where `split_secret` left its marker."""
    dsn = redacted.get("dsn")
    if dsn is None or secret is None:
        return dict(redacted)
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if userinfo.endswith(f":{REDACTED}"):
            netloc = f"{userinfo[: -len(REDACTED)]}{secret}@{host}"
    query, _ = _replace_secret_values(parts.query, lambda v: secret if v == REDACTED else v)
    joined = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return {**redacted, "dsn": joined}


def _replace_secret_values(query: str, replace: Callable[[str], str]) -> tuple[str, list[str]]:
    """The query with `replace` applied to each password's value, in the query's own spelling
    (nothing decoded and encoded again), and those values as they were."""
    pieces, found = [], []
    for piece in query.split("&") if query else []:
        key, equals, value = piece.partition("=")
        if equals and unquote_plus(key).strip().lower() in _SECRET_QUERY_KEYS:
            found.append(value)
            piece = f"{key}={replace(value)}"
        pieces.append(piece)
    return "&".join(pieces), found


def redact_text(text: str, secrets: list[str]) -> str:
    """Replace every known secret and every keyword-style password in free text."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _KEYWORD_PASSWORD.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
