"""The `datawave` command: up, status, token, edge, model, projections. Errors are one line and a
non-zero exit."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any, NoReturn

import psycopg
from pydantic import ValidationError

from api.auth import ROLES, issue_token
from api.supervisor import COMPONENTS, RUNTIME_FILE, Supervisor, UpError
from domain.connections import redact_text, split_secret
from domain.errors import InvalidCommandError
from infra.arguments import OneLineParser
from infra.lag import lags
from infra.logs import configure_logging
from infra.postgres import redact_dsn
from infra.read_models import PROJECTIONS, parked_count, parked_letters
from infra.settings import JWT_SECRET_FILE, Settings


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="datawave", description="DataWave data governance")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the whole system (embedded servers when none configured)")
    status = commands.add_parser("status", help="components, addresses and projection lag")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    commands.add_parser("edge", help="run an edge agent (needs DATAWAVE_KAFKA_BOOTSTRAP)")
    model = commands.add_parser("model", help="the classification model")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    train = model_commands.add_parser("train", help="reproduce the shipped model from a seed")
    train.add_argument("--seed", type=int, default=None, help="the training seed")
    train.add_argument("--out", default=None, help="where to write the artefact")
    projections = commands.add_parser("projections", help="the read models: rebuild, dead letters")
    projection_commands = projections.add_subparsers(dest="projections_command", required=True)
    parked = projection_commands.add_parser(
        "parked", help="list the events the projections parked as poison"
    )
    parked.add_argument("--json", action="store_true", help="machine-readable output")
    projection_commands.add_parser(
        "replay", help="apply the parked events again, once what made them fail is fixed"
    )
    rebuild = projection_commands.add_parser(
        "rebuild", help="build read models again from the event store, with progress"
    )
    rebuild.add_argument("names", nargs="*", metavar="NAME", help=", ".join(PROJECTIONS))
    rebuild.add_argument("--all", action="store_true", help="every projection")
    token = commands.add_parser("token", help="print a signed development JWT")
    token.add_argument("--subject", required=True)
    token.add_argument("--role", action="append", required=True, choices=sorted(ROLES))
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        if args.command == "up":
            configure_logging(settings.log_format, settings.log_level)
            return Supervisor(settings).run()
        if args.command == "edge":
            # The agent is its own program (it may run far from the API); become it.
            os.execv(sys.executable, [sys.executable, "-m", "edge.agent"])  # noqa: S606
        if args.command == "model":
            options = [
                f"--{name}={value}"
                for name in ("seed", "out")
                if (value := getattr(args, name)) is not None
            ]
            training = [sys.executable, "-m", "edge.classification.training", *options]
            os.execv(sys.executable, training)  # noqa: S606
        if args.command == "status":
            return _status(settings, as_json=args.json)
        if args.command == "projections":
            if args.projections_command == "parked":
                return _parked_report(settings, as_json=args.json)
            rebuilt = args.projections_command == "rebuild"
            names = _rebuilt_names(args.names, args.all) if rebuilt else []
            _exec_streams(settings, args.projections_command, *names)
        if settings.jwt_secret is None and not (settings.data_dir / JWT_SECRET_FILE).exists():
            # A key made up here would sign tokens that no running install accepts.
            raise ValueError(
                f"no DataWave install in {settings.data_dir}: run `datawave up` there first "
                "or set DATAWAVE_JWT_SECRET"
            )
        print(issue_token(settings.jwt_key(), args.subject, args.role, args.ttl))
        return 0
    except Exception as error:  # noqa: BLE001 - a user gets one line, never a traceback
        print(f"datawave: error: {_one_line(error)}", file=sys.stderr)
        return 1


def _one_line(error: Exception) -> str:
    """What went wrong, in one line that names the setting and shows no configured secret."""
    if isinstance(error, ValidationError):  # a DATAWAVE_ variable's value
        first = error.errors()[0]
        name = "DATAWAVE_" + "_".join(str(part) for part in first["loc"]).upper()
        return f"{name}: {first['msg']}"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    # A driver's error may quote the URL it was given, password and all.
    return redact_text(text, _configured_secrets())


def _configured_secrets() -> list[str]:
    """The passwords in the configured server URLs; a URL that cannot be parsed is one whole."""
    found = []
    for name in ("DATAWAVE_DATABASE_URL", "DATAWAVE_REDIS_URL"):
        url = os.environ.get(name)
        if not url:
            continue
        try:
            secret = split_secret({"dsn": url}).secret
        except InvalidCommandError:
            secret = url
        if secret:
            found.append(secret)
    return found


def _runtime(settings: Settings) -> dict[str, Any]:
    """What the running `datawave up` on this data folder wrote about itself."""
    path = settings.data_dir / RUNTIME_FILE
    if not path.exists():
        raise UpError(
            f"DataWave is not running on {settings.data_dir.resolve()} (no {RUNTIME_FILE})"
        )
    try:
        runtime: dict[str, Any] = json.loads(path.read_text())
    except ValueError as error:
        raise UpError(f"{path} is not what `datawave up` writes: {error}") from None
    parts = ("api", "postgres", "redis", "kafka", "components")
    if (
        not isinstance(runtime, dict)
        or not all(isinstance(runtime.get(p), dict) for p in parts)
        or not all(isinstance(runtime["components"].get(c), int) for c in COMPONENTS)
    ):
        raise UpError(f"{path} is not what `datawave up` writes: it lacks {', '.join(parts)}")
    return runtime


def _parked_report(settings: Settings, *, as_json: bool) -> int:
    letters = asyncio.run(_parked(_runtime(settings)["postgres"]["url"]))
    if as_json:
        print(json.dumps(letters, indent=2))
        return 0
    for letter in letters:
        print(
            f"{letter['position']}  {letter['aggregate_id']} v{letter['aggregate_version']}  "
            f"{letter['type']}  {letter['reason']}"
        )
    if not letters:
        print("no parked events")
    return 0


def _rebuilt_names(names: list[str], every: bool) -> list[str]:
    """The projections `rebuild` was asked for; ValueError unless exactly known names or --all."""
    if every == bool(names):
        raise ValueError(
            f"name the projections to rebuild ({', '.join(PROJECTIONS)}), or --all alone"
        )
    unknown = [name for name in names if name not in PROJECTIONS]
    if unknown:
        raise ValueError(f"no projection {unknown[0]!r}: one of {', '.join(PROJECTIONS)}")
    # In one order whoever types them: rebuilds lock their tables in it.
    return [name for name in PROJECTIONS if every or name in names]


def _exec_streams(settings: Settings, *command: str) -> NoReturn:
    """Become `python -m streams.run COMMAND…` on the running install's servers: replaying and
    rebuilding apply events as the worker does, so the stream processes' own program does it."""
    runtime = _runtime(settings)
    servers = {
        **os.environ,
        "DATAWAVE_DATABASE_URL": runtime["postgres"]["url"],
        "DATAWAVE_REDIS_URL": runtime["redis"]["url"],
        "DATAWAVE_KAFKA_BOOTSTRAP": runtime["kafka"]["bootstrap"],
    }
    streams = [sys.executable, "-m", "streams.run", *command]
    os.execve(sys.executable, streams, servers)  # noqa: S606


