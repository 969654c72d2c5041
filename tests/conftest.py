"""Real servers for every test that needs them: the machine's PostgreSQL and Redis where they
answer on their standard ports (as on CI), embedded ones otherwise; always the bundled broker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.embedded import EmbeddedKafka, EmbeddedPostgres, EmbeddedRedis
from tests.support import System, answers, drop_database, fresh_database, system_on

# DATAWAVE_TEST_EMBEDDED=1 runs the suite as on a machine without PostgreSQL and Redis.
USE_LOCAL = os.environ.get("DATAWAVE_TEST_EMBEDDED") != "1"


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if USE_LOCAL and answers("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"))
    dsn = server.start()
    yield dsn.rsplit("/", 1)[0] + "/postgres"
    server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if USE_LOCAL and answers("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379/0"
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield server.start()
    server.stop()


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
