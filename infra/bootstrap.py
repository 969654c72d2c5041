"""The composition root: concrete classes wired from settings, for every process kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from redis.asyncio import Redis

from commands.data_sources import DataSources
from infra.event_log import EventLog
from infra.postgres import create_schema
from infra.read_models import PostgresDataSourceView, RedisSourceCache
from infra.secret_box import AesGcmSecretBox
from infra.settings import Settings
from infra.stores import open_event_store


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
    event_log: EventLog
    redis: Redis
    cache: RedisSourceCache

    async def connect(self) -> psycopg.AsyncConnection[Any]:
        """A new read-side connection (callers close it)."""
        return await psycopg.AsyncConnection.connect(self.endpoints.database_url, autocommit=True)

    def source_view(self) -> PostgresDataSourceView:
        return PostgresDataSourceView(self.connect, self.cache)


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
    redis = Redis.from_url(endpoints.redis_url)
    return Container(
        settings=settings,
        endpoints=endpoints,
        data_sources=app,
        event_log=EventLog(app, endpoints.database_url),
        redis=redis,
        cache=RedisSourceCache(redis, settings.redis_prefix),
    )
