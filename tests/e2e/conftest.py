"""The running system, shared by the end-to-end tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import System, running_system


@pytest.fixture(scope="module")
def running(
    postgres_server: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    folder = tmp_path_factory.mktemp("contract")
    with running_system(postgres_server, redis_url, folder, "api", "relay", "worker") as system:
        yield system


@pytest.fixture(scope="module")
def admin(running: System) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {running.token('admin', subject='ada')}"}
    with httpx.Client(base_url=running.api_url, headers=headers, timeout=30) as client:
        yield client
