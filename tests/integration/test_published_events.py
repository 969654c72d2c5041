"""What the relay publishes matches the documented JSON Schemas, keyed and ordered per aggregate."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from commands.messages import DecommissionDataSource, RegisterDataSource, UpdateDataSource
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from tests.e2e.test_secret_canary import kafka_messages
from tests.support import META, System

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def validators() -> dict[str, Draft202012Validator]:
    resources = {
        path.name: Resource.from_contents(json.loads(path.read_text()))
        for path in SCHEMAS.glob("*.json")
    }
    registry: Registry = Registry().with_resources(resources.items())
    return {
        name.removesuffix(".json"): Draft202012Validator(resource.contents, registry=registry)
        for name, resource in resources.items()
        if name.startswith("datawave.")
    }


def test_published_events_match_their_schemas(system: System) -> None:
    create_schema(system.dsn)
    app = open_event_store(system.dsn, AesGcmSecretBox("k"))
    first = app.register(
        RegisterDataSource("crm", "postgresql", {"dsn": "postgresql://u:pw@h/db"}, "o", ["a"]), META
    )
    app.update(UpdateDataSource(first.aggregate_id, owner="p", tags=["b"]), META)
    app.update(UpdateDataSource(first.aggregate_id, connection={"dsn": "postgresql://h/db2"}), META)
    app.decommission(DecommissionDataSource(first.aggregate_id, reason="gone"), META)
    app.register(RegisterDataSource("files", "csv", {"path": "/data/files"}), META)
    system.start("relay")
    system.wait_caught_up_relay()
    messages = [
        json.loads(m) for m in asyncio.run(kafka_messages(system.bootstrap, "datawave.sources"))
    ]
    by_type = validators()
    assert {m["type"] for m in messages} == set(by_type)
    for message in messages:
        errors = [e.message for e in by_type[message["type"]].iter_errors(message)]
        assert errors == [], (message["type"], errors)
    crm: list[dict[str, Any]] = [m for m in messages if m["subject"] == str(first.aggregate_id)]
    assert [m["aggregateversion"] for m in crm] == [1, 2, 3, 4]
    app.close()
