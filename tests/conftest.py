"""Real servers for every test that needs them: the machine's PostgreSQL and Redis where they
answer on their standard ports (as on CI), embedded ones otherwise; always the bundled broker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.embedded import EmbeddedKafka
from tests.support import Servers, System, drop_database, fresh_database, servers, system_on

# DATAWAVE_TEST_EMBEDDED=1 runs the suite as on a machine without PostgreSQL and Redis.
USE_LOCAL = os.environ.get("DATAWAVE_TEST_EMBEDDED") != "1"


@pytest.fixture(scope="session")
def local_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with servers(tmp_path_factory.mktemp("servers"), use_local=USE_LOCAL) as found:
        yield found


@pytest.fixture(scope="session")
def postgres_server(local_servers: Servers) -> str:
    return local_servers.postgres


@pytest.fixture(scope="session")
def redis_url(local_servers: Servers) -> str:
    return local_servers.redis_url


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    dsn = fresh_database(postgres_server)
    yield dsn
    drop_database(postgres_server, dsn)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedKafka]:
    kafka = EmbeddedKafka(tmp_path)
    kafka.start()
    yield kafka
    kafka.stop()


@pytest.fixture
def system(
    database: str, redis_url: str, broker: EmbeddedKafka, tmp_path: Path
) -> Iterator[System]:
    with system_on(database, redis_url, broker.bootstrap, tmp_path) as running:
        yield running
