"""What the database-server connectors share: where the server is, and the reasons a user can act
on when it refuses. Reasons name host:port, user, database or table, never the password."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.connections import redact_text
from edge.connectors.base import (
    AuthenticationFailedError,
    ConnectorError,
    SourceNotFoundError,
    SourceUnreachableError,
    TableUnreadableError,
)

CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_SECONDS = 10
# A server that vanishes without a word (its host down, a firewall dropping the connection) is
# noticed by TCP within about this long: keepalive probes after 10 s of silence, 5 s apart, and
# data the server never acknowledges given up on. A live server answers probes from its kernel,
# however long its query runs.
DEAD_PEER_SECONDS = 30
# How many tables one catalog round trip describes: few round trips, flat memory.
TABLES_PER_PAGE = 100


@dataclass(frozen=True)
class Endpoint:
    """The server, user and database a DSN names; the password only to keep it out of reasons."""

    host: str
    port: int
    user: str
    database: str
    password: str = field(default="", repr=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def refused(self) -> SourceUnreachableError:
        return SourceUnreachableError(f"connection refused at {self.address}")

    def timed_out(self) -> SourceUnreachableError:
        return SourceUnreachableError(f"timed out connecting to {self.address}")

    def unknown_host(self) -> SourceUnreachableError:
        return SourceUnreachableError(f"cannot resolve host {self.host}")

    def lost(self) -> SourceUnreachableError:
        return SourceUnreachableError(f"lost the connection to {self.address}")

    def authentication_failed(self) -> AuthenticationFailedError:
        return AuthenticationFailedError(f"authentication failed for user {self.user}")

    def access_denied(self) -> AuthenticationFailedError:
        return AuthenticationFailedError(
            f"user {self.user} may not connect to database {self.database}"
        )

    def database_missing(self) -> SourceNotFoundError:
        return SourceNotFoundError(f"database {self.database} does not exist")

    def failed(self, error: Exception) -> SourceUnreachableError:
        """Any other failure to talk to the server: its first line, with the password removed."""
        return SourceUnreachableError(f"cannot talk to {self.address}: {self.told(error)}")

    def told(self, error: Exception) -> str:
        """A driver message fit for a user: one line, no password."""
        lines = str(error).strip().splitlines()
        return redact_text(lines[0] if lines else type(error).__name__, [self.password])


def permission_denied(qualified_name: str) -> TableUnreadableError:
    return TableUnreadableError(qualified_name, f"permission denied on table {qualified_name}")


def read_timed_out(qualified_name: str) -> TableUnreadableError:
    reason = f"timed out reading table {qualified_name} after {STATEMENT_TIMEOUT_SECONDS} s"
    return TableUnreadableError(qualified_name, reason)


def cannot_read(qualified_name: str, told: str) -> TableUnreadableError:
    return TableUnreadableError(qualified_name, f"cannot read table {qualified_name}: {told}")


def invalid_dsn(kind: str) -> ConnectorError:
    """The DSN itself is unusable; it is not repeated, as it may hold the password."""
    return ConnectorError(f"the {kind} DSN cannot be parsed")
