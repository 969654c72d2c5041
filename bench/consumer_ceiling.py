"""How fast the projection worker's consumer alone can go: its Faust agent, doing nothing.

`python -m bench.consumer_ceiling BOOTSTRAP PARTITIONS COUNT DATA_DIR` reads the public topics a
projection run has just filled, under a consumer group of its own, with the worker's Faust
settings, event loop and batching, and an agent that only counts. It writes DATA_DIR/ceiling.json
(Faust takes over standard output): the
events it saw and the seconds from the first batch to the COUNT-th event (the group join is
excluded, as in the worker's figure), the CPU seconds it used meanwhile, and, for reference, the
rate of a bare aiokafka consumer that read the same topics just before.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiokafka
import faust
import orjson
import uvloop

from infra.kafka import PUBLIC_TOPICS
from streams.projector import BATCH_SIZE, apply_in_batches, worker_app

RESULT_FILE = "ceiling.json"


def faust_noop(bootstrap: str, partitions: int, count: int, data_dir: Path, raw: float) -> None:
    """Run the no-op agent until it has seen `count` events; write its figures (and `raw`, the
    bare consumer's rate) and exit."""
    app = worker_app(f"bench-ceiling-{uuid.uuid4().hex[:8]}", bootstrap, partitions, data_dir)
    topic = app.topic(*PUBLIC_TOPICS, value_serializer="raw", partitions=partitions)
    seen = {"events": 0, "first": 0.0, "cpu": 0.0}

    async def tally(events: list[Any]) -> None:
        if not seen["events"]:
            seen["first"], seen["cpu"] = time.perf_counter(), time.process_time()
        seen["events"] += len(events)
        if seen["events"] >= count:
            figures = {
                "events": seen["events"],
                "seconds": time.perf_counter() - seen["first"],
                "cpu_seconds": time.process_time() - seen["cpu"],
                "raw_rate": raw,
            }
            (data_dir / RESULT_FILE).write_bytes(orjson.dumps(figures))
            os._exit(0)  # the figures are out; a Faust shutdown adds nothing to them

    @app.agent(topic, concurrency=1)
    async def count_only(stream: Any) -> None:
        await apply_in_batches(stream, tally)

    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


def bare_consumer(bootstrap: str) -> aiokafka.AIOKafkaConsumer:
    """An aiokafka consumer of the public topics from their start, in a group of its own."""
    return aiokafka.AIOKafkaConsumer(
        *PUBLIC_TOPICS,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )


async def raw_rate(bootstrap: str, count: int) -> float:
    """Messages/s of a bare aiokafka consumer reading the same topics from the start."""
    consumer = bare_consumer(bootstrap)
    await consumer.start()
    try:
        read, first = 0, 0.0
        while read < count:
            batch = await consumer.getmany(timeout_ms=500, max_records=BATCH_SIZE)
            if batch and not first:
                first = time.perf_counter()
            read += sum(len(records) for records in batch.values())
        return read / (time.perf_counter() - first)
    finally:
        await consumer.stop()


def main(argv: list[str]) -> int:
    bootstrap, partitions, count, data_dir = argv
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # as the worker runs
    raw = asyncio.run(raw_rate(bootstrap, int(count)))  # first, so the two never compete
    asyncio.set_event_loop(asyncio.new_event_loop())  # asyncio.run closed its own; Faust's
    Path(data_dir, "faust").mkdir(parents=True, exist_ok=True)
    faust_noop(bootstrap, int(partitions), int(count), Path(data_dir), raw)
    return 1  # reached only if the worker stopped before seeing every event


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
