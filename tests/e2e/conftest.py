"""The running system, shared by the end-to-end tests of one module. A module that needs more
than the API, relay and worker (an edge agent) names its parts in `SYSTEM_PARTS`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import System, running_system

DEFAULT_PARTS = ("api", "relay", "worker")


@pytest.fixture(scope="module")
def running(
    request: pytest.FixtureRequest,
    postgres_server: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[System]:
    components = getattr(request.module, "SYSTEM_PARTS", DEFAULT_PARTS)
    folder = tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])
    with running_system(postgres_server, redis_url, folder, *components) as system:
        yield system


def client_as(system: System, role: str, subject: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {system.token(role, subject=subject)}"}
    with httpx.Client(base_url=system.api_url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def admin(running: System) -> Iterator[httpx.Client]:
    yield from client_as(running, "admin", "ada")


@pytest.fixture(scope="module")
def steward(running: System) -> Iterator[httpx.Client]:
    yield from client_as(running, "steward", "sam")
