"""Serve the portal from several Streamlit processes behind a reverse proxy, and keep them running.

    python3 dev.py serve                      # one process per core behind HAProxy, on http://0.0.0.0:8501
    python3 dev.py serve --processen 3 --poort 8080 --adres 127.0.0.1
    python3 dev.py serve --poort 443 --certificaat /etc/bijstandsportaal/portaal.pem    # HTTPS, ended by HAProxy
    python3 dev.py serve --proxy eigen        # without HAProxy: our own small proxy, on this machine (127.0.0.1) only

The proxy: HAProxy when it is installed (portal/haproxy.py; `dev.py serve` installs Debian's package when run as
root), else, on this machine only, the small proxy of our own (portal/proxy.py). On any other address without HAProxy
`serve` says in Dutch what to install and stops.

Supervision: every second each process's health (`/_stcore/health`) is checked. A process that exits is restarted and
logged; one that stops answering for `--vastgelopen-na` seconds (hung, e.g. SIGSTOP) is killed and restarted. A
process that never comes up is tried again after 1, 2, 4, 8 s; after five failed starts in a row it is given up, and
when every process is given up `serve` stops with exit code 1, so a supervisor (systemd, Restart=on-failure) can start
it anew. When the proxy itself stops, `serve` stops all and exits with 1 too. SIGTERM and SIGINT stop the proxy and
every process (SIGKILL after 10 s) and exit with 0; a process of `serve` that is left behind by a SIGKILL of `serve`
itself gets SIGKILL from the kernel (PR_SET_PDEATHSIG). A port that is in use, a missing HAProxy or an unusable
certificate: a Dutch message and exit code 2.

Every process reads the same warehouse (read-only; a rebuild is picked up by each) and the same user database
(SQLite, one short transaction per change, safe between processes). The processes share one cookie secret. They listen
on 127.0.0.1 only; the proxy passes each client's real address in a header signed with a secret made per start
(portal/proxy.py), so the portal's check that a portal without accounts is used on this machine only (ui.local_only)
and the login throttle per address see the real client, not the proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import errno
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from portal import haproxy
from portal.paths import ROOT, settings
from portal.proxy import SECRET_ENV, Proxy

CHECK_EVERY = 1.0  # seconds between health checks of a process
CHECK_TIMEOUT = 3.0  # a health check that takes longer failed
START_TIMEOUT = 120.0  # a new process that is not healthy within this time failed to start
MAX_FAILED_STARTS = 5  # failed starts in a row after which a process is given up
STOP_GRACE = 10.0  # seconds a process gets to stop after SIGTERM, then SIGKILL
DOWN_AFTER = 2  # failed checks in a row after which our own proxy skips a process (HAProxy checks by itself)

try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not Linux
    _libc = None


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when serve dies (Linux prctl PR_SET_PDEATHSIG), so no child outlives a serve
    that was killed itself."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL)


def log(message: str, error: bool = False) -> None:
    print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {message}", file=sys.stderr if error else sys.stdout, flush=True)


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


def backend_env(secret: str, cookie_secret: str) -> dict[str, str]:
    # One polars thread per process: the processes already fill the cores, and with twenty sessions at once polars' own
    # thread pool per process only added CPU time (measured with `bench belasting`: about 0,2 instead of 0,3 s per session).
    # No X-Forwarded-For from anyone (uvicorn would otherwise take it from anything on 127.0.0.1, the proxy included).
    return dict(os.environ, PYTHONPATH=str(ROOT), STREAMLIT_SERVER_COOKIE_SECRET=cookie_secret,
                POLARS_MAX_THREADS=os.environ.get("POLARS_MAX_THREADS", "1"), FORWARDED_ALLOW_IPS="", **{SECRET_ENV: secret})


def start_backend(port: int, env: dict[str, str], extra: list[str]) -> subprocess.Popen:
    """One Streamlit process on 127.0.0.1:`port`."""
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "pages" / "app.py"), "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
                             *extra], cwd=ROOT, env=env, preexec_fn=_die_with_parent)


async def healthy(port: int, timeout: float = CHECK_TIMEOUT) -> bool:
    """Whether the Streamlit process on 127.0.0.1:`port` answers its health check with 200 within `timeout`."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /_stcore/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            line = await reader.readline()
            return line.split(b" ")[1:2] == [b"200"]
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
    finally:
        if writer is not None:
            writer.close()


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"door signaal {signal.Signals(-code).name}"
        except ValueError:
            return f"door signaal {-code}"
    return f"met code {code}"


