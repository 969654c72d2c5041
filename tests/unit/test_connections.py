"""Secrets are taken out of connection settings before anything is stored."""

from __future__ import annotations

import pytest

from domain.connections import REDACTED, redact_text, split_secret


@pytest.mark.parametrize(
    ("dsn", "redacted", "secret"),
    [
        ("postgresql://bob:s3cr:et@db:5432/x", "postgresql://bob:***@db:5432/x", "s3cr:et"),
        ("postgresql://bob@db/x", "postgresql://bob@db/x", None),
        ("postgresql://db/x?user=bob&password=pw", "postgresql://db/x?user=bob&password=***", "pw"),
        ("mysql://root:@127.0.0.1:3306/test", "mysql://root:***@127.0.0.1:3306/test", ""),
        ("postgresql://u:p%40ss@h/x", "postgresql://u:***@h/x", "p%40ss"),
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
