"""Group commit: concurrent saves share a transaction; a conflict fails only its own writer."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from infra.group_commit import GroupCommitRecorder


class SlowRecorder:
    """A fake recorder: slow commits (so writers queue up) and a primary key on (id, version)."""

    def __init__(self) -> None:
        self.keys: set[tuple[uuid.UUID, int]] = set()
        self.transactions = 0
        self.next_id = 0
        self.lock = threading.Lock()

    def insert_events(self, events: Sequence[StoredEvent], **_: Any) -> list[int]:
        time.sleep(0.01)
        with self.lock:
            keys = [(e.originator_id, e.originator_version) for e in events]
            if len(set(keys)) != len(keys) or self.keys & set(keys):
                raise IntegrityError("duplicate key")
            self.keys |= set(keys)
            self.transactions += 1
            ids = list(range(self.next_id + 1, self.next_id + 1 + len(events)))
            self.next_id += len(events)
            return ids


def event(aggregate: uuid.UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(originator_id=aggregate, originator_version=version, topic="t", state=b"{}")


def run_concurrently(recorder: GroupCommitRecorder, batches: list[list[StoredEvent]]) -> list[Any]:
    results: list[Any] = [None] * len(batches)

    def write(index: int) -> None:
        try:
            results[index] = recorder.insert_events(batches[index])
        except IntegrityError as error:
            results[index] = error

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_writers_share_transactions_and_get_their_own_ids() -> None:
    inner = SlowRecorder()
    batches = [[event(uuid.uuid4()), event(uuid.uuid4())] for _ in range(32)]
    results = run_concurrently(GroupCommitRecorder(inner), batches)  # type: ignore[arg-type]
    assert inner.transactions < 32
    ids = [i for result in results for i in result]
    assert sorted(ids) == list(range(1, 65))
    assert all(len(result) == 2 for result in results)


def test_a_conflict_fails_only_the_conflicting_writer() -> None:
    inner = SlowRecorder()
    shared = uuid.uuid4()
    batches = [[event(uuid.uuid4())] for _ in range(10)] + [[event(shared)], [event(shared)]]
    results = run_concurrently(GroupCommitRecorder(inner), batches)  # type: ignore[arg-type]
    failures = [r for r in results if isinstance(r, IntegrityError)]
    assert len(failures) == 1
    assert len(inner.keys) == 11


def test_other_errors_reach_every_writer_of_the_batch_and_leadership_moves_on() -> None:
    class Broken(SlowRecorder):
        calls = 0

        def insert_events(self, events: Sequence[StoredEvent], **kw: Any) -> list[int]:
            self.calls += 1
            if self.calls == 1:
                time.sleep(0.05)
                raise OSError("connection lost")
            return super().insert_events(events, **kw)

    recorder = GroupCommitRecorder(Broken())  # type: ignore[arg-type]
    with pytest.raises(OSError):
        recorder.insert_events([event(uuid.uuid4())])
    assert recorder.insert_events([event(uuid.uuid4())]) == [1]
