"""Prometheus metrics of the API process, exposed at /metrics. Relay and projection lag are read
from PostgreSQL at scrape time, so they are true whichever process did the work."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

COMMANDS = Counter(
    "datawave_commands_total", "Commands handled, by type and outcome", ["command", "outcome"]
)
EVENTS_APPENDED = Counter("datawave_events_appended_total", "Events appended to the event store")
RELAY_LAG = Gauge("datawave_relay_lag_events", "Events in the store not yet published to Kafka")
PROJECTION_LAG = Gauge(
    "datawave_projection_lag_events", "Events not yet applied, per projection", ["projection"]
)
DEAD_LETTERS = Gauge(
    "datawave_projection_dead_letters", "Events parked by the projections as poison, not applied"
)
HTTP_LATENCY = Histogram(
    "datawave_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)


STAGE_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0, 7200.0)


@dataclass
class ScanFigures:
    """What the read models say of scans at scrape time: each stage's last attempt as
    (stage, outcome, seconds), retries per stage, open findings per (policy, severity)."""

    stage_runs: list[tuple[str, str, float]] = field(default_factory=list)
    retries: dict[str, int] = field(default_factory=dict)
    open_findings: dict[tuple[str, str], int] = field(default_factory=dict)


class ScanCollector(Collector):
    """Scan metrics rebuilt from the read models at each scrape, so any API process reports
    what every worker did."""

    def __init__(self) -> None:
        self.figures = ScanFigures()

    def collect(self) -> Iterator[Metric]:
        durations = HistogramMetricFamily(
            "datawave_scan_stage_seconds",
            "Duration of each scan stage's last attempt, by stage and outcome",
            labels=["stage", "outcome"],
        )
        runs: dict[tuple[str, str], list[float]] = {}
        for stage, outcome, seconds in self.figures.stage_runs:
            runs.setdefault((stage, outcome), []).append(seconds)
        for (stage, outcome), values in sorted(runs.items()):
            buckets = [(str(b), float(sum(v <= b for v in values))) for b in STAGE_BUCKETS]
            buckets.append(("+Inf", float(len(values))))
            durations.add_metric([stage, outcome], buckets, sum_value=sum(values))
        yield durations
        retries = CounterMetricFamily(
            "datawave_scan_stage_retries", "Scan stage attempts after the first", labels=["stage"]
        )
        for stage, count in sorted(self.figures.retries.items()):
            retries.add_metric([stage], count)
        yield retries
        findings = GaugeMetricFamily(
            "datawave_findings_open", "Open compliance findings", labels=["policy", "severity"]
        )
        for (policy, severity), count in sorted(self.figures.open_findings.items()):
            findings.add_metric([policy, severity], count)
        yield findings


SCANS = ScanCollector()
REGISTRY.register(SCANS)
