"""CI: the installed wheel, run from a folder outside the checkout, as an operator would.

Usage: python wheel_smoke.py  (with the wheel's venv first on PATH; cwd is a temp folder)
Runs `lms db upgrade`, `lms plugins`, `lms courses export-shipped` + `check`, then
`lms serve --demo` until /inloggen answers and one printed demo login reaches its home page.
Exits non-zero, with the reason, on the first failure.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path


def fail(message: str) -> None:
    print(f"WHEEL SMOKE FAILED: {message}", flush=True)
    sys.exit(1)


def run(*args: str) -> str:
    print("$ lms", *args, flush=True)
    result = subprocess.run(["lms", *args], capture_output=True, text=True, timeout=300)
    print(result.stdout + result.stderr, flush=True)
    if result.returncode != 0:
        fail(f"lms {' '.join(args)} exited {result.returncode}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    here = Path.cwd()
    if (here / "lms").is_dir() or (here / "pyproject.toml").exists():
        fail(f"run from outside the checkout, not {here}")
    os.environ["LMS_INSTANCE_PATH"] = str(here / "instance")
    import lms  # the installed copy, not the checkout

    if "site-packages" not in lms.__file__:
        fail(f"lms is imported from {lms.__file__}, not from an installed wheel")

    upgrade = run("db", "upgrade")
    if "on branch lms:" not in upgrade:
        fail("lms db upgrade did not name the core revisions it applied")
    listing = run("plugins")
    for name in ("quiz", "reflection", "assignment"):
        if not re.search(rf"^{name}\s+\S+\s+entry point leerpad$", listing, re.M):
            fail(f"{name} is not loaded through the entry point")
    run("courses", "export-shipped", str(here / "courses"))
    run("courses", "check", str(here / "courses"))

    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen(["lms", "serve", "--demo", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                     daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                fail("lms serve --demo stopped:\n" + "".join(lines))
            try:
                with urllib.request.urlopen(f"{base}/inloggen", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - started > 120:
                fail("/inloggen did not answer within 120 s")
            time.sleep(0.3)
        print(f"/inloggen answered after {time.monotonic() - started:.1f} s", flush=True)
        logins = re.findall(r"(\S+@\S+\.example\.org)\s+(\w{4}-\w{4}-\w{4})", "".join(lines))
        if not logins:
            fail("no demo logins were printed:\n" + "".join(lines))
        email, password = logins[0]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = opener.open(f"{base}/inloggen", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        if not token:
            fail("the login form has no CSRF token")
        data = urllib.parse.urlencode({"csrf_token": token[1], "email": email,
                                       "password": password}).encode()
        with opener.open(f"{base}/inloggen", data=data, timeout=10) as response:
            landed, page = urllib.parse.urlsplit(response.url).path, response.read().decode()
        if landed != "/" or "Uitloggen" not in page:
            fail(f"{email} did not reach the home page (landed on {landed})")
        print(f"{email} logged in and reached the home page", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("WHEEL SMOKE PASSED", flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        main()
