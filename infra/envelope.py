"""Stored events as public CloudEvents 1.0 messages: one envelope for Kafka, audit and replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol

SPEC_VERSION = "1.0"
SCHEMA_VERSION = "v1"

# Public aggregates and the bounded context (and so the topic) each belongs to. Aggregates not
# listed (the name index) are internal bookkeeping and never leave the event store.
CONTEXTS: dict[str, str] = {
    "DataSource": "sources",
    "Asset": "catalog",
    "RuleSet": "classification",
    "ScanWorkflow": "scans",
    "Policy": "compliance",
    "FindingLedger": "compliance",
}

# Work for edge agents, and what they report back. Internal: the commands carry sealed secrets.
EDGE_COMMANDS_TOPIC = "datawave.edge.commands"
EDGE_RESULTS_TOPIC = "datawave.edge.results"

# Fields the envelope carries itself, or that must never leave the event store.
_ENVELOPE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "meta"})
_HIDDEN_FIELDS = frozenset({"originator_topic", "sealed_secret"})


def topic_for(context: str) -> str:
    """The Kafka topic of one bounded context."""
    return f"datawave.{context}"


def topic_of(envelope: dict[str, Any]) -> str:
    """The topic an event is published on: its aggregate's context's."""
    return topic_for(CONTEXTS[str(envelope["aggregatetype"])])


@dataclass(frozen=True)
class Described:
    """The public names of a stored event: its aggregate type, context and event name."""

    aggregate_type: str
    context: str | None
    event_name: str


def describe(event: DomainEventProtocol[Any]) -> Described:
    """Aggregate type, context and event name from the event's class `Aggregate.Event`."""
    qualname = type(event).__qualname__
    aggregate_type, _, event_name = qualname.rpartition(".")
    return Described(aggregate_type, CONTEXTS.get(aggregate_type), event_name)


def public_data(fields: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields as JSON values, without what the envelope carries and without
    sealed secrets. A changed secret shows as `secret_changed`, never as its sealed value.

    Only the event's own field names are filtered: names inside the data (a column called
    `timestamp`, say) are the user's and pass through.
    """
    data = {k: _json(v) for k, v in fields.items() if k not in _ENVELOPE_FIELDS | _HIDDEN_FIELDS}
    changes = data.get("changes")
    if isinstance(changes, dict) and "sealed_secret" in changes:
        del changes["sealed_secret"]
        changes["secret_changed"] = True
    return data


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def to_envelope(event: DomainEventProtocol[Any], position: int) -> dict[str, Any] | None:
    """The CloudEvent for a stored event at `position`; None for internal aggregates."""
    described = describe(event)
    if described.context is None:
        return None
    meta: dict[str, str] = getattr(event, "meta", {}) or {}
    return {
        "specversion": SPEC_VERSION,
        "id": f"{event.originator_id}:{event.originator_version}",
        "source": f"/datawave/{described.context}",
        "type": f"datawave.{described.context}.{described.event_name}.{SCHEMA_VERSION}",
        "subject": str(event.originator_id),
        "time": getattr(event, "timestamp").isoformat(),  # noqa: B009 - not in the protocol
        "datacontenttype": "application/json",
        "data": public_data(vars(event)),
        "position": position,
        "aggregatetype": described.aggregate_type,
        "aggregateversion": event.originator_version,
        "actor": meta.get("actor"),
        "correlationid": meta.get("correlation_id"),
        "causationid": meta.get("causation_id"),
    }


def edge_command(event: DomainEventProtocol[Any], position: int) -> dict[str, Any] | None:
    """The edge agent's job for a stored event that asks for one: a started edge stage."""
    if type(event).__qualname__ != "ScanWorkflow.StageStarted":
        return None
    job: dict[str, Any] | None = getattr(event, "job")  # noqa: B009 - not in the protocol
    if job is None:
        return None
    return {
        **job,
        "type": "scan_stage",
        "position": position,
        "workflow_id": str(event.originator_id),
        "stage": getattr(event, "stage"),  # noqa: B009
        "attempt": getattr(event, "attempt"),  # noqa: B009
        "sealed_secret": getattr(event, "sealed_secret"),  # noqa: B009
        "requested_by": (getattr(event, "meta", None) or {}).get("actor"),
    }


def encode(envelope: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as any Kafka client can read it."""
    return orjson.dumps(envelope)


# Kafka brokers refuse messages above their `message.max.bytes` (1 MB by default), and a refused
# event would hold up every later one. A larger event goes out as a claim check.
MAX_MESSAGE_BYTES = 768 * 1024


def dataref(position: int) -> str:
    """Where the API serves the whole event at `position` (auditors may read it)."""
    return f"/api/v1/audit/events/{position}"


def published(envelope: dict[str, Any]) -> bytes:
    """The message for Kafka: the envelope, or, above MAX_MESSAGE_BYTES, the envelope without
    `data` and with `dataref` naming where to read it (CloudEvents' claim-check extension)."""
    message = encode(envelope)
    if len(message) <= MAX_MESSAGE_BYTES:
        return message
    claim = {k: v for k, v in envelope.items() if k != "data"}
    return encode({**claim, "dataref": dataref(int(envelope["position"]))})


def is_claim_check(envelope: dict[str, Any]) -> bool:
    """Whether a published envelope left its data in the event store."""
    return "dataref" in envelope and "data" not in envelope
