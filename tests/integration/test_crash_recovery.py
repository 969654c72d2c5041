"""No event lost, none applied twice: hard kills of the worker and the relay mid-stream, and a
broker restart that empties every topic. The read model must equal a replay of the event store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from api.supervisor import COMPONENTS
from commands.data_sources import DataSources
from infra.embedded import EmbeddedKafka
from infra.event_log import EventLog
from infra.kafka import lost_partitions
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
from streams.relay import BROKER_CHECK_INTERVAL
from tests.support import (
    Component,
    System,
    Workload,
    assert_read_model_equals_replay,
)

COMMANDS = 5000


@pytest.fixture
def app(system: System) -> Iterator[DataSources]:
    create_schema(system.dsn)
    application = open_event_store(system.dsn, AesGcmSecretBox("test-key"))
    yield application
    application.close()


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["worker", "relay"])
def test_kill_9_mid_stream_loses_nothing_and_applies_nothing_twice(
    system: System, app: DataSources, victim: str
) -> None:
    system.start("relay", "worker")
    workload = Workload(app, COMMANDS)
    with workload.running():
        workload.wait_done(COMMANDS // 3)
        system.components[victim].kill_hard()
        workload.wait_done(COMMANDS * 2 // 3)
        system.components[victim].start()
    assert workload.done == COMMANDS
    system.wait_caught_up()
    sources = assert_read_model_equals_replay(system, EventLog(app, system.dsn))
    assert sources > 1000


@pytest.mark.slow
def test_broker_restart_with_empty_topics_loses_nothing(
    system: System, app: DataSources, broker: EmbeddedKafka
) -> None:
    system.start("relay", "worker")
    with Workload(app, 1000, seed=1).running():
        pass
    system.wait_caught_up()
    broker.restart()  # memory storage: every topic and committed offset is gone
    with Workload(app, 1000, seed=2).running():
        pass
    system.wait_caught_up()
    assert_read_model_equals_replay(system, EventLog(app, system.dsn))


def test_an_idle_relay_does_not_take_a_broker_holding_everything_for_one_that_lost_it(
    system: System, app: DataSources
) -> None:
    """Checking an idle broker must not rewind the relay (a re-publication and a stall) when
    nothing was lost, whatever the broker says its partitions' ends are."""
    system.start("relay")
    with Workload(app, 300, seed=6).running():
        pass
    system.wait_caught_up_relay()
    time.sleep(BROKER_CHECK_INTERVAL * 2 + 1)
    log = system.components["relay"].log_path.read_text()
    assert "relay_active" in log
    assert "relay_rewound_after_broker_loss" not in log


@pytest.mark.slow
def test_projection_catches_up_after_being_behind_a_broker_restart(
    system: System, app: DataSources, broker: EmbeddedKafka
) -> None:
    """Events the worker never saw before the broker lost them are re-published from the store."""
    system.start("relay")
    with Workload(app, 500, seed=3).running():
        pass
    time.sleep(1.0)  # published, but nobody has consumed them
    broker.restart()
    system.start("worker")
    system.wait_caught_up()
    assert_read_model_equals_replay(system, EventLog(app, system.dsn))


@pytest.mark.slow
def test_a_standby_relay_takes_over_when_the_active_one_dies(
    system: System, app: DataSources
) -> None:
    system.start("relay", "worker")
    with Workload(app, 300, seed=4).running():
        pass
    system.wait_caught_up()
    standby = Component("standby", COMPONENTS["relay"], system.env, system.data_dir / "standby.log")
    standby.start()
    try:
        time.sleep(2.0)
        assert "relay_active" not in standby.log_path.read_text()  # waiting on the lock
        system.components["relay"].kill_hard()
        with Workload(app, 300, seed=5).running():
            pass
        system.wait_caught_up(timeout=60)
        assert "relay_active" in standby.log_path.read_text()
    finally:
        standby.stop()
    assert_read_model_equals_replay(system, EventLog(app, system.dsn))


def test_a_topic_the_broker_no_longer_has_counts_as_lost(broker: EmbeddedKafka) -> None:
    """Right after a restart with empty storage the topic itself is gone: every partition the
    relay had acknowledged records on is lost (this used to crash the relay)."""
    lost = asyncio.run(lost_partitions(broker.bootstrap, "datawave.sources", {0: 5, 3: 1}))
    assert lost == [0, 3]
