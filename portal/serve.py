"""Serve the portal from several Streamlit processes behind the sticky proxy (portal/proxy.py).

    python3 dev.py serve                      # one process per core, on http://0.0.0.0:8501
    python3 dev.py serve --processen 3 --poort 8080 --adres 127.0.0.1

Every process reads the same warehouse (read-only; a rebuild is picked up by each) and the same user database
(SQLite, one short transaction per change, safe between processes). The processes share one cookie secret, so a
browser that is moved to another process after a failure keeps working. Stop with Ctrl-C: the processes stop too.

The processes listen on 127.0.0.1 only; the proxy passes each client's real address in a header signed with a secret
made per start (portal/proxy.py), so the portal's own check that a portal without accounts is used on this machine
only (ui.local_only) and the login throttle per address see the real client, not the proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from portal.paths import ROOT
from portal.proxy import SECRET_ENV, Proxy


def start_backends(n: int, first_port: int, secret: str, extra: list[str] | None = None) -> list[subprocess.Popen]:
    """`n` Streamlit processes on 127.0.0.1 from `first_port` on, trusting only the client header signed with `secret`
    (and no X-Forwarded-For: uvicorn would otherwise take it from anything on 127.0.0.1, the proxy included)."""
    # One polars thread per process: the processes already fill the cores, and with twenty sessions at once polars' own
    # thread pool per process only added CPU time (measured with `bench belasting`: about 0,2 instead of 0,3 s per session).
    env = dict(os.environ, PYTHONPATH=str(ROOT), STREAMLIT_SERVER_COOKIE_SECRET=secrets.token_hex(16),
               POLARS_MAX_THREADS=os.environ.get("POLARS_MAX_THREADS", "1"), FORWARDED_ALLOW_IPS="",
               **{SECRET_ENV: secret})
    return [subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "pages" / "app.py"), "--server.headless", "true",
                              "--server.address", "127.0.0.1", "--server.port", str(first_port + i),
                              "--browser.gatherUsageStats", "false", *(extra or [])], cwd=ROOT, env=env)
            for i in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, timeout: float = 120.0) -> None:
    """Wait until the Streamlit server at `base` (e.g. http://127.0.0.1:8601) answers its health check."""
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            return
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"server op {base} kwam niet op") from None
            time.sleep(0.2)


async def run_proxy(host: str, port: int, backend_ports: list[int], secret: str) -> None:
    server = await Proxy([("127.0.0.1", p) for p in backend_ports], secret).serve(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py serve", description="Portaal met meerdere serverprocessen")
    parser.add_argument("--processen", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--poort", type=int, default=8501)
    parser.add_argument("--adres", default="0.0.0.0")
    parser.add_argument("--eerste-interne-poort", type=int, default=8601)
    args, extra = parser.parse_known_args(argv)
    ports = [args.eerste_interne_poort + i for i in range(args.processen)]
    secret = secrets.token_hex(32)
    procs = start_backends(args.processen, ports[0], secret, extra)
    try:
        for port in ports:
            wait_healthy(f"http://127.0.0.1:{port}")
        print(f"Portaal: http://{args.adres}:{args.poort} ({args.processen} serverprocessen op poort {ports[0]}–{ports[-1]})", flush=True)
        asyncio.run(run_proxy(args.adres, args.poort, ports, secret))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
