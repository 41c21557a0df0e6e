"""How long `lms serve --demo` takes on a fresh SQLite instance until /inloggen answers.

    python bench/demo_start.py [--runs 3]

Each run starts `lms serve --demo` (two gunicorn workers and the job worker, as a user would)
in a new instance folder and polls /inloggen every 0.1 s; prints the seconds per run and the
median. The `lms` on PATH next to this Python is used, so run it from the venv.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run() -> float:
    with tempfile.TemporaryDirectory(prefix="leerpad-demo-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env["LMS_INSTANCE_PATH"] = str(Path(folder) / "instance")
        port = free_port()
        lms = Path(sys.executable).with_name("lms")
        started = time.perf_counter()
        proc = subprocess.Popen([str(lms), "serve", "--demo", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"lms serve --demo stopped with {proc.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/inloggen", timeout=2):
                        return time.perf_counter() - started
                except OSError:
                    time.sleep(0.1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = [one_run() for _ in range(args.runs)]
    print("runs: " + ", ".join(f"{t:.1f} s" for t in times))
    print(f"median: {statistics.median(times):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
