"""e2e_lag: command accepted -> visible in the query API, at a steady rate of commands.

With the API, relay and worker running (and the worker seen consuming), POST registrations at a
fixed rate; for each accepted one, GET it with the consistency token the POST returned, as a
client reading its own write does: the API holds the GET until the read model has the write
(waking when a projection batch commits) and answers 200, or 503 after 5 s (counted and asked
again, as is a connection error). The lag is the arrival of that 200 minus the arrival of the
POST's response. The target applies at 200/s; a phase at 50/s follows for
reference.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from dataclasses import dataclass

import aiohttp

from api.auth import issue_token
from bench.common import (
    JWT_SECRET,
    BenchSystem,
    CpuMeter,
    ProcessCpu,
    Result,
    Row,
    environment,
    load_average,
    percentile,
    progress,
    quiet_missing_sniffio,
)
from tests.support import Servers, wait_http

NAME = "e2e_lag"
TITLE = "end-to-end lag, command accepted -> visible in the query API"
RATE = 200
RATES = (RATE, 50)
POLL = 0.005
VISIBLE_TIMEOUT = 30.0
TARGET_P99_MS = 250.0
PATH = "/api/v1/data-sources"
# The load generator shares the machine's cores with the system it measures, so it is aiohttp:
# about an eighth of httpx's CPU per request here (BENCHMARKS.md).
CONNECTIONS = 1000
IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class Outcome:
    post_seconds: float
    lag_seconds: float  # inf when never visible within VISIBLE_TIMEOUT
    polls: int
    failed_polls: int = 0  # 5xx answers and connection errors, polled again like 404s
    error: str | None = None


@dataclass(frozen=True)
class Phase:
    outcomes: list[Outcome]
    send_seconds: float
    late_sends: int


def register_body(run: str, n: int) -> dict[str, object]:
    return {
        "name": f"lag-{run}-{n}",
        "kind": "postgresql",
        "connection": {"dsn": f"postgresql://reader:pw{n}@db{n % 7}:5432/warehouse"},
        "owner": "data-platform-team",
        "tags": ["bench"],
    }


async def command_and_watch(session: aiohttp.ClientSession, body: dict[str, object]) -> Outcome:
    sent = time.perf_counter()
    try:
        async with session.post(PATH, json=body) as response:
            status, created = response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as error:
        failed = f"POST {type(error).__name__}"
        return Outcome(time.perf_counter() - sent, math.inf, 0, error=failed)
    accepted = time.perf_counter()
    if status != 201:
        return Outcome(accepted - sent, math.inf, 0, error=f"POST {status}")
    url = f"{PATH}/{created['id']}"
    token = {"consistency_token": created["consistency_token"]}
    polls = failed_polls = 0
    while time.perf_counter() - accepted < VISIBLE_TIMEOUT:
        polls += 1
        try:
            async with session.get(url, params=token) as got:
                await got.read()
                status = got.status
        except (aiohttp.ClientError, TimeoutError):
            # e.g. a kept-alive connection the server closed as we reused it: poll again
            failed_polls += 1
            await asyncio.sleep(POLL)
            continue
        if status == 200:
            return Outcome(accepted - sent, time.perf_counter() - accepted, polls, failed_polls)
        if status >= 500:
            failed_polls += 1
        elif status != 404:
            return Outcome(accepted - sent, math.inf, polls, failed_polls, f"GET {status}")
        await asyncio.sleep(POLL)
    return Outcome(accepted - sent, math.inf, polls, failed_polls, "not visible in time")


async def steady(session: aiohttp.ClientSession, rate: int, seconds: float) -> Phase:
    """Start one command every 1/rate s (not waiting for earlier ones), then wait for all."""
    run = uuid.uuid4().hex[:8]
    total = round(rate * seconds)
    tasks: list[asyncio.Task[Outcome]] = []
    late = 0
    start = time.perf_counter()
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.01:
            late += 1
        tasks.append(asyncio.create_task(command_and_watch(session, register_body(run, n))))
    send_seconds = time.perf_counter() - start
    return Phase(list(await asyncio.gather(*tasks)), send_seconds, late)


async def measure(
    system: BenchSystem, seconds: float, warmup: float, pids: dict[str, int]
) -> tuple[ProcessCpu, list[tuple[int, Phase, CpuMeter, ProcessCpu]]]:
    """The processes' CPU while idle; then a warm-up, and one phase at each rate of RATES; each
    phase waits for all its commands."""
    token = issue_token(JWT_SECRET, "bench", ["admin"], 3600)
    async with aiohttp.ClientSession(
        base_url=system.api_url,
        headers={"Authorization": f"Bearer {token}"},
        # Idle connections are closed before uvicorn closes them (after 5 s), never reused
        # as the server shuts them.
        connector=aiohttp.TCPConnector(limit=CONNECTIONS, keepalive_timeout=2.0),
        timeout=aiohttp.ClientTimeout(total=60.0),
    ) as session:
        began = time.perf_counter()
        first = await command_and_watch(session, register_body("first", 0))
        while first.error == "not visible in time" and time.perf_counter() - began < 180:
            first = await command_and_watch(session, register_body(uuid.uuid4().hex[:8], 0))
        if first.error is not None:
            raise RuntimeError(f"the first command never became visible: {first.error}")
        idle = ProcessCpu(pids)
        idle.start()
        await asyncio.sleep(IDLE_SECONDS)
        idle.stop()
        progress(
            NAME,
            f"worker consuming ({time.perf_counter() - began:.1f} s); idle {idle.describe()}; "
            f"warm-up {warmup:g} s at {RATE}/s",
        )
        await steady(session, RATE, warmup)
        phases = []
        for rate in RATES:
            progress(NAME, f"measuring {seconds:g} s at {rate}/s (load {load_average()})")
            meter, streams = (
                CpuMeter(pids["api"]),
                ProcessCpu({"relay": pids["relay"], "worker": pids["worker"]}),
            )
            meter.start()
            streams.start()
            phase = await steady(session, rate, seconds)
            meter.stop()
            streams.stop()
            phases.append((rate, phase, meter, streams))
            lags_ms = [o.lag_seconds * 1000 for o in phase.outcomes]
            progress(
                NAME,
                f"{rate}/s: lag p50 {percentile(lags_ms, 50):.0f} ms, "
                f"p99 {percentile(lags_ms, 99):.0f} ms",
            )
        return idle, phases


def rows_of(rate: int, phase: Phase, meter: CpuMeter, streams: ProcessCpu) -> list[Row]:
    outcomes = phase.outcomes
    lags_ms = [o.lag_seconds * 1000 for o in outcomes]
    posts_ms = [o.post_seconds * 1000 for o in outcomes]
    errors = [o.error for o in outcomes if o.error is not None]
    p99 = percentile(lags_ms, 99)
    targeted = rate == RATE
    at = f"at {rate}/s"
    return [
        Row(f"{at}: lag p50", f"{percentile(lags_ms, 50):.0f} ms"),
        Row(f"{at}: lag p95", f"{percentile(lags_ms, 95):.0f} ms"),
        Row(
            f"{at}: lag p99",
            f"{p99:.0f} ms",
            f"<= {TARGET_P99_MS:.0f} ms" if targeted else "(reference)",
            p99 <= TARGET_P99_MS if targeted else None,
        ),
        Row(f"{at}: lag max", f"{max(lags_ms):.0f} ms"),
        Row(
            f"{at}: commands sent, achieved send rate",
            f"{len(outcomes)}, {len(outcomes) / phase.send_seconds:.0f}/s "
            f"({phase.late_sends} sent > 10 ms late)",
        ),
        Row(
            f"{at}: POST latency p50 / p99",
            f"{percentile(posts_ms, 50):.0f} / {percentile(posts_ms, 99):.0f} ms",
        ),
        Row(
            f"{at}: GET polls per command (mean)",
            f"{sum(o.polls for o in outcomes) / max(1, len(outcomes)):.1f}",
        ),
        Row(f"{at}: CPU (API process; this client)", meter.describe(0)),
        Row(f"{at}: CPU (relay; Faust worker)", streams.describe()),
        Row(
            f"{at}: GET polls failed (5xx or connection error; polled again)",
            f"{sum(o.failed_polls for o in outcomes)}",
        ),
        Row(
            f"{at}: commands failed or never visible",
            f"{len(errors)}" + (f" ({errors[0]}, ...)" if errors else ""),
        ),
    ]


def run(srv: Servers, quick: bool) -> Result:
    seconds = 5.0 if quick else 20.0
    warmup = 1.0 if quick else 3.0
    quiet_missing_sniffio()
    result = Result(NAME, TITLE)
    result.notes.append(f"load average before: {load_average()}")
    with environment(NAME, srv) as system:
        system.start("api", "relay", "worker")
        wait_http(f"{system.api_url}/healthz")
        progress(NAME, "API answers; waiting for the worker to consume a first command")
        pids = {name: c.process.pid for name, c in system.components.items() if c.process}
        idle, phases = asyncio.run(measure(system, seconds, warmup, pids))
    result.rows.append(Row(f"idle for {IDLE_SECONDS:g} s: CPU", idle.describe()))
    for rate, phase, meter, streams in phases:
        result.rows += rows_of(rate, phase, meter, streams)
    result.notes.append(
        f"{seconds:g} s per rate after a {warmup:g} s warm-up at {RATE}/s; the target applies "
        f"at {RATE}/s, the lower rate is for reference; API, relay and worker as subprocesses; "
        f"one aiohttp session (up to {CONNECTIONS} connections) in the benchmark's process; "
        "each write read back with its consistency token (the API answers once the read model has "
        "it); lag = arrival of the 200 minus arrival of the POST's 201; commands never visible "
        "would count as infinite lag in the percentiles"
    )
    return result
