"""One settings class: every knob is an environment variable with the DATAWAVE_ prefix."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

JWT_SECRET_FILE = "jwt.secret"  # noqa: S105 - the file in the data folder that holds the key
MIN_JWT_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Where the servers are, where the data folder is, and the install's keys."""

    # An empty variable is an unset one: DATAWAVE_DATA_DIR= must not mean the current folder.
    model_config = SettingsConfigDict(env_prefix="DATAWAVE_", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Path(".datawave")
    database_url: str | None = None
    redis_url: str | None = None
    kafka_bootstrap: str | None = None
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: str | None = Field(default=None, repr=False)
    secret_key: str | None = Field(default=None, repr=False)
    topic_partitions: int = Field(default=4, ge=1, le=1000)
    redis_prefix: str = "datawave"
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    read_wait_timeout: float = Field(default=5.0, gt=0, le=300)
    # Folders (":"-separated) that file sources must lie in; empty means any readable path.
    edge_file_roots: str = ""
    # Rows sampled per table at the edge, and this agent's name in events (default host:pid).
    edge_sample_rows: int = Field(default=1000, ge=1, le=100_000)
    edge_agent_name: str = ""
    # The classification model the edge agent asks beside the rules: "" (the rules alone, the
    # default until the model beats them: BENCHMARKS.md), "shipped", or a file's path.
    edge_model: str = ""
    # Scan workflows: tries per stage, the first wait between tries (doubling each time), and
    # how long one try may run before it counts as failed.
    scan_stage_attempts: int = Field(default=3, ge=1, le=20)
    scan_retry_backoff_seconds: float = Field(default=5.0, ge=0)
    scan_stage_timeout_seconds: float = Field(default=3600.0, gt=0)

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        # INFO and info, as logging itself reads them; WARN as the shorter name of warning.
        if isinstance(value, str):
            value = value.strip().lower()
            return "warning" if value == "warn" else value
        return value

    def file_roots(self) -> tuple[str, ...]:
        return tuple(root for root in self.edge_file_roots.split(":") if root)

    def jwt_key(self) -> str:
        """The HS256 secret: configured, or generated once and kept in the data folder."""
        if self.jwt_secret is not None and len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            # RFC 7518 §3.2: an HS256 key shorter than the hash makes tokens guessable.
            raise ValueError(f"DATAWAVE_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes")
        return self.jwt_secret or _stored_secret(self.data_dir / JWT_SECRET_FILE)

    def sealing_key(self) -> str:
        """The key that seals connection secrets: configured, or kept in the data folder."""
        return self.secret_key or _stored_secret(self.data_dir / "secret.key")


def _stored_secret(path: Path) -> str:
    # O_EXCL makes two processes starting at once agree on one secret; 0600 keeps it private.
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
