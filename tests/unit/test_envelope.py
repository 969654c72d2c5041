"""The public envelope: CloudEvents 1.0 fields, and nothing sealed leaves the store."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import orjson

from commands.catalog import Catalog
from commands.data_sources import DataSources
from commands.messages import RegisterDataSource, UpdateDataSource
from infra.envelope import MAX_MESSAGE_BYTES, is_claim_check, published, to_envelope
from tests.unit.test_data_sources import META, ReversingBox


def envelopes() -> list[dict[str, object]]:
    app = DataSources(ReversingBox(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    receipt = app.register(
        RegisterDataSource("crm", "postgresql", {"dsn": "postgresql://u:pw@h/db"}), META
    )
    app.update(
        UpdateDataSource(receipt.aggregate_id, connection={"dsn": "postgresql://u:pw2@h/db"}), META
    )
    result = []
    for notification in app.recorder.select_notifications(start=1, limit=100):
        envelope = to_envelope(app.mapper.to_domain_event(notification), notification.id)
        if envelope is not None:
            result.append(envelope)
    return result


def test_envelopes_are_cloudevents_with_position_version_and_actor() -> None:
    registered, updated = envelopes()
    assert registered["specversion"] == "1.0"
    assert registered["type"] == "datawave.sources.Registered.v1"
    assert updated["type"] == "datawave.sources.Updated.v1"
    assert registered["subject"] == updated["subject"]
    assert registered["aggregateversion"] == 1 and updated["aggregateversion"] == 2
    assert registered["actor"] == "alice" and registered["correlationid"] == "c-1"
    assert int(str(updated["position"])) > int(str(registered["position"]))


def test_sealed_secrets_and_internal_aggregates_never_leave_the_store() -> None:
    found = envelopes()
    assert len(found) == 2  # the name-claim events stay internal
    text = repr(found)
    assert "sealed" not in text
    assert "u:***@h/db" in text
    # Only the password changed: the update says so, and nothing more.
    assert found[1]["data"] == {"changes": {"secret_changed": True}}


def test_names_inside_the_data_are_the_users_and_pass_through() -> None:
    catalog = Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    names = ["timestamp", "meta", "originator_id", "sealed_secret"]
    observed = {
        "qualified_name": "t",
        "kind": "table",
        "columns": [
            {"name": n, "data_type": "text", "nullable": True, "profile": {"null_ratio": 0.5}}
            for n in names
        ],
    }
    catalog.ingest(uuid4(), [observed], META)
    (notification,) = catalog.recorder.select_notifications(start=1, limit=10)
    envelope = to_envelope(catalog.mapper.to_domain_event(notification), notification.id)
    assert envelope is not None
    data: Any = envelope["data"]
    assert sorted(data["profiles"]) == sorted(names)
    assert [c["name"] for c in data["columns"]] == names


def test_an_event_too_large_for_a_kafka_message_goes_out_as_a_claim_check() -> None:
    registered, _ = envelopes()
    assert orjson.loads(published(registered)) == registered  # the usual case: all of it
    wide = {**registered, "data": {"columns": ["c" * 100] * 10_000}}  # about 1 MB of JSON
    claim = orjson.loads(published(wide))
    assert len(published(wide)) <= MAX_MESSAGE_BYTES
    assert is_claim_check(claim) and "data" not in claim
    assert claim["dataref"] == f"/api/v1/audit/events/{registered['position']}"
    assert {k: v for k, v in claim.items() if k != "dataref"} == {
        k: v for k, v in registered.items() if k != "data"
    }
