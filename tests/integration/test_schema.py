"""Processes starting together on an empty database all come up: schema creation is serialised."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

START = """
import sys
from infra.postgres import create_schema
from infra.secret_box import AesGcmSecretBox
from infra.stores import open_event_store
create_schema(sys.argv[1])
open_event_store(sys.argv[1], AesGcmSecretBox("k")).close()
"""


def test_components_starting_at_once_on_an_empty_database_all_start(database: str) -> None:
    processes = [
        subprocess.Popen([sys.executable, "-c", START, database], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    failures = [p.communicate(timeout=60)[1].decode() for p in processes if p.wait(60) != 0]
    assert failures == []
