"""The running system, shared by the end-to-end tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.embedded import EmbeddedKafka
from tests.support import System, drop_database, fresh_database, system_on, wait_http


@pytest.fixture(scope="module")
def running(
    postgres_server: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    folder: Path = tmp_path_factory.mktemp("contract")
    kafka = EmbeddedKafka(folder)
    dsn = fresh_database(postgres_server)
    try:
        with system_on(dsn, redis_url, kafka.start(), folder) as system:
            system.start("api", "relay", "worker")
            wait_http(f"{system.api_url}/healthz")
            yield system
    finally:
        kafka.stop()
        drop_database(postgres_server, dsn)


@pytest.fixture(scope="module")
def admin(running: System) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {running.token('admin', subject='ada')}"}
    with httpx.Client(base_url=running.api_url, headers=headers, timeout=30) as client:
        yield client
