"""Use cases of the catalog context: turn what an edge agent observed into Asset events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application

from commands.conflicts import retrying_on_conflict
from commands.loading import find
from commands.messages import OverrideClassification, Receipt, WithdrawOverride
from domain.catalog import Asset, Observed, asset_id
from domain.errors import NotFoundError, VersionConflictError
from domain.meta import EventMeta


@dataclass(frozen=True)
class Ingested:
    """What one batch of observed tables changed in the catalog."""

    discovered: int
    changed: int
    events: int


class Catalog(Application[UUID]):
    """The catalog application; it shares the event store (and its log) with every context."""

    name = "datawave"

    def ingest(self, data_source_id: UUID, tables: list[Observed], meta: EventMeta) -> Ingested:
        """Observe a batch of tables in one transaction; unchanged tables append nothing."""
        return retrying_on_conflict(lambda _: self._ingest_once(data_source_id, tables, meta))

    def decommission(self, asset_ids: list[UUID], reason: str, meta: EventMeta) -> int:
        """Retire assets whose tables are gone; returns how many were live."""

        def attempt(_: bool) -> int:
            assets: list[Asset] = []
            for aggregate_id in asset_ids:
                asset = self._find(aggregate_id)
                if asset is not None and not asset.decommissioned:
                    asset.decommission(reason, meta)
                    assets.append(asset)
            if assets:
                self.save(*assets)
            return len(assets)

        return retrying_on_conflict(attempt)

    def override_classification(self, cmd: OverrideClassification, meta: EventMeta) -> Receipt:
        """A steward's classification of one column; it survives every re-scan."""
        return self._steward(
            cmd.asset_id,
            cmd.expected_version,
            lambda asset: asset.override_classification(cmd.column, cmd.infotype, cmd.reason, meta),
        )

    def withdraw_override(self, cmd: WithdrawOverride, meta: EventMeta) -> Receipt:
        """Take a steward's decision back; the column's automatic decision applies again."""
        return self._steward(
            cmd.asset_id,
            cmd.expected_version,
            lambda asset: asset.withdraw_override(cmd.column, cmd.reason, meta),
        )

    def _steward(
        self, aggregate_id: UUID, expected_version: int | None, decide: Callable[[Asset], None]
    ) -> Receipt:
        def attempt(_: bool) -> Receipt:
            asset = self._find(aggregate_id)
            if asset is None:
                raise NotFoundError("asset", aggregate_id)
            if expected_version is not None and asset.version != expected_version:
                raise VersionConflictError(expected_version, asset.version)
            decide(asset)
            recordings = self.save(asset)
            position = max(r.notification.id for r in recordings)
            return Receipt(aggregate_id=asset.id, version=asset.version, position=position)

        return retrying_on_conflict(attempt)

    def get_asset(self, aggregate_id: UUID) -> Asset | None:
        return self._find(aggregate_id)

    def _ingest_once(
        self, data_source_id: UUID, tables: list[Observed], meta: EventMeta
    ) -> Ingested:
        touched: list[Asset] = []
        discovered = changed = 0
        for observed in tables:
            asset = self._find(asset_id(data_source_id, observed["qualified_name"]))
            if asset is None:
                touched.append(Asset.discover(data_source_id, observed, meta))
                discovered += 1
                continue
            version = asset.version
            asset.observe(observed, meta)
            if asset.version != version:
                touched.append(asset)
                changed += 1
        recordings = self.save(*touched) if touched else []
        return Ingested(discovered, changed, len(recordings))

    def _find(self, aggregate_id: UUID) -> Asset | None:
        return find(self.repository, Asset, aggregate_id)
