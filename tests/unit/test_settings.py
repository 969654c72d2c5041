"""Settings from the environment, as an operator writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.text import trimmed
from infra.settings import Settings


def test_log_settings_read_in_any_case_and_an_empty_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAWAVE_LOG_LEVEL", "WARN")
    monkeypatch.setenv("DATAWAVE_LOG_FORMAT", "JSON")
    monkeypatch.setenv("DATAWAVE_DATA_DIR", "")
    settings = Settings()
    assert (settings.log_level, settings.log_format) == ("warning", "json")
    assert settings.data_dir == Path(".datawave")  # not the current folder
    monkeypatch.setenv("DATAWAVE_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()


def test_text_is_trimmed_of_what_shows_nothing_but_a_flag_keeps_its_tags() -> None:
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert trimmed(f"Team {scotland}") == f"Team {scotland}"
    assert trimmed("\u200b\ufeff reason \u00ad\u200d") == "reason"
    assert trimmed("\u200b \u2060") == ""
