"""Prometheus metrics, one registry per process, exposed by the API at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter(
    "datawave_commands_total", "Commands handled, by type and outcome", ["command", "outcome"]
)
EVENTS_APPENDED = Counter("datawave_events_appended_total", "Events appended to the event store")
RELAY_PUBLISHED = Counter("datawave_relay_published_total", "Events the relay published to Kafka")
RELAY_LAG = Gauge("datawave_relay_lag_events", "Events in the store not yet published to Kafka")
PROJECTION_LAG = Gauge(
    "datawave_projection_lag_events", "Events not yet applied, per projection", ["projection"]
)
PROJECTED = Counter(
    "datawave_projected_events_total", "Events applied by a projection", ["projection"]
)
HTTP_LATENCY = Histogram(
    "datawave_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)
