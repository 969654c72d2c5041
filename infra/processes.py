"""Components started by `datawave up` stop when it dies, even by SIGKILL."""

from __future__ import annotations

import os
import signal
import threading

PARENT_ENV = "DATAWAVE_SUPERVISOR_PID"
POLL_SECONDS = 1.0


def exit_with_parent() -> None:
    """If started by a supervisor, send ourselves SIGTERM (a clean stop) once it is gone.

    Polling the parent pid works everywhere; Linux's parent-death signal was not delivered in
    every sandbox we run in.
    """
    expected = os.environ.get(PARENT_ENV)
    if not expected:
        return

    def watch() -> None:
        while os.getppid() == int(expected):
            threading.Event().wait(POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
