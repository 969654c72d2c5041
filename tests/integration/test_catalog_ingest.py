"""The catalog ingest on real PostgreSQL: what a late, older discovery may not do."""

from __future__ import annotations

import asyncio
from typing import Any

from commands.messages import RegisterDataSource, RequestDiscovery
from domain.catalog import asset_id
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_catalog, open_event_store
from streams.catalog_ingest import CatalogIngest
from tests.support import META


def table(name: str) -> dict[str, Any]:
    column = {"name": "id", "data_type": "integer", "nullable": False, "profile": None}
    return {"qualified_name": name, "kind": "table", "columns": [column]}


def test_an_older_discovery_finishing_late_retires_nothing_a_newer_one_found(
    database: str,
) -> None:
    create_schema(database)
    sources = open_event_store(database, AesGcmSecretBox("k"))
    catalog = open_catalog(database)
    ingest = CatalogIngest(catalog, sources, database)
    source = sources.register(RegisterDataSource("db", "sqlite", {"path": "/srv/x.db"}), META)
    sid = str(source.aggregate_id)
    older = sources.request_discovery(RequestDiscovery(source.aggregate_id), META).workflow_id
    newer = sources.request_discovery(RequestDiscovery(source.aggregate_id), META).workflow_id

    def results(workflow: str, names: list[str]) -> list[dict[str, Any]]:
        header = {"workflow_id": workflow, "data_source_id": sid, "agent": "t"}
        tables = [table(n) for n in names]
        done = {"status": "completed", "tables": len(names), "skipped": []}
        return [
            {**header, "type": "tables", "batch": 1, "tables": tables, "skipped": []},
            {**header, "type": "finished", **done},
        ]

    async def run() -> None:
        for result in results(newer, ["a", "b"]) + results(older, ["a"]):
            await ingest.handle(result)

    asyncio.run(run())
    b = catalog.get_asset(asset_id(source.aggregate_id, "b"))
    assert b is not None and not b.decommissioned
    sources.close()
    catalog.close()
