"""The projection agent's batching: events are read on while a batch is applied, and an event is
acked (its offset may be committed) only after its batch has been applied. The kill -9 tests in
tests/integration prove the outcome on a real broker; this pins the two rules themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from streams.projector import BATCH_SIZE, apply_in_batches


class Events:
    """Stands in for a Faust stream: `noack().events()` yields what `feed` sends, and `ack`
    records the event. Events are plain numbers here."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[int | None] = asyncio.Queue()
        self.read: list[int] = []
        self.acked: list[int] = []

    def noack(self) -> Events:
        return self

    async def events(self) -> AsyncIterator[int]:
        while (event := await self.queue.get()) is not None:
            self.read.append(event)
            yield event

    async def ack(self, event: int) -> None:
        self.acked.append(event)

    def feed(self, events: range) -> None:
        for event in events:
            self.queue.put_nowait(event)


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_reading_goes_on_while_a_batch_is_applied_and_acks_wait_for_it() -> None:
    stream = Events()
    applied: list[list[int]] = []
    release = asyncio.Event()

    async def apply(batch: list[Any]) -> None:
        applied.append(batch)
        if len(applied) == 1:
            await release.wait()  # the first batch's transaction is slow

    agent = asyncio.create_task(apply_in_batches(stream, apply))
    stream.feed(range(3))
    await asyncio.sleep(0.1)  # past the batch window
    assert applied == [[0, 1, 2]] and stream.acked == []
    stream.feed(range(3, 3 + BATCH_SIZE + 500))
    await settle()
    # One batch ahead is read while the first is still being applied, and no more.
    assert len(stream.read) == 3 + BATCH_SIZE
    assert stream.acked == []
    release.set()
    await asyncio.sleep(0.1)
    assert stream.acked == list(range(3 + BATCH_SIZE + 500))
    assert applied[1] == list(range(3, 3 + BATCH_SIZE))
    assert [e for batch in applied for e in batch] == list(range(3 + BATCH_SIZE + 500))
    stream.queue.put_nowait(None)  # the stream ends: so does the agent
    await asyncio.wait_for(agent, 5)


async def test_a_failed_apply_acks_nothing_of_its_batch() -> None:
    stream = Events()

    async def apply(batch: list[Any]) -> None:
        raise RuntimeError("the database went away")

    stream.feed(range(5))
    try:
        await asyncio.wait_for(apply_in_batches(stream, apply), 5)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the apply error was swallowed")
    assert stream.acked == []
