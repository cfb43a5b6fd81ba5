"""`dev.py serve` as a service: HAProxy in front of two Streamlit processes, supervised by portal/serve.py.

- HAProxy with the configuration serve writes (portal/haproxy.py), in front of two tiny stub backends: a browser stays
  on its backend by cookie, every request carries the client's real address signed and in X-Forwarded-For (also a
  later request on a kept-alive connection, whatever the client sends itself), and bad request heads get 400 (too
  large, a bare CR), 408 (not complete in time) or, for a bare LF, an answer at once instead of a hang.
- The real thing, started with the command of the systemd unit in the README: a Streamlit session goes through and
  stays on its process; a process killed with SIGKILL is restarted and logged, and the browser that was on it is told
  that its connection was renewed; a SIGSTOPped process is taken out by HAProxy within seconds (new browsers reach the
  other one) and restarted by serve; SIGTERM stops serve with code 0 and leaves no process behind.
- serve gives up with code 1 when no process can be started; a port in use gets a Dutch message and code 2.
- The systemd unit of the README passes `systemd-analyze verify`.

Timings are printed, not asserted tightly: the test machine has 2 cores and runs two test processes at once.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from portal import haproxy
from portal.paths import ROOT
from portal.proxy import CLIENT_HEADER, COOKIE, sign, verify
from portal.serve import free_port, wait_healthy
from portal.tools.loadclient import descendants, process_table
from portal.ui import login
from portal.ui.verbinding import VERNIEUWD
from tests.test_proxy import ELSEWHERE, backend

HAPROXY = haproxy.find()
if HAPROXY is None:
    reason = "HAProxy ontbreekt (apt-get install haproxy); `python3 dev.py test` installeert het als root"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

SECRET = "test-geheim"


def wait_for(condition, timeout: float, what: str, every: float = 0.25):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"niet binnen {timeout:.0f} s: {what}")
        time.sleep(every)


def states(sock: Path) -> dict[str, str]:
    try:
        return haproxy.server_states(sock)
    except OSError:
        return {}


def raw(port: int, request: bytes, timeout: float = 30, source: str | None = None) -> tuple[bytes, float]:
    """Send `request` on a new connection; the response (its head and Content-Length bytes of body, or all until the
    server closes) and the seconds until its first bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0) if source else None) as s:
        t0 = time.monotonic()
        s.sendall(request)
        data = s.recv(65536)
        first = time.monotonic() - t0
        while True:
            head, sep, rest = data.partition(b"\r\n\r\n")
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if sep and m and len(rest) >= int(m.group(1)):
                return data, first
            chunk = s.recv(65536)
            if not chunk:
                return data, first
            data += chunk


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def set_cookie(response: bytes) -> str | None:
    m = re.search(rb"(?i)set-cookie: " + COOKIE.encode() + rb"=(\w+)", response)
    return m.group(1).decode() if m else None


# -- HAProxy with serve's configuration, in front of stub backends --------------------------------------------------

def run_stub_backends(n: int, heads: list[list[bytes]]):
    """n stub HTTP backends (tests/test_proxy.py) on a loop in a thread of their own; (loop, ports, servers)."""
    import threading

    loop = asyncio.new_event_loop()
    started = threading.Event()
    result: dict = {}

    async def start() -> None:
        made = [await backend(chr(ord("A") + i), heads[i]) for i in range(n)]
        result["servers"], result["ports"] = [m[0] for m in made], [m[1] for m in made]
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    started.wait(10)
    return loop, result["ports"], result["servers"], thread


