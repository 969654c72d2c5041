"""A Faust app whose consumer asks the broker for data every 50 ms instead of every 1.5 s.

Faust's aiokafka driver hard-codes `fetch_max_wait_ms=1500`. A broker that holds a fetch until
that wait runs out even when data is there (the embedded tansu does) then adds up to 1.5 s to
every event's way into the read models. Real Kafka answers as soon as data arrives either way.
"""

from __future__ import annotations

from typing import Any

import aiokafka
import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Consumer, Transport

FETCH_MAX_WAIT_MS = 50


class _PromptConsumerThread(AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its fetcher; the consumer is not
        # started yet here.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _PromptConsumer(Consumer):
    def _new_consumer_thread(self) -> _PromptConsumerThread:
        return _PromptConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _PromptTransport(Transport):
    Consumer = _PromptConsumer


class PromptApp(faust.App):
    """faust.App with the prompt consumer; everything else as Faust ships it."""

    def _new_transport(self) -> Any:
        return _PromptTransport(self.conf.broker_consumer, self)
