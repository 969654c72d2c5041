"""An agent that fails for good ends the worker process, for its supervisor to restart it from
the last committed offsets, rather than reading on past what the failed agent had taken."""

from __future__ import annotations

import subprocess
import sys

from streams.projector import AGENT_FAILED

FAILING_AGENT = """
import asyncio
from streams.projector import exit_on_failure

async def broken() -> None:
    raise RuntimeError("read model gone for good")

asyncio.run(exit_on_failure("project", broken()))
print("carried on")
"""


def test_a_failed_agent_ends_the_worker_with_its_exit_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FAILING_AGENT], capture_output=True, text=True, check=False
    )
    assert done.returncode == AGENT_FAILED
    assert "carried on" not in done.stdout
    assert "agent_failed_worker_exits" in done.stdout + done.stderr
