"""The edge agent process (`python -m edge.agent`, `datawave edge`): takes scan stages
(discover, profile, classify) from the edge command topic, runs them near the data, and
publishes what it found.

Several agents share the jobs through one consumer group. A job's offset is committed only
after its `finished` result is acknowledged, so an agent killed mid-job leaves the job to be
redone by the next owner of its partition; redone work lands on the same assets and appends
nothing twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, MessageSizeTooLargeError
from aiokafka.structs import ConsumerRecord

from domain.connections import FILE_KINDS, join_secret, validate_connection
from domain.errors import InvalidCommandError
from edge.classification.custom import CustomRules
from edge.classification.rules import Classifier
from edge.discovery import Breakers, DiscoveryJob, failure, run_discovery
from infra.envelope import EDGE_COMMANDS_TOPIC, EDGE_RESULTS_TOPIC
from infra.kafka import ensure_topics, start_producer
from infra.logs import configure_logging
from infra.processes import exit_with_parent
from infra.secret_box import AesGcmSecretBox, SealedSecretError
from infra.settings import Settings

log = structlog.get_logger()

GROUP = "datawave-edge"
UNOPENED_REASON = (  # shown to users; holds no secret
    "the edge agent cannot open the source's password: give it the install's DATAWAVE_SECRET_KEY"
)
TOO_LARGE_REASON = "a table's report is larger than the Kafka broker accepts (too many columns)"
# A discovery of a large source can run for a long time without asking for the next job.
MAX_JOB_SECONDS = 6 * 3600


class EdgeAgent:
    def __init__(self, settings: Settings, bootstrap: str) -> None:
        self.settings = settings
        self.bootstrap = bootstrap
        self.name = settings.edge_agent_name or f"{socket.gethostname()}:{os.getpid()}"
        self.box = AesGcmSecretBox(settings.sealing_key())
        self.breakers = Breakers()
        self.classifier = _classifier(settings.edge_model)
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        await ensure_topics(self.bootstrap, self.settings.topic_partitions)
        consumer = AIOKafkaConsumer(
            EDGE_COMMANDS_TOPIC,
            bootstrap_servers=self.bootstrap,
            group_id=GROUP,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_interval_ms=MAX_JOB_SECONDS * 1000,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
            fetch_max_wait_ms=100,
        )
        await consumer.start()
        producer = await start_producer(self.bootstrap, compressed=True)
        log.info("edge_agent_ready", agent=self.name)
        try:
            while not self.stopping.is_set():
                batch = await consumer.getmany(timeout_ms=500, max_records=1)
                for partition, records in batch.items():
                    for record in records:
                        await self._do(record, producer)
                        await consumer.commit({partition: record.offset + 1})
        finally:
            await producer.stop()
            await consumer.stop()

    async def _do(self, record: ConsumerRecord[Any, Any], producer: AIOKafkaProducer) -> None:
        """Run one job; whatever goes wrong inside it ends as a `failed` result, so one bad job
        neither stops the agent nor blocks the jobs behind it (a broker that will not take the
        result does: the job is then redone)."""
        command: dict[str, Any] = orjson.loads(record.value)
        if command.get("type") != "scan_stage":
            log.warning("edge_command_unknown", type=command.get("type"))
            return
        loop = asyncio.get_running_loop()
        key = str(command.get("data_source_id", "")).encode()

        def publish(result: dict[str, Any]) -> None:
            # Called from the job's thread: wait for the broker's acknowledgement each time.
            sent = producer.send_and_wait(EDGE_RESULTS_TOPIC, orjson.dumps(result), key=key)
            asyncio.run_coroutine_threadsafe(sent, loop).result()

        log.info("edge_job_started", workflow_id=command.get("workflow_id"))
        try:
            job = self._job(command)
            await _in_daemon_thread(run_discovery, job, publish, self.breakers, self.name)
        except MessageSizeTooLargeError:  # the job's own report, not the broker, is at fault
            await self._failed(command, producer, TOO_LARGE_REASON)
        except KafkaError:
            raise
        except SealedSecretError:
            await self._failed(command, producer, UNOPENED_REASON)
        except InvalidCommandError as error:
            await self._failed(command, producer, str(error))
        except Exception as error:  # noqa: BLE001 - reported as the job's failure, by type only
            log.error(
                "edge_job_crashed",
                workflow_id=command.get("workflow_id"),
                error=type(error).__name__,
            )
            reason = f"the edge agent failed ({type(error).__name__})"
            await self._failed(command, producer, reason)
        log.info("edge_job_finished", workflow_id=command.get("workflow_id"))

    def _job(self, command: dict[str, Any]) -> DiscoveryJob:
        self._check_roots(command["kind"], command["connection"])
        sealed = command.get("sealed_secret")
        secret = self.box.unseal(sealed) if sealed else None
        return DiscoveryJob(
            workflow_id=command["workflow_id"],
            data_source_id=command["data_source_id"],
            kind=command["kind"],
            connection=join_secret(command["connection"], secret),
            stage=command["stage"],
            attempt=int(command["attempt"]),
            sample_rows=self.settings.edge_sample_rows,
            rules=CustomRules.of(command.get("rule_set")),
            classifier=self.classifier,
        )

    def _check_roots(self, kind: str, connection: dict[str, str]) -> None:
        """A file source must lie inside this agent's own roots, symbolic links resolved: the
        command side checks the path's text only."""
        roots = self.settings.file_roots()
        if roots and kind in FILE_KINDS:
            real = {"path": os.path.realpath(connection.get("path", ""))}
            validate_connection(kind, real, tuple(os.path.realpath(r) for r in roots))

    async def _failed(
        self, command: dict[str, Any], producer: AIOKafkaProducer, reason: str
    ) -> None:
        header = {
            "workflow_id": command.get("workflow_id"),
            "data_source_id": command.get("data_source_id"),
            "stage": command.get("stage"),
            "attempt": command.get("attempt"),
            "agent": self.name,
        }
        # What the agent refused (its roots, the key it lacks) stays refused if tried again.
        result = failure(header, reason, transient=False)
        key = str(command.get("data_source_id", "")).encode()
        await producer.send_and_wait(EDGE_RESULTS_TOPIC, orjson.dumps(result), key=key)