async def _parked(dsn: str) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(dsn, connect_timeout=3) as conn:
        return await parked_letters(conn)


def _status(settings: Settings, *, as_json: bool) -> int:
    runtime = _runtime(settings)
    report: dict[str, Any] = {
        "api": {**runtime["api"], "status": "running"},
        "postgres": {**runtime["postgres"], "url": redact_dsn(runtime["postgres"]["url"])},
        "redis": {**runtime["redis"], "url": redact_dsn(runtime["redis"]["url"])},
        "kafka": runtime["kafka"],
    }
    for name, pid in runtime["components"].items():
        report.setdefault(name, {})
        report[name].update({"pid": pid, "status": "running" if _alive(pid) else "stopped"})
    try:
        current, parked = asyncio.run(_lags(runtime["postgres"]["url"]))
    except psycopg.Error:
        current, parked = {}, None
        report["postgres"]["status"] = "unreachable"
    report["relay"]["lag"] = current.pop("relay", None)
    report["projections"] = {name: {"lag": lag} for name, lag in current.items()}
    report["dead_letters"] = parked
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    for name in COMPONENTS:
        item = report.get(name, {"status": "unknown"})
        where = item.get("url", "")
        lag = f"lag {item['lag']} events" if "lag" in item and item["lag"] is not None else ""
        print(f"{name:<11} {item['status']:<8} {where}{lag}")
    for name, key in (("postgres", "url"), ("redis", "url"), ("kafka", "bootstrap")):
        item = report[name]
        embedded = " (embedded)" if item.get("embedded") else ""
        print(f"{name:<11} {item.get('status', 'running'):<8} {item[key]}{embedded}")
    for name, item in report["projections"].items():
        print(f"projection  {name:<16} lag {item['lag']} events")
    if parked:
        print(f"dead letters: {parked} events parked by the projections, not applied")
    return 0


async def _lags(dsn: str) -> tuple[dict[str, int], int]:
    async with await psycopg.AsyncConnection.connect(dsn, connect_timeout=3) as conn:
        return await lags(conn), await parked_count(conn)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    sys.exit(main())
