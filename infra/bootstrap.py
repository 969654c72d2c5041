"""The composition root: concrete classes wired from settings, for every process kind."""

from __future__ import annotations

import functools
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import BlockingConnectionPool, Redis

from commands.catalog import Catalog
from commands.compliance import Compliance
from commands.data_sources import DataSources
from commands.rule_sets import RuleSets
from commands.scans import ScanWorkflows
from domain.scans import RetryPolicy
from infra.event_log import EventLog
from infra.postgres import create_schema
from infra.projection_signal import ReadModelWaiters
from infra.read_models import (
    PostgresAssetView,
    PostgresDataSourceView,
    PostgresScanView,
    RedisSourceCache,
    versions_of,
)
from infra.secret_box import AesGcmSecretBox
from infra.settings import Settings
from infra.stores import (
    open_catalog,
    open_compliance,
    open_event_store,
    open_rule_sets,
    open_scans,
)

REDIS_CONNECTIONS = 64


@dataclass(frozen=True)
class Endpoints:
    """Where the servers listen, once embedded ones have started or configured ones are known."""

    database_url: str
    redis_url: str
    kafka_bootstrap: str


def endpoints_of(settings: Settings) -> Endpoints:
    """The configured servers; every URL must be set by now (by the user or by `datawave up`)."""
    missing = [
        name
        for name, value in (
            ("DATAWAVE_DATABASE_URL", settings.database_url),
            ("DATAWAVE_REDIS_URL", settings.redis_url),
            ("DATAWAVE_KAFKA_BOOTSTRAP", settings.kafka_bootstrap),
        )
        if not value
    ]
    if missing:
        raise RuntimeError(f"not configured: {', '.join(missing)} (or start with `datawave up`)")
    assert settings.database_url and settings.redis_url and settings.kafka_bootstrap
    return Endpoints(settings.database_url, settings.redis_url, settings.kafka_bootstrap)


@dataclass
class Container:
    """Everything a process needs, built once."""

    settings: Settings
    endpoints: Endpoints
    data_sources: DataSources
    catalog: Catalog
    rule_sets: RuleSets
    scans: ScanWorkflows
    compliance: Compliance
    event_log: EventLog
    redis: Redis
    cache: RedisSourceCache

    read_pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
    waiters: ReadModelWaiters | None = None

    async def open_read_pool(self, max_size: int = 20) -> None:
        """Pooled read-side connections; opened inside the serving event loop."""
        self.read_pool = AsyncConnectionPool(
            self.endpoints.database_url,
            min_size=2,
            max_size=max_size,
            kwargs={"autocommit": True},
            open=False,
        )
        await self.read_pool.open(wait=True)
        self.waiters = ReadModelWaiters(
            self.endpoints.database_url, functools.partial(versions_of, self.connection)
        )
        await self.waiters.start()

    async def close(self) -> None:
        if self.waiters is not None:
            await self.waiters.stop()
        if self.read_pool is not None:
            await self.read_pool.close()
        await self.redis.aclose()
        self.data_sources.close()
        self.catalog.close()
        self.rule_sets.close()
        self.scans.close()
        self.compliance.close()

    def connection(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]:
        """A read-side connection from the pool, returned to it on exit."""
        if self.read_pool is None:
            raise RuntimeError("the read pool is not open")
        return self.read_pool.connection()

    def source_view(self) -> PostgresDataSourceView:
        return PostgresDataSourceView(self.connection, self.cache)

    def asset_view(self) -> PostgresAssetView:
        return PostgresAssetView(self.connection)

    def scan_view(self) -> PostgresScanView:
        return PostgresScanView(self.connection)


def build(settings: Settings, *, group_commit: bool = True) -> Container:
    """Open the event store (creating tables) and connect the derived stores."""
    endpoints = endpoints_of(settings)
    create_schema(endpoints.database_url)
    secret_box = AesGcmSecretBox(settings.sealing_key())
    app = open_event_store(
        endpoints.database_url,
        secret_box,
        group_commit=group_commit,
        file_roots=settings.file_roots(),
    )
    # Blocking: under a burst a request waits for a free connection instead of failing.
    redis = Redis(
        connection_pool=BlockingConnectionPool.from_url(
            endpoints.redis_url, max_connections=REDIS_CONNECTIONS, timeout=5
        )
    )
    return Container(
        settings=settings,
        endpoints=endpoints,
        data_sources=app,
        catalog=open_catalog(endpoints.database_url, group_commit=group_commit),
        rule_sets=open_rule_sets(endpoints.database_url),
        scans=open_scans(
            endpoints.database_url,
            RetryPolicy(
                max_attempts=settings.scan_stage_attempts,
                backoff_seconds=settings.scan_retry_backoff_seconds,
                timeout_seconds=settings.scan_stage_timeout_seconds,
            ),
        ),
        compliance=open_compliance(endpoints.database_url),
        event_log=EventLog(app, endpoints.database_url),
        redis=redis,
        cache=RedisSourceCache(redis, settings.redis_prefix),
    )