def stop_stub_backends(loop, servers, thread) -> None:
    async def close() -> None:
        for server in servers:
            server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def haproxy_stubs():
    """HAProxy with the configuration of portal/haproxy.py in front of two stub backends named A and B."""
    heads: list[list[bytes]] = [[], []]
    loop, ports, servers, thread = run_stub_backends(2, heads)
    port = free_port()
    short = Path(tempfile.mkdtemp(prefix="haproxy-"))  # see data_copy
    cfg = haproxy.write("127.0.0.1", port, ports, SECRET, short)
    proc = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = haproxy.socket_path(short / "run", port)
    assert sock is not None
    try:
        wait_for(lambda: states(sock) and all(s.startswith("UP") for s in states(sock).values()), 30, "backends UP")
        yield port, heads, sock, (loop, servers)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        stop_stub_backends(loop, servers, thread)
        shutil.rmtree(short, ignore_errors=True)


def haproxy_version() -> tuple[int, int]:
    out = subprocess.run([HAPROXY, "-v"], capture_output=True, text=True).stdout
    return tuple(int(x) for x in re.search(r"version (\d+)\.(\d+)", out).groups())


def body(response: bytes) -> str:
    return response.split(b"\r\n\r\n", 1)[1].decode(errors="replace")


def test_haproxy_keeps_a_browser_on_its_backend_and_passes_the_signed_address_on_every_request(haproxy_stubs) -> None:
    port, heads, sock, _ = haproxy_stubs
    first, _ = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", source=ELSEWHERE)
    cookie = set_cookie(first)
    assert status(first) == 200 and cookie in ("0", "1")
    name = body(first)
    for _ in range(4):  # with its cookie the browser stays, and no new cookie is set
        again, _ = raw(port, f"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b; {COOKIE}={cookie}\r\n\r\n".encode())
        assert body(again) == name and set_cookie(again) is None
    # new browsers are spread over both backends
    assert {set_cookie(raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")[0]) for _ in range(4)} == {"0", "1"}

    # a client from another address claims to be this machine, on every request of a kept-alive connection
    index = int(cookie)
    seen = len(heads[index])
    forged = sign("127.0.0.1", "geraden")
    with socket.create_connection(("127.0.0.1", port), source_address=(ELSEWHERE, 0)) as s:
        for _ in range(2):
            s.sendall(f"GET / HTTP/1.1\r\nHost: x\r\nCookie: {COOKIE}={cookie}\r\n{CLIENT_HEADER}: {forged}\r\n"
                      f"X-Forwarded-For: 127.0.0.1\r\n\r\n".encode())
            data = b""
            while not data.endswith(name.encode()):
                data += s.recv(4096)
    got = [h.decode() for h in heads[index][seen:] if not h.startswith(b"GET /_stcore/health")]
    assert len(got) == 2
    for head in got:
        assert re.findall(rf"(?im)^{CLIENT_HEADER}: (.*?)\r$", head) == [sign(ELSEWHERE, SECRET)]
        assert verify(sign(ELSEWHERE, SECRET), SECRET) == ELSEWHERE
        assert re.findall(r"(?im)^x-forwarded-for: (.*?)\r$", head) == [ELSEWHERE]
    # and the health checks HAProxy makes are what serve expects
    assert any(h.startswith(b"GET /_stcore/health HTTP/1.1") for h in heads[0])


def test_haproxy_answers_bad_request_heads_at_once(haproxy_stubs) -> None:
    port, heads, _, _ = haproxy_stubs
    big = b"a" * 70_000
    for what, request in (("een kopregel van 70 KB", b"GET / HTTP/1.1\r\nHost: x\r\nX-Groot: " + big + b"\r\n\r\n"),
                          ("een cookie van 70 KB", b"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=" + big + b"\r\n\r\n"),
                          ("een losse CR", b"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n")):
        response, seconds = raw(port, request)
        print(f"{what}: {status(response)} na {seconds:.2f} s")
        assert status(response) in (400, 431) and seconds < 10, (what, response[:80])
        # Dutch only from HAProxy 3.2 on: before, errors found while reading a head skip `errorfile` (haproxy#3032)
        if haproxy_version() >= (3, 2):
            assert "Laad de pagina opnieuw" in body(response), response
    # our own proxy failed on a 5 000-digit server cookie: HAProxy ignores a value it did not set and sets its own
    response, _ = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + COOKIE.encode() + b"=" + b"9" * 5000 + b"\r\n\r\n")
    assert status(response) == 200 and set_cookie(response) in ("0", "1")
    # a head with bare LF line ends (allowed to a recipient by RFC 9112 2.2) is answered at once, not after 30 s, and the
    # backend gets it with CRLF line ends: nothing is smuggled past the proxy
    response, seconds = raw(port, b"GET /lf HTTP/1.1\nHost: x\nX-Regel: een\n\n")
    print(f"kale LF: {status(response)} na {seconds:.2f} s")
    assert status(response) in (200, 400)
    if status(response) == 200:
        lf = next(h for hs in heads for h in hs if h.startswith(b"GET /lf"))
        assert b"\nx-regel: een\r\n" in lf.lower() and b"\n\n" not in lf
    # a head that is not complete within 10 s (slowloris) gets 408 and is closed
    response, seconds = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Traag: ", timeout=60)
    print(f"onvolledige kop: {status(response)} na {seconds:.1f} s")
    assert status(response) == 408


def test_haproxy_takes_a_hung_backend_out_and_moves_its_browsers(haproxy_stubs) -> None:
    """A backend that accepts connections but never answers (like a SIGSTOPped process) is DOWN within seconds; its
    browsers and new ones reach the other backend."""
    port, heads, sock, (loop, servers) = haproxy_stubs

    async def hang(server) -> None:  # stop answering: close the listening socket and open one that never reads
        port_b = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        hung = socket.socket()
        hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hung.bind(("127.0.0.1", port_b))
        hung.listen(100)
        servers.append(hung)

    t0 = time.monotonic()
    asyncio.run_coroutine_threadsafe(hang(servers[1]), loop).result(10)
    wait_for(lambda: states(sock).get("s1", "").startswith("DOWN"), 60, "s1 DOWN")
    print(f"vastgelopen backend uit de rotatie na {time.monotonic() - t0:.1f} s")
    for cookie in ("1", None, None, None):
        response, seconds = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n" + (f"Cookie: {COOKIE}={cookie}\r\n".encode() if cookie else b"")
                                + b"\r\n", timeout=20)
        assert status(response) == 200 and body(response) == "A" and set_cookie(response) == "0"
    servers[-1].close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl ontbreekt (een testcertificaat maken)")
