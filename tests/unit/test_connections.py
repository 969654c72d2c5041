"""Secrets are taken out of connection settings before anything is stored."""

from __future__ import annotations

import pytest

from domain.connections import REDACTED, join_secret, redact_text, split_secret
from domain.errors import InvalidCommandError


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
