"""Entry point of the stream processes: `python -m streams.run relay|worker`, and of the
projection tools (`replay`, `rebuild NAME…`) that apply events as the worker does."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from typing import TextIO

import faust
import structlog
import uvloop

from infra.bootstrap import Container, build
from infra.logs import configure_logging
from infra.processes import exit_with_parent
from infra.read_models import PROJECTIONS
from infra.settings import Settings
from streams.catalog_ingest import CatalogIngest
from streams.process_manager import ProcessManager
from streams.projector import Projector, RebuildError, create_faust_app
from streams.relay import Relay

log = structlog.get_logger()


async def _relay(relay: Relay) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, relay.stopping.set)
    await relay.run()


async def _replay(projector: Projector, container: Container) -> int:
    """`datawave projections replay`: the parked events applied again, one line per aggregate;
    exit code 1 if some stay parked."""
    try:
        replays = await projector.replay_parked()
    finally:
        await projector.close()
        await container.close()
    for replay in replays:
        outcome = "replayed" if replay.failure is None else f"still parked ({replay.failure})"
        print(f"{replay.aggregate_id}: {replay.events} events {outcome}")  # noqa: T201
    if not replays:
        print("no parked events")  # noqa: T201
    return 1 if any(replay.failure for replay in replays) else 0


async def _rebuild(projector: Projector, container: Container, names: list[str]) -> int:
    """`datawave projections rebuild`: the read models built again, with a progress bar."""
    started = time.monotonic()
    try:
        rebuilt = await projector.rebuild(names, ProgressBar(sys.stderr))
    except Exception as error:  # noqa: BLE001 - one line; the rebuild's transaction rolled back
        reason = (
            str(error) if isinstance(error, RebuildError) else f"{type(error).__name__}: {error}"
        )
        print(f"rebuild failed, nothing changed: {reason.splitlines()[0]}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        await projector.close()
        await container.close()
    print(  # noqa: T201
        f"rebuilt {', '.join(rebuilt.projections)}: {rebuilt.events} events, up to position "
        f"{rebuilt.position}, in {time.monotonic() - started:.1f} s"
    )
    if rebuilt.held_back:
        print(  # noqa: T201
            f"{rebuilt.held_back} events of aggregates with a parked event left out, as the "
            "worker leaves them: see `datawave projections parked`, then `replay`"
        )
    if rebuilt.cache_failure:
        print(  # noqa: T201
            f"the Redis cache was not refilled ({rebuilt.cache_failure}); reads fall back to "
            "PostgreSQL where it misses; run the rebuild again",
            file=sys.stderr,
        )
        return 1
    return 0


class ProgressBar:
    """Rebuild progress on a terminal: one line redrawn; elsewhere a line per tenth."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.redraw = stream.isatty()
        self.shown = -1

    def __call__(self, position: int, end: int) -> None:
        share = min(1.0, position / end) if end else 1.0
        if self.redraw:
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {share:4.0%}  position {position:,} of {end:,}")
            if share >= 1.0:
                self.stream.write("\n")
        elif int(share * 10) > self.shown:
            self.shown = int(share * 10)
            self.stream.write(f"{share:4.0%}  position {position:,} of {end:,}\n")
        self.stream.flush()


def _projection_tool(settings: Settings, command: str, names: list[str]) -> int:
    """`replay` or `rebuild`, run for the `datawave projections` command: what goes wrong is one
    line and exit 1 (the servers gone, say), never a traceback."""
    try:
        container = build(settings, group_commit=False)
        url = container.endpoints.database_url
        projector = Projector(url, container.cache, container.event_log)
        if command == "replay":
            return asyncio.run(_replay(projector, container))
        return asyncio.run(_rebuild(projector, container, names))
    except Exception as error:  # noqa: BLE001 - a user gets one line
        line = f"datawave: error: {type(error).__name__}: {error}".splitlines()[0]
        print(line, file=sys.stderr)  # noqa: T201
        return 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rebuild = (
        [name for name in PROJECTIONS if name in args[1:]] if args[:1] == ["rebuild"] else None
    )
    if args not in (["relay"], ["worker"], ["replay"]) and not (
        rebuild and set(args[1:]) <= set(PROJECTIONS)
    ):
        print(  # noqa: T201
            "usage: python -m streams.run relay|worker|replay|rebuild NAME…", file=sys.stderr
        )
        return 2
    exit_with_parent()
    # uvloop's event loop costs less per message than asyncio's, for the relay and for Faust.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    if args[0] in ("replay", "rebuild"):
        return _projection_tool(settings, args[0], rebuild or [])
    container = build(settings, group_commit=False)
    bootstrap = container.endpoints.kafka_bootstrap
    if args == ["relay"]:
        relay = Relay(
            container.event_log,
            container.endpoints.database_url,
            bootstrap,
            settings.topic_partitions,
        )
        asyncio.run(_relay(relay))
        log.info("relay_stopped")
        return 0
    projector = Projector(container.endpoints.database_url, container.cache, container.event_log)
    dsn = container.endpoints.database_url
    ingest = CatalogIngest(container.catalog, container.data_sources, container.scans, dsn)
    container.compliance.install_builtin_packs(
        {"actor": "system", "correlation_id": "install", "causation_id": "worker-start"}
    )
    process_manager = ProcessManager(container.scans, container.compliance, dsn)
    app = create_faust_app(
        bootstrap, settings.topic_partitions, projector, ingest, process_manager, settings.data_dir
    )
    # Logging is configured above (JSON lines, root at WARNING). Left to itself, mode's worker
    # replaces that handler with its own format and, for its terminal spinner, sets the root
    # logger to DEBUG: every aiokafka debug call then built a LogRecord only for the handler to
    # drop it, about a tenth of the worker's CPU at 200 commands/s.
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, override_logging=False)
    # Nor its spinner: on start it prints the terminal's show-cursor code even when its output
    # is a file, which put "\x1b[?25h" in the middle of the JSON log lines.
    worker.spinner = None
    worker.execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