def test_haproxy_ends_tls_with_the_certificate_given() -> None:
    """`serve --certificaat`: HAProxy speaks HTTPS with that certificate; the stickiness cookie is then Secure."""
    import ssl

    heads: list[list[bytes]] = [[]]
    loop, ports, servers, thread = run_stub_backends(1, heads)
    short = Path(tempfile.mkdtemp(prefix="haproxy-"))
    pem = short / "portaal.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(short / "key.pem"), "-out", str(short / "cert.pem")], check=True, capture_output=True)
    pem.write_bytes((short / "cert.pem").read_bytes() + (short / "key.pem").read_bytes())
    port = free_port()
    proc = subprocess.Popen([HAPROXY, "-db", "-f", str(haproxy.write("127.0.0.1", port, ports, SECRET, short, pem))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sock = haproxy.socket_path(short / "run", port)
        wait_for(lambda: states(sock).get("s0", "").startswith("UP"), 30, "backend UP")
        context = ssl.create_default_context(cafile=str(short / "cert.pem"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw_sock:
            with context.wrap_socket(raw_sock, server_hostname="localhost") as tls:
                tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                response = tls.recv(65536)
        assert status(response) == 200 and body(response) == "A"
        assert re.search(rb"(?i)set-cookie: portaal_server=0;.*secure", response)
        assert b"x-forwarded-proto: https" in heads[0][-1].lower()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        stop_stub_backends(loop, servers, thread)
        shutil.rmtree(short, ignore_errors=True)


# -- serve itself, started as the systemd unit does ------------------------------------------------------------------

def readme_unit() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```ini\n(\[Unit\].*?ExecStart=.*?dev\.py serve.*?)```", text, re.S)
    assert m, "de README heeft een systemd-unit voor `dev.py serve`"
    return m.group(1)


def unit_command(unit: str) -> list[str]:
    """The unit's ExecStart, pointed at this checkout and this Python."""
    line = re.search(r"(?m)^ExecStart=(.*)$", unit).group(1).split()
    python, script, args = line[0], line[1], line[2:]
    assert Path(script).name == "dev.py" and args[0] == "serve"
    return [sys.executable, str(ROOT / "dev.py"), *args]


def with_option(cmd: list[str], option: str, value: str) -> list[str]:
    if option in cmd:
        cmd = list(cmd)
        cmd[cmd.index(option) + 1] = value
        return cmd
    return [*cmd, option, value]


def alive(pid: int) -> bool:
    state = process_table().get(pid)
    return state is not None and state[1] != "Z"


def backend_pid(serve_pid: int, port: int) -> int | None:
    for pid in descendants(serve_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd and alive(pid):
            return pid
    return None


class Served:
    """A running `dev.py serve` with its output collected."""

    def __init__(self, cmd: list[str], data: Path):
        self.log_path = data / "serve.log"
        self.log_file = open(self.log_path, "wb")
        env = dict(os.environ, PORTAL_DATA_DIR=str(data))
        env.pop("PORTAL_OPENBAAR", None)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ports(self) -> list[int]:
        m = wait_for(lambda: re.search(r"serverproces(?:sen)? op poort ([\d, ]+);", self.log()) or self.proc.poll() is not None,
                     180, "serve meldt het portaal")
        assert m is not True and m, self.log()
        return [int(p) for p in m.group(1).split(", ")]

    def close(self) -> None:
        """After a failed test: kill what is left of this serve, by process id (its children first)."""
        if self.proc.poll() is None:
            for pid in descendants(self.proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


@pytest.fixture
def data_copy(small_built: Path):
    """A data folder with a copy of a warehouse, at a short path: HAProxy's stats socket goes in its run/ folder, and
    a unix socket path has at most 97 bytes (pytest's tmp_path is longer). The warehouse of the small snapshot set
    (tests/conftest.py): these tests are about processes, sessions and signals, and each Streamlit process that
    opens its first page loads the warehouse (about a second less processor time for the small one)."""
    data = Path(tempfile.mkdtemp(prefix="serve-"))
    shutil.copy2(small_built, data / "warehouse.db")
    yield data
    shutil.rmtree(data, ignore_errors=True)


def open_page(base: str, page: str, retry: float = 0, **kw):
    """A session opening `page`; with `retry`, tried again for that many seconds, as Streamlit's frontend keeps
    reconnecting after its connection broke (a request that reached a process at the moment it died gets 502)."""
    from portal.tools.loadclient import open_page as open_

    deadline = time.monotonic() + retry
    while True:
        out = asyncio.run(open_(base, page, "", timeout=120, **kw))
        if not out.error or time.monotonic() > deadline:
            break
        print(f"opnieuw na: {out.error[:80]}")
        time.sleep(1)
    assert not out.error, out.error
    return out


def test_serve_keeps_sessions_restarts_failed_processes_and_stops_cleanly(data_copy: Path) -> None:
    port = free_port()
    cmd = with_option(with_option(unit_command(readme_unit()), "--poort", str(port)), "--adres", "127.0.0.1")
    cmd += ["--eerste-interne-poort", "0", "--vastgelopen-na", "15", "--server.fileWatcherType", "none"]
    served = Served(cmd, data_copy)
    try:
        ports = served.ports()
        base = f"http://127.0.0.1:{port}"
        sock = haproxy.socket_path(data_copy / "run", port)
        wait_for(lambda: len(states(sock)) == 2 and all(s.startswith("UP") for s in states(sock).values()), 60, "beide UP")
        # a session goes through, and with its cookie it stays on its process: a reconnect resumes the same session,
        # which lives in that process's memory only
        first, _ = raw(port, b"GET /_stcore/health HTTP/1.1\r\nHost: x\r\n\r\n")
        cookie = set_cookie(first)
        on = {"additional_headers": {"Cookie": f"{COOKIE}={cookie}"}}
        session = open_page(base, "bronnen", **on)
        assert "Bronnen en definities" in session.texts and VERNIEUWD not in session.texts
        again = open_page(base, "bronnen", last_session=session.session, **on)
        assert again.session == session.session and VERNIEUWD not in again.texts

        # its process is killed: serve logs it and starts it again; the browser's reconnect gets a new session (on the
        # other process or the restarted one) and the page says the connection was renewed
        victim = backend_pid(served.proc.pid, ports[int(cookie)])
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        renewed = open_page(base, "bronnen", retry=60, last_session=session.session, **on)
        assert renewed.session != session.session and VERNIEUWD in renewed.texts
        wait_for(lambda: "door signaal SIGKILL; het wordt opnieuw gestart" in served.log(), 60, "herstart gemeld")
        restarted = wait_for(lambda: (p := backend_pid(served.proc.pid, ports[int(cookie)])) and p != victim and p, 60,
                             "nieuw proces")
        wait_for(lambda: states(sock).get(f"s{cookie}", "").startswith("UP"), 120, "herstart proces weer UP")
        print(f"gedood proces vervangen en weer in de rotatie na {time.monotonic() - t0:.1f} s")

        # the other process hangs (SIGSTOP): HAProxy takes it out within seconds, new browsers reach the restarted one
        other = 1 - int(cookie)
        hung = backend_pid(served.proc.pid, ports[other])
        t0 = time.monotonic()
        os.kill(hung, signal.SIGSTOP)
        wait_for(lambda: states(sock).get(f"s{other}", "").startswith("DOWN"), 60, "vastgelopen proces DOWN")
        print(f"vastgelopen proces uit de rotatie na {time.monotonic() - t0:.1f} s")
        for _ in range(4):
            response, seconds = raw(port, b"GET /_stcore/health HTTP/1.1\r\nHost: x\r\n\r\n", timeout=30)
            assert status(response) == 200 and set_cookie(response) == cookie, response[:200]
        page = open_page(base, "bronnen", additional_headers={"Cookie": f"{COOKIE}={other}"})
        assert "Bronnen en definities" in page.texts
        # serve finds it hung and replaces it
        wait_for(lambda: "(vastgelopen) en is gestopt; het wordt opnieuw gestart" in served.log(), 90, "vastgelopen gemeld")
        wait_for(lambda: not alive(hung), 30, "vastgelopen proces weg")
        wait_for(lambda: states(sock).get(f"s{other}", "").startswith("UP"), 120, "vervangen proces weer UP")
        print(f"vastgelopen proces vervangen en weer in de rotatie na {time.monotonic() - t0:.1f} s")
        assert restarted

        # SIGTERM, as systemd stops it: exit code 0 and no process left
        children = descendants(served.proc.pid)
        assert len(children) == 3  # two Streamlit processes and HAProxy
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=60) == 0, served.log()
        wait_for(lambda: not any(alive(p) for p in children), 10, "geen proces over")
        assert "Traceback" not in served.log()
        assert port_free(port)
    finally:
        served.close()


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_serve_gives_up_with_code_1_when_no_process_starts(data_copy: Path) -> None:
    """What systemd's Restart=on-failure relies on: a serve that cannot keep any process alive ends, non-zero."""
    port = free_port()
    cmd = [sys.executable, "-m", "portal.serve", "--processen", "2", "--poort", str(port), "--adres", "127.0.0.1",
           "--eerste-interne-poort", "0", "--server.bestaatniet", "1"]  # Streamlit refuses an unknown option at once
    served = Served(cmd, data_copy)
    try:
        t0 = time.monotonic()
        assert served.proc.wait(timeout=240) == 1
        print(f"opgegeven na {time.monotonic() - t0:.0f} s")
        out = served.log()
        assert "niet meer gestart" in out and "Geen enkel serverproces kwam op" in out and "Traceback" not in out
        assert not descendants(served.proc.pid)
    finally:
        served.close()


def test_serve_says_in_dutch_that_a_port_is_in_use(data_copy: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["--poort", str(port)], ["--poort", str(free_port()), "--eerste-interne-poort", str(port)]):
            out = subprocess.run([sys.executable, "-m", "portal.serve", "--processen", "1", "--adres", "127.0.0.1", *args],
                                 cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), PORTAL_DATA_DIR=str(data_copy)),
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 2, out
            assert f"{port}" in out.stderr and "al in gebruik" in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_own_proxy_only_on_this_machine(data_copy: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "portal.serve", "--proxy", "eigen", "--adres", "0.0.0.0", "--poort", str(free_port())],
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), PORTAL_DATA_DIR=str(data_copy)),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "alleen voor deze computer" in out.stderr and "apt-get install haproxy" in out.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze ontbreekt (Debian-pakket systemd)")
def test_the_readme_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd-analyze verify works without systemd as PID 1; it reports problems on its output with exit code 0 for
    many of them (an unknown key, a bad Restart= value), so any output about the unit fails the test."""
    unit = readme_unit().replace("/opt/bijstandsportaal", str(ROOT)).replace("/var/lib/bijstandsportaal", str(tmp_path))
    unit = re.sub(r"(?m)^(User|Group)=.*$", lambda m: f"{m.group(1)}=root", unit)
    path = tmp_path / "bijstandsportaal.service"
    path.write_text(unit)
    out = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    mine = [line for line in (out.stdout + out.stderr).splitlines() if path.name in line]
    assert out.returncode == 0 and mine == [], out.stdout + out.stderr
    assert re.search(r"(?m)^Restart=on-failure$", unit) and re.search(r"(?m)^KillMode=mixed$", unit)


def test_a_browser_whose_process_died_is_told_its_connection_was_renewed(data_copy: Path) -> None:
    """In a real browser (Debian Chromium): logged in on Visitaties, its process is killed; the page reconnects by
    itself to the other process, and the user's next action there says the connection was renewed. The login continues
    (its cookie names a login session in the shared userdata.db, portal/ui/login.py); without that cookie the page asks
    to log in again.

    Not before that next action: Streamlit's frontend (1.67, App.handleConnectionStateChanged) asks for a script run on
    reconnecting only when it had no session yet or a run was under way; otherwise it expects the server to resume its
    session and leaves the page as it was. A process that never held that session starts a new, empty one that runs
    nothing until the browser sends its next action (with the values of the widgets on the page)."""
    from portal.userdata import UserData
    from tests.test_browser import CHROMIUM, chromium_page

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium ontbreekt (apt-get install chromium)")
    UserData(data_copy / "userdata.db").add_account("anna", "anna-wachtwoord", "visitatieteam")
    port = free_port()
    served = Served([sys.executable, "-m", "portal.serve", "--processen", "2", "--poort", str(port), "--adres", "127.0.0.1",
                     "--eerste-interne-poort", "0", "--server.fileWatcherType", "none"], data_copy)
    try:
        ports = served.ports()
        with chromium_page(1000) as page:
            def kill_and_act(expected: str) -> None:
                """Kill the process this browser's cookie names; once the page has reconnected (a new websocket), act
                (the menu link of this page: a run in the new session) and wait for `expected` at the top."""
                cookie = next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)
                with page.expect_websocket(timeout=90_000):
                    os.kill(backend_pid(served.proc.pid, ports[int(cookie)]), signal.SIGKILL)
                page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Visitaties").click()
                try:
                    page.get_by_text(expected, exact=True).wait_for(timeout=90_000)
                except Exception:  # what the browser shows instead, and what serve logged, for the failure report
                    print("adres:", page.url, "\npagina:", page.locator("body").inner_text()[:600],
                          "\nserve:", served.log()[-3000:])
                    raise

            page.goto(f"http://127.0.0.1:{port}/visitatie")
            page.get_by_role("textbox", name="Gebruikersnaam").fill("anna", timeout=90_000)
            page.get_by_role("textbox", name="Wachtwoord").fill("anna-wachtwoord")
            page.get_by_role("button", name="Inloggen").click()
            page.get_by_text("Ingelogd als").wait_for(timeout=90_000)
            assert page.get_by_text(VERNIEUWD).count() == 0
            wait_for(lambda: any(c["name"] == login.COOKIE for c in page.context.cookies()), 30, "inlogcookie")
            kill_and_act(VERNIEUWD)
            page.get_by_text("Ingelogd als anna").wait_for(timeout=90_000)  # still logged in, in the other process
            assert page.get_by_role("heading", name="Inloggen").count() == 0

            page.context.clear_cookies(name=login.COOKIE)  # without the login cookie: asked to log in again
            kill_and_act(VERNIEUWD + " Log opnieuw in.")
            page.get_by_role("heading", name="Inloggen").wait_for(timeout=90_000)  # the login form below it
    finally:
        served.proc.terminate()
        served.proc.wait(timeout=60)
        served.close()


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 0), (signal.SIGKILL, -signal.SIGKILL)], ids=["ctrl-c", "kill-9"])
def test_ctrl_c_or_a_killed_serve_leaves_no_process(data_copy: Path, sig: int, code: int) -> None:
    """SIGINT (Ctrl-C in a terminal) stops serve with code 0, HAProxy and the Streamlit process with it; a serve that is
    killed outright (SIGKILL, no chance to clean up) leaves none either: the kernel kills its children
    (PR_SET_PDEATHSIG)."""
    port = free_port()
    served = Served([sys.executable, "-m", "portal.serve", "--processen", "1", "--poort", str(port), "--adres", "127.0.0.1",
                     "--eerste-interne-poort", "0", "--server.fileWatcherType", "none"], data_copy)
    try:
        served.ports()
        children = descendants(served.proc.pid)
        assert len(children) == 2
        served.proc.send_signal(sig)
        assert served.proc.wait(timeout=60) == code, served.log()
        wait_for(lambda: not any(alive(p) for p in children), 20, "geen proces over")
        assert "Traceback" not in served.log()
        wait_for(lambda: port_free(port), 20, "poort vrij")
    finally:
        served.close()


def test_sigterm_to_dev_py_start_stops_the_portal_and_frees_its_port(data_copy: Path) -> None:
    """`python3 dev.py start` (one Streamlit, no proxy) passes systemd's or docker's SIGTERM on to the portal: nothing
    keeps running or holds the port."""
    port = free_port()
    served = Served([sys.executable, "dev.py", "start", "--server.port", str(port), "--server.headless", "true",
                     "--server.fileWatcherType", "none"], data_copy)
    children: list[int] = []
    try:
        wait_healthy(f"http://127.0.0.1:{port}", timeout=120)
        children = descendants(served.proc.pid)
        assert children
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=60) == 0, served.log()
        wait_for(lambda: not any(alive(p) for p in children), 20, "geen proces over")
        wait_for(lambda: port_free(port), 20, "poort vrij")
        assert "Traceback" not in served.log()
    finally:
        served.close()
        for pid in children:  # what a failed stop left behind, once dev.py itself is gone
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
