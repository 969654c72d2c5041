"""Prometheus metrics of the API process, exposed at /metrics. Relay and projection lag are read
from PostgreSQL at scrape time, so they are true whichever process did the work."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter(
    "datawave_commands_total", "Commands handled, by type and outcome", ["command", "outcome"]
)
EVENTS_APPENDED = Counter("datawave_events_appended_total", "Events appended to the event store")
RELAY_LAG = Gauge("datawave_relay_lag_events", "Events in the store not yet published to Kafka")
PROJECTION_LAG = Gauge(
    "datawave_projection_lag_events", "Events not yet applied, per projection", ["projection"]
)
HTTP_LATENCY = Histogram(
    "datawave_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)
