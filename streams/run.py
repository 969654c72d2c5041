"""Entry point of the stream processes: `python -m streams.run relay|worker`."""

from __future__ import annotations

import asyncio
import signal
import sys

import faust
import structlog
import uvloop

from infra.bootstrap import Container, build
from infra.logs import configure_logging
from infra.processes import exit_with_parent
from infra.settings import Settings
from streams.catalog_ingest import CatalogIngest
from streams.process_manager import ProcessManager
from streams.projector import Projector, create_faust_app
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in (["relay"], ["worker"], ["replay"]):
        print("usage: python -m streams.run relay|worker|replay", file=sys.stderr)  # noqa: T201
        return 2
    exit_with_parent()
    # uvloop's event loop costs less per message than asyncio's, for the relay and for Faust.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
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
    if args == ["replay"]:
        return asyncio.run(_replay(projector, container))
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
