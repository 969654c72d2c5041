"""The sources use cases on the in-memory event store: invariants a user would notice."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from commands.data_sources import DataSources
from commands.messages import (
    DecommissionDataSource,
    RegisterDataSource,
    RequestScan,
    UpdateDataSource,
)
from commands.scans import ScanWorkflows
from domain.errors import (
    DecommissionedError,
    InvalidCommandError,
    NameTakenError,
    NotFoundError,
    ScanRunningError,
    VersionConflictError,
)
from domain.meta import EventMeta
from domain.scans import RetryPolicy
from tests.unit.test_scans import POPO, on_store_of

META: EventMeta = {"actor": "alice", "correlation_id": "c-1", "causation_id": "cmd-1"}
CANARY = "Canary-Pa55word!"


class ReversingBox:
    """A fake secret box: enough to show the clear text never reaches the event."""

    def seal(self, plaintext: str) -> str:
        return "sealed:" + plaintext[::-1]

    def unseal(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")[::-1]


@pytest.fixture
def app() -> DataSources:
    return DataSources(ReversingBox(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def register(app: DataSources, name: str = "sales", **kw: object) -> object:
    cmd = RegisterDataSource(
        name=name,
        kind=str(kw.get("kind", "postgresql")),
        connection=dict(kw.get("connection", {"dsn": f"postgresql://bob:{CANARY}@db/sales"})),  # type: ignore[call-overload]
    )
    return app.register(cmd, META)


def test_register_keeps_the_password_out_of_the_event(app: DataSources) -> None:
    receipt = register(app)
    source = app.get_source(receipt.aggregate_id)  # type: ignore[attr-defined]
    assert source.connection == {"dsn": "postgresql://bob:***@db/sales"}
    for item in app.notification_log.select(start=1, limit=10):
        assert CANARY.encode() not in item.state
    assert app.connection_secret(source.id) == CANARY


def test_every_event_carries_actor_correlation_and_causation(app: DataSources) -> None:
    register(app)
    events = [app.mapper.to_domain_event(n) for n in app.notification_log.select(start=1, limit=10)]
    assert events and all(e.meta == META for e in events)  # type: ignore[attr-defined]


def test_names_are_unique_among_live_sources_case_insensitively(app: DataSources) -> None:
    first = register(app, "Sales")
    with pytest.raises(NameTakenError):
        register(app, "sales")
    app.decommission(DecommissionDataSource(first.aggregate_id), META)  # type: ignore[attr-defined]
    assert register(app, "sales").version == 1  # type: ignore[attr-defined]


def test_names_are_kept_without_the_invisible_characters_around_them(app: DataSources) -> None:
    register(app, "Sales")
    with pytest.raises(NameTakenError):  # a zero-width space and a no-break space around it
        register(app, "\u200bsales\u00a0")
    with pytest.raises(InvalidCommandError, match="must not be empty"):
        register(app, "\u200b\ufeff")
    receipt = register(app, "\ufeffmarketing ")
    assert app.get_source(receipt.aggregate_id).name == "marketing"  # type: ignore[attr-defined]


def test_rename_frees_the_old_name(app: DataSources) -> None:
    receipt = register(app, "a")
    app.update(UpdateDataSource(receipt.aggregate_id, name="b"), META)  # type: ignore[attr-defined]
    register(app, "a")
    with pytest.raises(NameTakenError):
        register(app, "b")


def test_stale_expected_version_is_refused(app: DataSources) -> None:
    receipt = register(app)
    sid = receipt.aggregate_id  # type: ignore[attr-defined]
    app.update(UpdateDataSource(sid, owner="x", expected_version=1), META)
    with pytest.raises(VersionConflictError):
        app.update(UpdateDataSource(sid, owner="y", expected_version=1), META)


def test_decommissioned_source_accepts_no_changes(app: DataSources) -> None:
    sid = register(app).aggregate_id  # type: ignore[attr-defined]
    app.decommission(DecommissionDataSource(sid), META)
    with pytest.raises(DecommissionedError):
        app.update(UpdateDataSource(sid, owner="x"), META)
    with pytest.raises(DecommissionedError):
        app.decommission(DecommissionDataSource(sid), META)


def test_unknown_kind_and_missing_settings_are_invalid(app: DataSources) -> None:
    with pytest.raises(InvalidCommandError):
        register(app, kind="oracle")
    with pytest.raises(InvalidCommandError):
        register(app, kind="sqlite", connection={"dsn": "x"})
    with pytest.raises(InvalidCommandError):
        register(app, connection={"dsn": "mysql://u@h/db"})


def test_unknown_source_is_not_found(app: DataSources) -> None:
    with pytest.raises(NotFoundError):
        app.update(UpdateDataSource(uuid4(), owner="x"), META)


def test_update_without_changes_appends_nothing(app: DataSources) -> None:
    sid = register(app).aggregate_id  # type: ignore[attr-defined]
    receipt = app.update(UpdateDataSource(sid, name="sales"), META)
    assert receipt.version == 1


def test_file_paths_outside_the_allowed_roots_are_refused() -> None:
    app = DataSources(
        ReversingBox(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, file_roots=("/data",)
    )
    ok = app.register(RegisterDataSource("a", "csv", {"path": "/data/sales/x.csv"}), META)
    app.register(RegisterDataSource("a2", "csv", {"path": "//data/sales/y.csv"}), META)
    for path in ("/etc/passwd", "/data/../etc/passwd", "/database/x.csv"):
        with pytest.raises(InvalidCommandError, match="allowed roots"):
            app.register(RegisterDataSource(f"b{path}", "csv", {"path": path}), META)
    with pytest.raises(InvalidCommandError, match="absolute"):
        app.register(RegisterDataSource("rel", "csv", {"path": "relative/x.csv"}), META)
    with pytest.raises(InvalidCommandError):
        app.update(UpdateDataSource(ok.aggregate_id, connection={"path": "/srv/x.csv"}), META)


def test_resending_the_same_password_changes_nothing_and_a_new_one_is_an_update(
    app: DataSources,
) -> None:
    receipt: Any = register(app)
    same = {"dsn": f"postgresql://bob:{CANARY}@db/sales"}
    unchanged = app.update(UpdateDataSource(receipt.aggregate_id, connection=same), META)
    assert unchanged.version == receipt.version
    rotated = {"dsn": "postgresql://bob:Other-Pa55@db/sales"}
    changed = app.update(UpdateDataSource(receipt.aggregate_id, connection=rotated), META)
    assert changed.version == receipt.version + 1
    assert app.connection_secret(receipt.aggregate_id) == "Other-Pa55"


def test_a_decommissioned_source_refuses_a_new_scan(app: DataSources) -> None:
    sid = register(app).aggregate_id  # type: ignore[attr-defined]
    app.decommission(DecommissionDataSource(sid), META)
    with pytest.raises(DecommissionedError):
        app.get_source(sid).start_scan(str(uuid4()), ["discover"], META)
    # The use case refuses it too, and stores nothing.
    scans = on_store_of(app, ScanWorkflows(RetryPolicy(), env=POPO))
    version = app.get_source(sid).version
    with pytest.raises(DecommissionedError):
        scans.request(RequestScan(sid, ["discover"]), META)
    assert app.get_source(sid).version == version


def test_only_the_running_scan_can_end_and_it_ends_once(app: DataSources) -> None:
    sid = register(app).aggregate_id  # type: ignore[attr-defined]
    source = app.get_source(sid)
    source.start_scan("scan-1", ["discover", "profile"], META)
    app.save(source)
    source = app.get_source(sid)
    assert (source.active_scan, source.last_discovery) == ("scan-1", "scan-1")
    with pytest.raises(ScanRunningError):
        source.start_scan("scan-2", ["discover"], META)
    version = source.version
    # A late or stray report about another workflow changes nothing.
    source.end_scan("scan-2", "completed", META, summary={"tables": 1})
    assert not source.collect_events()
    assert (source.version, source.active_scan) == (version, "scan-1")

    source.end_scan("scan-1", "failed", META, reason="connection refused")
    source.end_scan("scan-1", "failed", META, reason="connection refused")  # said twice: once
    app.save(source)
    source = app.get_source(sid)
    assert (source.version, source.active_scan) == (version + 1, None)
    source.start_scan("scan-3", ["evaluate"], META)  # the source is free again
    assert (source.active_scan, source.last_discovery) == ("scan-3", "scan-1")
