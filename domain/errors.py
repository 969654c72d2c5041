"""Domain errors. The API maps each family to one HTTP status in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a command; nothing was changed."""


class InvalidCommandError(DomainError):
    """The command's content breaks a domain rule (422)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class ConflictError(DomainError):
    """The command conflicts with the current state (409)."""


class NameTakenError(ConflictError):
    """Another live aggregate already uses this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the name {name!r} is already used by a live data source")
        self.name = name


class VersionConflictError(ConflictError):
    """The client's expected version is no longer the current one."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"expected version {expected}, but the current version is {actual}")
        self.expected = expected
        self.actual = actual


class DecommissionedError(ConflictError):
    """A decommissioned aggregate accepts no further changes."""

    def __init__(self, aggregate_id: object) -> None:
        super().__init__(f"data source {aggregate_id} is decommissioned and accepts no changes")
        self.aggregate_id = aggregate_id


class ScanRunningError(ConflictError):
    """A data source runs at most one scan workflow at a time."""

    def __init__(self, data_source_id: object, workflow_id: str) -> None:
        super().__init__(
            f"data source {data_source_id} is already being scanned by workflow {workflow_id}"
        )
        self.data_source_id = data_source_id
        self.workflow_id = workflow_id


class NotFoundError(DomainError):
    """No aggregate with this id exists (404)."""

    def __init__(self, kind: str, aggregate_id: object) -> None:
        super().__init__(f"no {kind} with id {aggregate_id}")
        self.kind = kind
        self.aggregate_id = aggregate_id
