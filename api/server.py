"""Entry point of the API process: `python -m api.server`."""

from __future__ import annotations

import sys

import uvicorn

from api.app import create_app
from infra.bootstrap import build
from infra.logs import configure_logging
from infra.processes import exit_with_parent
from infra.settings import Settings


def main() -> int:
    exit_with_parent()
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(build(settings))
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
