"""Kafka plumbing: topic creation, end offsets and reachability."""

from __future__ import annotations

import contextlib

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from infra.envelope import CONTEXTS, EDGE_COMMANDS_TOPIC, EDGE_RESULTS_TOPIC, topic_for

PUBLIC_TOPICS = tuple(sorted({topic_for(c) for c in CONTEXTS.values()}))
# What the relay publishes: the public topics and the edge agents' work.
RELAY_TOPICS = (*PUBLIC_TOPICS, EDGE_COMMANDS_TOPIC)
ALL_TOPICS = (*RELAY_TOPICS, EDGE_RESULTS_TOPIC)

log = structlog.get_logger()

# How long to wait for one record when checking the broker still has it.
RECORD_CHECK_TIMEOUT_MS = 2_000


# What a compressing producer may hand the broker in one message, before compression; the
# broker's own limit (`message.max.bytes`, 1 MB by default) applies to the compressed batch.
COMPRESSED_MESSAGE_BYTES = 16 * 1024 * 1024


async def start_producer(bootstrap: str, *, compressed: bool = False) -> AIOKafkaProducer:
    """An idempotent producer (acks=all), or, where the broker refuses producer ids, acks=all alone.
    `compressed`: gzip (every Kafka client reads it), for messages that may be larger than a
    broker takes uncompressed, as an edge agent's reports of wide tables.

    The embedded development broker (tansu 0.6, memory storage) answers InitProducerId with an
    error. Without idempotence a retried batch may be written twice; consumers skip duplicates by
    aggregate version, and aiokafka keeps one request in flight per partition, so order holds.
    """
    for idempotent in (True, False):
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            enable_idempotence=idempotent,
            acks="all",
            linger_ms=2,
            max_batch_size=256 * 1024,
            **(
                {"compression_type": "gzip", "max_request_size": COMPRESSED_MESSAGE_BYTES}
                if compressed
                else {}
            ),
        )
        try:
            await producer.start()
        except KafkaError as error:
            await producer.stop()
            if not idempotent:
                raise
            log.warning("kafka_idempotence_unsupported", error=type(error).__name__)
            continue
        return producer
    raise AssertionError("unreachable")


async def ensure_topics(bootstrap: str, partitions: int) -> None:
    """Create the public topics if the broker lacks them (a new or restarted broker)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=t, num_partitions=partitions, replication_factor=1)
            for t in ALL_TOPICS
            if t not in existing
        ]
        if missing:
            # Another process may create them between our look and our create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def lost_partitions(bootstrap: str, topic: str, last_acked: dict[int, int]) -> list[int]:
    """The partitions of `topic` that no longer hold the record at their last acknowledged offset.

    End offsets answer for most partitions at once; where one looks short, the record itself is
    read to be sure, because tansu 0.6 reports a partition's end as its last batch's base offset
    plus one, so a partition holding everything can look short by up to a batch.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="latest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():  # fresh metadata: the topic itself is gone
            return sorted(last_acked)
        partitions = consumer.partitions_for_topic(topic) or set(last_acked)
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        short = [
            partition
            for partition, offset in last_acked.items()
            if ends.get(TopicPartition(topic, partition), 0) <= offset
        ]
        return [
            p for p in short if not await _holds(consumer, TopicPartition(topic, p), last_acked[p])
        ]
    finally:
        await consumer.stop()


async def _holds(consumer: AIOKafkaConsumer, partition: TopicPartition, offset: int) -> bool:
    """Whether the broker still serves the record at `offset` of `partition`."""
    consumer.assign([partition])
    consumer.seek(partition, offset)
    records = await consumer.getmany(partition, timeout_ms=RECORD_CHECK_TIMEOUT_MS)
    return any(r.offset == offset for r in records.get(partition, []))


async def is_reachable(bootstrap: str) -> bool:
    """Whether the broker answers a metadata request."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3_000)
    try:
        await admin.start()
        await admin.list_topics()
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    finally:
        await admin.close()
    return True
