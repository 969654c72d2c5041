"""The catalog context: an Asset (a table, view or file) of a data source, with its columns.

An asset's id follows from its source and qualified name, so whoever observes a table again
(another edge agent, a redelivered result) lands on the same aggregate. Observing it appends
only what changed: re-discovering an unchanged source appends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidCommandError, NotFoundError
from domain.meta import EventMeta
from domain.taxonomy import CATEGORIES
from domain.text import trimmed

# An observed table, as the edge reports it (plain JSON data):
#   {"qualified_name", "kind",
#    "columns": [{"name", "data_type", "nullable", "profile"?, "classification"?}],
#    "primary_key": [...], "foreign_keys": [{"columns", "references", "referenced_columns"}],
#    "row_estimate"}
Observed = dict[str, Any]
Column = dict[str, Any]

_COLUMN_FIELDS = ("name", "data_type", "nullable")


def asset_id(data_source_id: UUID, qualified_name: str) -> UUID:
    """The one id of this table of this source, whoever observes it."""
    return uuid5(NAMESPACE_URL, f"/datawave/assets/{data_source_id}/{qualified_name}")


def _columns_of(observed: Observed) -> dict[str, Column]:
    return {c["name"]: {k: c[k] for k in _COLUMN_FIELDS} for c in observed["columns"]}


def _profiles_of(observed: Observed) -> dict[str, Any]:
    return {c["name"]: c["profile"] for c in observed["columns"] if c.get("profile") is not None}


# What decides whether a column's automatic classification changed (not its evidence counts).
_DECISION = ("infotype", "category", "confidence", "method")
UNCLASSIFIED: dict[str, Any] = {
    "infotype": None,
    "category": None,
    "confidence": None,
    "method": None,
}


def _classifications_of(observed: Observed) -> dict[str, dict[str, Any]]:
    return {c["name"]: c["classification"] for c in observed["columns"] if c.get("classification")}


def _decision(classification: dict[str, Any]) -> dict[str, Any]:
    """Infotype, category, confidence and method; any unclassified column is simply that."""
    if classification.get("infotype") is None and classification.get("method") != "manual":
        return dict(UNCLASSIFIED)
    return {k: classification.get(k) for k in _DECISION}


def _keys_of(observed: Observed) -> dict[str, Any]:
    return {
        "primary_key": list(observed.get("primary_key") or []),
        "foreign_keys": list(observed.get("foreign_keys") or []),
    }


@dataclass(frozen=True)
class SetAside:
    """A column's automatic decision while a steward's stands, with the workflow that made it
    and the decision before that workflow (so that a roll-back can still revert it later)."""

    classification: dict[str, Any]
    workflow: str | None
    before_workflow: dict[str, Any] | None


class Asset(Aggregate):
    """A table, view or file of one data source, as last observed at the edge."""

    @staticmethod
    def create_id(data_source_id: UUID, qualified_name: str) -> UUID:
        return asset_id(data_source_id, qualified_name)

    @event("Discovered")
    def __init__(
        self,
        data_source_id: UUID,
        qualified_name: str,
        kind: str,
        columns: list[Column],
        keys: dict[str, Any],
        row_estimate: int | None,
        profiles: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        self.data_source_id = data_source_id
        self.qualified_name = qualified_name
        self._reset(kind, columns, keys, row_estimate, profiles)

    def _reset(
        self,
        kind: str,
        columns: list[Column],
        keys: dict[str, Any],
        row_estimate: int | None,
        profiles: dict[str, Any],
    ) -> None:
        self.kind = kind
        self.columns: dict[str, Column] = {c["name"]: dict(c) for c in columns}
        self.keys = keys
        self.row_estimate = row_estimate
        self.profiles: dict[str, Any] = dict(profiles)
        self.classifications: dict[str, dict[str, Any]] = {}
        self.overridden: set[str] = set()  # columns a steward decided: re-scans leave them be
        # The automatic decision a steward's decision set aside: what withdrawing it restores.
        self.set_aside: dict[str, SetAside] = {}
        # Which workflow (correlation id) last classified each column automatically, and the
        # decision before that workflow first touched it: what a roll-back restores.
        self.classified_by: dict[str, str] = {}
        self.before_workflow: dict[str, dict[str, Any]] = {}
        self.decommissioned = False

    @classmethod
    def discover(cls, data_source_id: UUID, observed: Observed, meta: EventMeta) -> Asset:
        """A table seen for the first time, with the classification of each column."""
        asset = cls(
            data_source_id=data_source_id,
            qualified_name=observed["qualified_name"],
            kind=observed["kind"],
            columns=list(_columns_of(observed).values()),
            keys=_keys_of(observed),
            row_estimate=observed.get("row_estimate"),
            profiles=_profiles_of(observed),
            meta=meta,
        )
        asset._classify(observed, meta)
        return asset

    def observe(self, observed: Observed, meta: EventMeta) -> None:
        """The table as seen again: one event per change, none when nothing changed."""
        columns = _columns_of(observed)
        profiles = _profiles_of(observed)
        if self.decommissioned:
            self._rediscovered(
                kind=observed["kind"],
                columns=list(columns.values()),
                keys=_keys_of(observed),
                row_estimate=observed.get("row_estimate"),
                profiles=profiles,
                meta=meta,
            )
            self._classify(observed, meta)
            return
        for name in [n for n in self.columns if n not in columns]:
            self._column_removed(name=name, meta=meta)
        for name, column in columns.items():
            known = self.columns.get(name)
            if known is None:
                self._column_added(column=column, profile=profiles.get(name), meta=meta)
            elif known["data_type"] != column["data_type"]:
                self._column_type_changed(
                    name=name, old_type=known["data_type"], new_type=column["data_type"], meta=meta
                )
            if known is not None and known["nullable"] != column["nullable"]:
                self._column_nullability_changed(name=name, nullable=column["nullable"], meta=meta)
        keys = _keys_of(observed)
        if keys != self.keys:
            self._keys_changed(keys=keys, meta=meta)
        changed = {n: p for n, p in profiles.items() if self.profiles.get(n) != p}
        row_estimate = observed.get("row_estimate")
        if changed or row_estimate != self.row_estimate:
            self._statistics_updated(row_estimate=row_estimate, profiles=changed, meta=meta)
        self._classify(observed, meta)

    def _classify(self, observed: Observed, meta: EventMeta) -> None:
        """Record each column's automatic classification where the decision changed, with the
        previous one; the same decision again (a re-scan of unchanged data) records nothing."""
        for name, classification in _classifications_of(observed).items():
            if name in self.overridden:
                continue
            previous = _decision(self.classifications.get(name, UNCLASSIFIED))
            if _decision(classification) != previous:
                self._column_classified(
                    name=name, classification=classification, previous=previous, meta=meta
                )

    def override_classification(
        self, column: str, infotype: str | None, reason: str, meta: EventMeta
    ) -> None:
        """A steward's decision on a column: an infotype, or None for "not sensitive". It stays
        until a steward changes it; no re-scan replaces it."""
        self._check_steward_may_decide(column)
        if infotype is not None and infotype not in CATEGORIES:
            raise InvalidCommandError("infotype", f"{infotype!r} is not an id of the taxonomy")
        if not trimmed(reason):
            raise InvalidCommandError("reason", "a steward's decision needs a reason")
        self._classification_overridden(
            name=column,
            classification={
                "infotype": infotype,
                "category": CATEGORIES.get(infotype) if infotype else None,
                "confidence": 1.0,
                "method": "manual",
                "evidence": {"reason": trimmed(reason)},
            },
            previous=_decision(self.classifications.get(column, UNCLASSIFIED)),
            meta=meta,
        )

    def _check_steward_may_decide(self, column: str) -> None:
        if self.decommissioned:
            raise ConflictError(f"asset {self.id} is decommissioned and accepts no changes")
        if column not in self.columns:  # the column is part of the path: a missing one is 404
            raise NotFoundError("column", f"{column!r} in asset {self.id}")

    def withdraw_override(self, column: str, reason: str, meta: EventMeta) -> None:
        """Take a steward's decision back: the column gets the automatic decision it had before,
        and later scans classify it again."""
        self._check_steward_may_decide(column)
        if not trimmed(reason):
            raise InvalidCommandError("reason", "withdrawing a steward's decision needs a reason")
        if column not in self.overridden:
            raise ConflictError(f"column {column!r} has no steward's decision to withdraw")
        self._override_withdrawn(
            name=column,
            classification=(
                self.set_aside[column].classification
                if column in self.set_aside
                else dict(UNCLASSIFIED)
            ),
            previous=_decision(self.classifications[column]),
            reason=trimmed(reason),
            meta=meta,
        )

    @event("ClassificationOverrideWithdrawn")
    def _override_withdrawn(
        self,
        name: str,
        classification: dict[str, Any],
        previous: dict[str, Any],
        reason: str,
        meta: EventMeta,
    ) -> None:
        self.classifications[name] = classification
        self.overridden.discard(name)
        aside = self.set_aside.pop(name, None)
        if aside is not None and aside.workflow is not None and aside.before_workflow is not None:
            self.classified_by[name] = aside.workflow
            self.before_workflow[name] = aside.before_workflow

    def revert_classifications(self, workflow_id: str, meta: EventMeta) -> list[str]:
        """Compensate the automatic classifications `workflow_id` made and that still stand: each
        column gets back the decision it had before. Steward decisions, and columns a later
        workflow classified again, are left as they are (under a steward's decision, the
        automatic one it set aside is reverted). Returns the columns reverted."""
        reverted = [
            name
            for name, by in self.classified_by.items()
            if by == workflow_id and name not in self.overridden
        ]
        for name in reverted:
            self._classification_reverted(
                name=name,
                classification=self.before_workflow[name],
                previous=_decision(self.classifications.get(name, UNCLASSIFIED)),
                workflow_id=workflow_id,
                meta=meta,
            )
        # A steward's decision stands on these; the automatic one it set aside is reverted
        # underneath, so that withdrawing the steward's decision later does not bring it back.
        underneath = [
            name for name, aside in self.set_aside.items() if aside.workflow == workflow_id
        ]
        for name in underneath:
            aside = self.set_aside[name]
            self._set_aside_classification_reverted(
                name=name,
                classification=aside.before_workflow or dict(UNCLASSIFIED),
                previous=_decision(aside.classification),
                workflow_id=workflow_id,
                meta=meta,
            )
        return reverted + underneath

    @event("SetAsideClassificationReverted")
    def _set_aside_classification_reverted(
        self,
        name: str,
        classification: dict[str, Any],
        previous: dict[str, Any],
        workflow_id: str,
        meta: EventMeta,
    ) -> None:
        self.set_aside[name] = SetAside(classification, None, None)

    @event("ClassificationReverted")
    def _classification_reverted(
        self,
        name: str,
        classification: dict[str, Any],
        previous: dict[str, Any],
        workflow_id: str,
        meta: EventMeta,
    ) -> None:
        self.classifications[name] = classification
        self._forget_workflow(name)

    def _forget_workflow(self, name: str) -> None:
        """The column's decision is no longer one a workflow's roll-back may revert."""
        self.classified_by.pop(name, None)
        self.before_workflow.pop(name, None)

    def decommission(self, reason: str, meta: EventMeta) -> None:
        """The table is gone from its source; the asset stays in the history."""
        if not self.decommissioned:
            self._decommissioned(reason=reason, meta=meta)

    @event("Rediscovered")
    def _rediscovered(
        self,
        kind: str,
        columns: list[Column],
        keys: dict[str, Any],
        row_estimate: int | None,
        profiles: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        # A steward's decision outlives the table's absence: it is kept for every column that
        # came back.
        returning = {c["name"] for c in columns}
        kept = {n: self.classifications[n] for n in self.overridden if n in returning}
        aside = {n: self.set_aside[n] for n in kept if n in self.set_aside}
        self._reset(kind, columns, keys, row_estimate, profiles)
        self.classifications.update(kept)
        self.overridden = set(kept)
        self.set_aside = aside

    @event("ColumnAdded")
    def _column_added(self, column: Column, profile: Any, meta: EventMeta) -> None:
        self.columns[column["name"]] = dict(column)
        if profile is not None:
            self.profiles[column["name"]] = profile

    @event("ColumnRemoved")
    def _column_removed(self, name: str, meta: EventMeta) -> None:
        del self.columns[name]
        self.profiles.pop(name, None)
        self.classifications.pop(name, None)
        self.overridden.discard(name)
        self.set_aside.pop(name, None)
        self._forget_workflow(name)

    @event("ClassificationOverridden")
    def _classification_overridden(
        self,
        name: str,
        classification: dict[str, Any],
        previous: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        if name not in self.overridden:
            self.set_aside[name] = SetAside(
                self.classifications.get(name, UNCLASSIFIED),
                self.classified_by.get(name),
                self.before_workflow.get(name),
            )
        self.classifications[name] = classification
        self.overridden.add(name)
        self._forget_workflow(name)

    @event("ColumnClassified")
    def _column_classified(
        self,
        name: str,
        classification: dict[str, Any],
        previous: dict[str, Any],
        meta: EventMeta,
    ) -> None:
        self.classifications[name] = classification
        workflow_id = meta["correlation_id"]
        if self.classified_by.get(name) != workflow_id:
            self.before_workflow[name] = previous
            self.classified_by[name] = workflow_id

    @event("ColumnTypeChanged")
    def _column_type_changed(
        self, name: str, old_type: str, new_type: str, meta: EventMeta
    ) -> None:
        self.columns[name] = {**self.columns[name], "data_type": new_type}

    @event("ColumnNullabilityChanged")
    def _column_nullability_changed(self, name: str, nullable: bool, meta: EventMeta) -> None:
        self.columns[name] = {**self.columns[name], "nullable": nullable}

    @event("KeysChanged")
    def _keys_changed(self, keys: dict[str, Any], meta: EventMeta) -> None:
        self.keys = keys

    @event("StatisticsUpdated")
    def _statistics_updated(
        self, row_estimate: int | None, profiles: dict[str, Any], meta: EventMeta
    ) -> None:
        self.row_estimate = row_estimate
        self.profiles.update(profiles)

    @event("Decommissioned")
    def _decommissioned(self, reason: str, meta: EventMeta) -> None:
        self.decommissioned = True
