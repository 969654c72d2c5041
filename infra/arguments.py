"""Command-line parsing whose errors are one line: the standard for every DataWave command."""

from __future__ import annotations

import argparse
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is `prog: error: message (see prog --help)` and exit 2,
    instead of the usage block followed by the error. Subcommands' parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
