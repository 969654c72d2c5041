"""Secrets are taken out of connection settings before anything is stored."""

from __future__ import annotations

import pytest

from domain.connections import REDACTED, join_secret, redact_text, split_secret
from domain.errors import InvalidCommandError
from infra.postgres import redact_dsn


@pytest.mark.parametrize(
    ("dsn", "redacted", "secret"),
    [
        ("postgresql://bob:s3cr:et@db:5432/x", "postgresql://bob:***@db:5432/x", "s3cr:et"),
        ("postgresql://bob@db/x", "postgresql://bob@db/x", None),
        ("postgresql://db/x?user=bob&password=pw", "postgresql://db/x?user=bob&password=***", "pw"),
        ("mysql://root:@127.0.0.1:3306/test", "mysql://root:***@127.0.0.1:3306/test", ""),
        ("postgresql://u:p%40ss@h/x", "postgresql://u:***@h/x", "p%40ss"),
        (
            "postgresql://app@db/crm?sslmode=verify-full&sslpassword=k3y",
            "postgresql://app@db/crm?sslmode=verify-full&sslpassword=***",
            "k3y",
        ),
        ("postgresql://db/x?PassWord=pw", "postgresql://db/x?PassWord=***", "pw"),
    ],
)
def test_split_secret(dsn: str, redacted: str, secret: str | None) -> None:
    split = split_secret({"dsn": dsn})
    assert split.redacted == {"dsn": redacted}
    assert split.secret == secret


def test_file_settings_have_no_secret() -> None:
    assert split_secret({"path": "/data/x.db"}).secret is None


def test_redact_text_hides_known_secrets_and_keyword_passwords() -> None:
    text = "failed: host=db password=hunter2 user=bob, also said s3cret"
    cleaned = redact_text(text, ["s3cret"])
    assert "hunter2" not in cleaned and "s3cret" not in cleaned
    assert f"password={REDACTED}" in cleaned


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://app:pw@db/crm?options=-c%20statement_timeout%3D5000&sslmode=require",
        "postgresql://db/crm?password=a%26b%3Dc&application_name=a+b",
        "postgresql://app:p%40ss@db:5432/crm?password=p%40ss",
        "mysql://root@db/test?charset=utf8mb4",
    ],
)
def test_the_agent_gets_back_the_dsn_exactly_as_registered(dsn: str) -> None:
    split = split_secret({"dsn": dsn})
    assert split.secret is None or split.secret not in split.redacted["dsn"]
    assert join_secret(split.redacted, split.secret) == {"dsn": dsn}


def test_a_dsn_with_two_different_passwords_is_refused() -> None:
    with pytest.raises(InvalidCommandError, match="two different passwords"):
        split_secret({"dsn": "postgresql://app:first@db/crm?password=second"})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:Canary1@db:5432/x", "postgresql://u:***@db:5432/x"),
        (
            "postgresql://u@db/x?password=Canary2&sslmode=require",
            "postgresql://u@db/x?password=***&sslmode=require",
        ),
        ("redis://:Canary3@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://h/0?password=Canary4", "redis://h/0?password=***"),
        ("postgresql://u:Canary5@[::1/x", "(a URL that cannot be parsed; not shown)"),
        ("postgresql://db/x", "postgresql://db/x"),
    ],
)
def test_server_urls_in_the_banner_and_status_show_no_password(url: str, shown: str) -> None:
    assert redact_dsn(url) == shown
