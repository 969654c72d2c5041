"""Runs the benchmark suite and prints a results table per measurement."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import append, classification, discovery, e2e_lag, http, projection, workflow
from bench.common import Result, load_average, machine, progress
from tests.support import Servers, servers

Measurement = Callable[[Servers, bool], Result]

MEASUREMENTS: dict[str, Measurement] = {
    append.NAME: append.run,
    projection.NAME: projection.run,
    e2e_lag.NAME: e2e_lag.run,
    http.NAME: http.run,
    discovery.NAME: discovery.run,
    classification.NAME: classification.run,
    workflow.NAME: workflow.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"measurements to run: {', '.join(MEASUREMENTS)}"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke check")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in MEASUREMENTS]
    if unknown:
        parser.error(
            f"unknown measurement(s) {', '.join(unknown)}; known: {', '.join(MEASUREMENTS)}"
        )
    names = args.names or list(MEASUREMENTS)
    # A terminated run still stops its processes and drops its databases on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: list[Result] = []
    failed: list[str] = []
    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="bench-servers-") as workdir,
        servers(Path(workdir)) as srv,
    ):
        box = machine()
        loops = " / ".join(f"{seconds:.2f}" for seconds in box["python_speed"])
        header = (
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {box['nproc']} CPUs ({box['cpu']}), "
            f"{box['ram_gib']} GiB RAM, Linux {box['kernel']}, Python {box['python']} "
            f"(10M-addition loop, 3 times: {loops} s); "
            f"PostgreSQL {srv.postgres_version()} ({srv.postgres_kind}), "
            f"Redis ({srv.redis_kind}); {'quick' if args.quick else 'full'} sizes"
        )
        progress("bench", header)
        for name in names:
            progress(name, f"starting (load average {load_average()})")
            # This process is also the load generator and the clock of the latency measurements:
            # what earlier measurements left on its heap is frozen, so that the collector's full
            # passes over it do not pause a later phase (BENCHMARKS.md, e2e_lag).
            gc.collect()
            gc.freeze()
            try:
                result = MEASUREMENTS[name](srv, args.quick)
                result.notes.append(f"load average after: {load_average()}")
                results.append(result)
            except Exception:  # noqa: BLE001 - one broken measurement must not hide the others
                traceback.print_exc()
                failed.append(name)
                progress(name, "FAILED")
    print()
    print(f"## Results ({header})")
    for result in results:
        print()
        print(result.markdown())
    print()
    progress(
        "bench", f"done in {time.monotonic() - began:.0f} s; failed: {', '.join(failed) or 'none'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