@dataclass
class Backend:
    index: int
    port: int
    proc: subprocess.Popen | None = None
    started: float = 0.0
    up: bool = False  # healthy since its last start
    last_ok: float = 0.0
    fails: int = 0  # failed health checks in a row
    failed_starts: int = 0  # starts in a row that never became healthy
    next_start: float = 0.0
    given_up: bool = False
    restarts: int = 0

    def name(self, pid: int | None = None) -> str:
        pid = pid if pid is not None else (self.proc.pid if self.proc else None)
        return f"Serverproces {self.index + 1} (poort {self.port}" + (f", pid {pid})" if pid else ")")


@dataclass
class Supervisor:
    ports: list[int]
    env: dict[str, str]
    extra: list[str]
    hang_after: float
    backends: list[Backend] = field(init=False)
    stopping: asyncio.Event = field(init=False)

    def __post_init__(self) -> None:
        self.backends = [Backend(i, p) for i, p in enumerate(self.ports)]
        self.stopping = asyncio.Event()
        self.own_proxy: Proxy | None = None

    def start(self, b: Backend, now: float) -> None:
        b.proc = start_backend(b.port, self.env, self.extra)
        b.started, b.up, b.fails = now, False, 0

    def kill(self, b: Backend) -> int | None:
        """SIGKILL (works on a stopped process too) and reap; the exit code."""
        if b.proc is None:
            return None
        try:
            b.proc.kill()
        except ProcessLookupError:
            pass
        code = b.proc.wait()
        b.proc = None
        return code

    def lost(self, b: Backend, now: float, pid: int, why: str) -> None:
        """`b` stopped or was killed: restart it at once if it had come up, else after a back-off (or give it up)."""
        if self.own_proxy is not None:
            self.own_proxy.down.add(b.index)
        if b.up:
            b.failed_starts, b.next_start = 0, now
            log(f"{b.name(pid)} {why}; het wordt opnieuw gestart.", error=True)
        else:
            b.failed_starts += 1
            if b.failed_starts >= MAX_FAILED_STARTS:
                b.given_up = True
                log(f"{b.name(pid)} {why}; na {b.failed_starts} mislukte starts achter elkaar wordt het niet meer gestart.",
                    error=True)
            else:
                wait = min(2 ** (b.failed_starts - 1), 30)
                b.next_start = now + wait
                log(f"{b.name(pid)} {why}; nieuwe poging over {wait} s.", error=True)
        b.up = False

    async def check(self, b: Backend) -> None:
        now = time.monotonic()
        if b.given_up:
            return
        if b.proc is None:
            if now >= b.next_start:
                if b.started:
                    b.restarts += 1
                self.start(b, now)
                if b.restarts:
                    log(f"{b.name()} is opnieuw gestart.")
            return
        code = b.proc.poll()
        if code is not None:
            pid, b.proc = b.proc.pid, None
            self.lost(b, now, pid, f"is gestopt {describe_exit(code)}")
            return
        if await healthy(b.port):
            b.fails, b.last_ok = 0, time.monotonic()
            if not b.up:
                b.up, b.failed_starts = True, 0
                if b.restarts:
                    log(f"{b.name()} draait weer en antwoordt.")
            if self.own_proxy is not None:
                self.own_proxy.down.discard(b.index)
            return
        b.fails += 1
        now = time.monotonic()
        if b.up and b.fails >= DOWN_AFTER and self.own_proxy is not None:
            self.own_proxy.down.add(b.index)
        if b.up and now - b.last_ok >= self.hang_after:
            pid = b.proc.pid
            self.kill(b)
            self.lost(b, now, pid, f"antwoordde {now - b.last_ok:.0f} s niet (vastgelopen) en is gestopt")
        elif not b.up and now - b.started >= START_TIMEOUT:
            pid = b.proc.pid
            self.kill(b)
            self.lost(b, now, pid, f"kwam niet op binnen {START_TIMEOUT:.0f} s en is gestopt")

    async def watch(self) -> None:
        """Check every process every CHECK_EVERY seconds until stopped or every process is given up."""
        while not self.stopping.is_set():
            await asyncio.gather(*(self.check(b) for b in self.backends))
            if all(b.given_up for b in self.backends):
                return
            try:
                await asyncio.wait_for(self.stopping.wait(), CHECK_EVERY)
            except TimeoutError:
                pass

    async def first_up(self, deadline: float = 60.0) -> bool:
        """Wait until every process is up, or at least one when `deadline` seconds have passed (then the others keep
        being started in the background); False when stopped or all given up first."""
        t0 = time.monotonic()
        while not self.stopping.is_set():
            if all(b.given_up for b in self.backends):
                return False
            ups = [b.up for b in self.backends if not b.given_up]
            if all(ups) or (any(ups) and time.monotonic() - t0 > deadline):
                return True
            await asyncio.sleep(0.2)
        return False

    def stop_all(self) -> None:
        """SIGTERM to every process (SIGCONT too: a stopped one handles it only when it runs), SIGKILL after STOP_GRACE."""
        procs = [b.proc for b in self.backends if b.proc is not None]
        for p in procs:
            for sig in (signal.SIGTERM, signal.SIGCONT):
                try:
                    p.send_signal(sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for b in self.backends:
            b.proc = None


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def port_problem(address: str, port: int) -> str | None:
    """Why `address`:`port` cannot be listened on (in Dutch), or None when it can."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return (f"Poort {port} op {address} is al in gebruik, misschien door een portaal dat nog draait. Stop dat "
                        f"eerst, of kies een andere poort met --poort.")
            if e.errno == errno.EACCES:
                return (f"Poort {port} mag alleen de beheerder (root) openen. Kies een poort vanaf 1024, of geef dit "
                        "proces het recht daartoe (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE).")
            if e.errno == errno.EADDRNOTAVAIL:
                return f"Het adres {address} hoort niet bij deze computer; kies een ander met --adres."
            return f"Op {address}:{port} kan niet worden geluisterd: {e.strerror}."
    return None


def choose_proxy(kind: str, address: str) -> tuple[str | None, str | None]:
    """('haproxy', path) or ('eigen', None), or (None, a Dutch message saying what to do)."""
    found = haproxy.find()
    if kind in ("auto", "haproxy") and found:
        return "haproxy", found
    if kind == "haproxy":
        return None, ("HAProxy is niet geïnstalleerd. Installeer het met `sudo apt-get install haproxy` (of start "
                      "`python3 dev.py serve` één keer als root: dan installeert het dat zelf).")
    if not is_loopback(address):
        return None, (f"Op {address} hoort een beproefde proxy voor het portaal: installeer HAProxy met `sudo apt-get "
                      "install haproxy` (of start `python3 dev.py serve` één keer als root: dan installeert het dat zelf). "
                      "Zonder HAProxy kan het portaal alleen op deze computer draaien: --adres 127.0.0.1.")
    return "eigen", None


async def run(args: argparse.Namespace, extra: list[str]) -> int:
    kind, found = choose_proxy(args.proxy, args.adres)
    if kind is None:
        log(found, error=True)
        return 2
    if kind == "eigen" and args.proxy == "auto":
        log("HAProxy is niet geïnstalleerd: de eenvoudige eigen proxy draait, alleen voor deze computer. Voor gebruik "
            "door anderen: `sudo apt-get install haproxy`.")
    if args.certificaat and kind != "haproxy":
        log("HTTPS (--certificaat) kan alleen met HAProxy: installeer het met `sudo apt-get install haproxy`.", error=True)
        return 2
    if args.certificaat and not os.access(args.certificaat, os.R_OK):
        log(f"Het certificaat {args.certificaat} bestaat niet of is niet leesbaar (een PEM-bestand met certificaat en "
            "sleutel).", error=True)
        return 2
    problem = port_problem(args.adres, args.poort)
    if args.eerste_interne_poort:
        ports = [args.eerste_interne_poort + i for i in range(args.processen)]
        problem = problem or next((f"Interne poort {p} (voor de serverprocessen) is al in gebruik, misschien door een "
                                   f"portaal dat nog draait. Stop dat eerst, of kies andere met --eerste-interne-poort."
                                   for p in ports if port_problem("127.0.0.1", p)), None)
    else:
        ports = []
        while len(ports) < args.processen:
            if (p := free_port()) not in ports and p != args.poort:
                ports.append(p)
    if problem:
        log(problem, error=True)
        return 2

    secret = secrets.token_hex(32)
    cfg = None
    if kind == "haproxy":
        cfg = haproxy.write(args.adres, args.poort, ports, secret, settings.warehouse.parent,
                            Path(args.certificaat) if args.certificaat else None)
        checked = subprocess.run([found, "-c", "-f", str(cfg)], capture_output=True, text=True)
        if checked.returncode != 0:
            log(f"De configuratie van HAProxy ({cfg}) is afgekeurd:\n{checked.stdout}{checked.stderr}", error=True)
            return 2

    sup = Supervisor(ports, backend_env(secret, secrets.token_hex(16)), extra, args.vastgelopen_na)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, sup.stopping.set)
    watcher = asyncio.create_task(sup.watch())
    proxy_proc: subprocess.Popen | None = None
    server: asyncio.Server | None = None
    code = 0
    try:
        if not await sup.first_up():
            if sup.stopping.is_set():
                return 0
            log("Geen enkel serverproces kwam op; het portaal stopt (zie de meldingen hierboven).", error=True)
            return 1
        if kind == "haproxy":
            proxy_proc = subprocess.Popen([found, "-db", "-f", str(cfg)], preexec_fn=_die_with_parent)
        else:
            sup.own_proxy = Proxy([("127.0.0.1", p) for p in ports], secret)
            sup.own_proxy.down.update(b.index for b in sup.backends if not b.up)
            server = await sup.own_proxy.serve(args.adres, args.poort)
        scheme = "https" if args.certificaat else "http"
        log(f"Portaal: {scheme}://{args.adres}:{args.poort} ({args.processen} serverproces{'' if args.processen == 1 else 'sen'} "
            f"op poort {', '.join(map(str, ports))}; proxy: {'HAProxy, configuratie ' + str(cfg) if cfg else 'eigen proxy'})")
        while not sup.stopping.is_set():
            if watcher.done():
                log("Geen enkel serverproces blijft draaien; het portaal stopt met code 1, zodat een supervisor "
                    "(systemd) het opnieuw kan starten.", error=True)
                code = 1
                break
            if proxy_proc is not None and (pc := proxy_proc.poll()) is not None:
                log(f"De proxy (HAProxy) is gestopt {describe_exit(pc)}; het portaal stopt met code 1, zodat een "
                    "supervisor (systemd) het opnieuw kan starten.", error=True)
                proxy_proc, code = None, 1
                break
            try:
                await asyncio.wait_for(sup.stopping.wait(), 0.5)
            except TimeoutError:
                pass
        if sup.stopping.is_set():
            log("Gestopt op verzoek (SIGTERM of Ctrl-C): de proxy en alle serverprocessen stoppen.")
        return code
    finally:
        sup.stopping.set()
        watcher.cancel()
        if proxy_proc is not None:
            proxy_proc.terminate()
            try:
                proxy_proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                proxy_proc.kill()
                proxy_proc.wait()
        if server is not None:
            server.close()
        sup.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py serve", description="Portaal met meerdere serverprocessen achter een proxy")
    parser.add_argument("--processen", type=int, default=os.cpu_count() or 2, help="aantal Streamlit-processen (standaard: één per core)")
    parser.add_argument("--poort", type=int, default=8501)
    parser.add_argument("--adres", default="0.0.0.0")
    parser.add_argument("--eerste-interne-poort", type=int, default=8601, help="poorten van de processen op 127.0.0.1 (0: vrije poorten)")
    parser.add_argument("--proxy", choices=("auto", "haproxy", "eigen"), default="auto",
                        help="auto: HAProxy als het is geïnstalleerd, anders de eigen proxy (alleen op 127.0.0.1)")
    parser.add_argument("--certificaat", help="PEM-bestand met certificaat en sleutel: HTTPS, door HAProxy")
    parser.add_argument("--vastgelopen-na", type=float, default=30.0,
                        help="seconden zonder antwoord waarna een proces als vastgelopen wordt herstart")
    args, extra = parser.parse_known_args(argv)
    if args.processen < 1:
        parser.error("--processen moet minstens 1 zijn")
    if args.proxy == "eigen" and not is_loopback(args.adres):
        log("De eigen proxy is alleen voor deze computer (--adres 127.0.0.1). Voor gebruik door anderen: installeer "
            "HAProxy (`sudo apt-get install haproxy`) en start zonder --proxy eigen.", error=True)
        return 2
    try:
        return asyncio.run(run(args, extra))
    except KeyboardInterrupt:  # a Ctrl-C before the signal handlers were set
        return 0


if __name__ == "__main__":
    sys.exit(main())
