"""Group commit: concurrent saves share one transaction, so one table lock and one fsync."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent

MAX_BATCH_EVENTS = 2000


class _Request:
    def __init__(self, events: list[StoredEvent]) -> None:
        self.events = events
        self.wake = threading.Event()
        self.lead = False
        self.done = False
        self.ids: Sequence[int] | None = None
        self.error: BaseException | None = None

    def finish(self, ids: Sequence[int] | None, error: BaseException | None) -> None:
        self.ids, self.error, self.done = ids, error, True
        self.wake.set()

    def result(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommitRecorder:
    """Wraps an application recorder: the first waiting writer commits for everyone queued.

    A batch that hits a key conflict is retried one request at a time, so only the writer that
    really conflicted sees the IntegrityError; everyone else's events still land.
    """

    def __init__(self, inner: ApplicationRecorder) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._pending: list[_Request] = []
        self._leading = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        request = _Request(list(stored_events))
        with self._lock:
            self._pending.append(request)
            lead = not self._leading
            self._leading = True
        if not lead:
            request.wake.wait()
            if request.done:
                return request.result()
        with self._lock:
            batch, self._pending = self._take(self._pending)
        self._commit(batch, **kwargs)
        with self._lock:
            if self._pending:
                successor = self._pending[0]
                successor.lead = True
                successor.wake.set()
            else:
                self._leading = False
        return request.result()

    @staticmethod
    def _take(pending: list[_Request]) -> tuple[list[_Request], list[_Request]]:
        size = 0
        for index, request in enumerate(pending):
            size += len(request.events)
            if size > MAX_BATCH_EVENTS and index > 0:
                return pending[:index], pending[index:]
        return pending, []

    def _commit(self, batch: list[_Request], **kwargs: Any) -> None:
        events = [e for request in batch for e in request.events]
        try:
            ids = self.inner.insert_events(events, **kwargs)
        except IntegrityError as error:
            if len(batch) == 1:
                batch[0].finish(None, error)
                return
            for request in batch:
                self._commit([request], **kwargs)
            return
        except Exception as error:  # noqa: BLE001 - handed to every waiter, who re-raises it
            for request in batch:
                request.finish(None, error)
            return
        offset = 0
        for request in batch:
            count = len(request.events)
            request.finish(None if ids is None else ids[offset : offset + count], None)
            offset += count