def _classifier(setting: str) -> Classifier | None:
    """The model the settings ask for, with the rules; a model that fails to load leaves the
    rules deciding alone, and every decision then says `fallback`."""
    if not setting:
        return None
    return Classifier.load() if setting == "shipped" else Classifier.load(Path(setting))


async def _in_daemon_thread(function: Any, *args: Any) -> None:
    """Run blocking work off the event loop in a thread that does not hold up process exit."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def work() -> None:
        try:
            function(*args)
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            loop.call_soon_threadsafe(done.set_exception, error)
        else:
            loop.call_soon_threadsafe(done.set_result, None)

    threading.Thread(target=work, daemon=True, name="edge-job").start()
    await done


async def _serve(agent: EdgeAgent) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, agent.stopping.set)
    await agent.run()


def main() -> int:
    exit_with_parent()
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    if not settings.kafka_bootstrap:
        print("datawave edge: error: DATAWAVE_KAFKA_BOOTSTRAP is not set", file=sys.stderr)  # noqa: T201
        return 2
    try:
        asyncio.run(_serve(EdgeAgent(settings, settings.kafka_bootstrap)))
    except KafkaConnectionError as error:  # no broker at that address: one line, no traceback
        log.error("edge_agent_broker_unreachable", error=type(error).__name__)
        print(  # noqa: T201
            f"datawave edge: error: no Kafka broker answers at {settings.kafka_bootstrap}",
            file=sys.stderr,
        )
        return 1
    log.info("edge_agent_stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
