"""Our own sticky proxy (the zero-setup choice on a laptop): a new browser is pinned by a cookie, keeps its process for
plain requests and websockets, new browsers are spread, a process that is down or marked down is skipped, a head over
64 KiB gets 431 and a 5 000-digit cookie is just ignored. A real portal page runs through `serve` (HAProxy, and our
own proxy) with two Streamlit processes (measured by `bench belasting --processen 2`). The proxy passes the client's
real address, signed; a portal without accounts behind it refuses other machines, and a forged address does not pass.
HAProxy and the supervision of `serve`: tests/test_serve.py.

Another machine is played by a connection from 127.0.0.2: the same machine's loopback, but not one of the two addresses
Streamlit (and so the portal) counts as this machine, 127.0.0.1 and ::1."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


import pytest

from portal import haproxy
from portal.paths import ROOT
from portal.proxy import CLIENT_HEADER, COOKIE, Proxy, sign, verify
from portal.serve import free_port, wait_healthy
from portal.userdata import UserData

ELSEWHERE = "127.0.0.2"
REFUSED = "alleen te gebruiken op de computer waarop het draait"


async def backend(name: str, heads: list[bytes] | None = None) -> tuple[asyncio.Server, int]:
    """A tiny HTTP/1.1 server that answers with its name and, after an Upgrade request, echoes raw bytes back. It keeps
    the request heads it got in `heads`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            if heads is not None:
                heads.append(head)
            if b"upgrade: websocket" in head.lower():
                writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                while data := await reader.read(1024):
                    writer.write(name.encode() + b":" + data)
                    await writer.drain()
                break
            body = name.encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def get(port: int, cookie: str | None = None, n: int = 1) -> tuple[list[str], str | None]:
    """n keep-alive requests on one connection: the bodies and the cookie the proxy set (if any)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    bodies, set_cookie = [], None
    for _ in range(n):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n" + (f"Cookie: a=b; {COOKIE}={cookie}\r\n".encode() if cookie else b"") + b"\r\n")
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        m = re.search(rf"Set-Cookie: {COOKIE}=(\d+)", head)
        set_cookie = set_cookie or (m.group(1) if m else None)
        length = int(re.search(r"Content-Length: (\d+)", head).group(1))
        bodies.append((await reader.readexactly(length)).decode())
    writer.close()
    return bodies, set_cookie


def test_sticky_spread_websocket_and_failover() -> None:
    async def scenario() -> None:
        (a, pa), (b, pb) = await backend("A"), await backend("B")
        proxy = await Proxy([("127.0.0.1", pa), ("127.0.0.1", pb)], "geheim").serve("127.0.0.1", 0)
        port = proxy.sockets[0].getsockname()[1]
        # a new browser gets a process and a cookie; keep-alive requests on its connection stay there
        bodies, cookie = await get(port, n=3)
        assert cookie is not None and len(set(bodies)) == 1
        first = bodies[0]
        # with its cookie it always comes back to the same process, and no new cookie is set
        for _ in range(5):
            again, reset = await get(port, cookie)
            assert again == [first] and reset is None
        # new browsers arriving together are spread over the processes (fewest open connections first)
        conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
        for _, w in conns:
            w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        names = set()
        for r, _ in conns:
            head = await r.readuntil(b"\r\n\r\n")
            names.add((await r.readexactly(int(re.search(rb"Content-Length: (\d+)", head).group(1)))).decode())
        for _, w in conns:
            w.close()
        assert names == {"A", "B"}
        # browsers arriving one after the other, each closing again, take turns
        assert {(await get(port))[1] for _ in range(4)} == {"0", "1"}
        # a websocket upgrade with the cookie is piped to the pinned process, both ways
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(f"GET /_stcore/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: {COOKIE}={cookie}\r\n\r\n".encode())
        assert b"101 Switching Protocols" in await r.readuntil(b"\r\n\r\n")
        w.write(b"hallo")
        assert await r.readexactly(7) == f"{first}:hallo".encode()
        w.close()
        # the pinned process goes down: the browser is moved to the other one and gets its cookie
        b.close()
        await b.wait_closed()
        moved, new_cookie = await get(port, "1")
        assert moved == ["A"] and new_cookie == "0"
        a.close()
        await a.wait_closed()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert "503" in (await reader.read()).decode().splitlines()[0]
        proxy.close()

    asyncio.run(scenario())


def test_portal_through_two_processes(built: Path) -> None:
    """`portal.serve` with two Streamlit processes on a copy of the warehouse: twenty profile sessions through the proxy
    all finish without an exception (the spreading itself is tested above)."""
    from portal.tools.loadclient import burst, free_port, gemeenten, queries, wait_healthy

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(built, Path(tmp) / "warehouse.db")
        port, first = free_port(), free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), PORTAL_DATA_DIR=tmp)
        proc = subprocess.Popen([sys.executable, "-m", "portal.serve", "--processen", "2", "--poort", str(port), "--adres", "127.0.0.1",
                                 "--eerste-interne-poort", str(first), "--server.fileWatcherType", "none"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(f"http://127.0.0.1:{port}")
            outs = asyncio.run(burst(f"http://127.0.0.1:{port}", queries(gemeenten(Path(tmp) / "warehouse.db"), 20, 3)))
            assert [o.error for o in outs if o.error] == []
            # the whole first screen: its last heading (the older cards and the sections below are built when opened)
            assert all("Reductiepotentieel" in o.texts and o.elements >= 35 for o in outs), [(o.elements, o.texts) for o in outs][:2]
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_own_proxy_answers_a_too_large_head_and_ignores_a_huge_cookie_and_skips_a_marked_backend() -> None:
    async def scenario() -> None:
        (a, pa), (b, pb) = await backend("A"), await backend("B")
        proxy = Proxy([("127.0.0.1", pa), ("127.0.0.1", pb)], "geheim")
        server = await proxy.serve("127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Groot: " + b"a" * 70_000 + b"\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 10)).startswith(b"HTTP/1.1 431 ")
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + COOKIE.encode() + b"=" + b"9" * 5000 + b"\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 200 ") and re.search(rf"Set-Cookie: {COOKIE}=[01];".encode(), head)
        writer.close()
        proxy.down.add(1)  # serve's health check found B not answering: even its own browsers go to A
        assert [(await get(port, cookie))[0] for cookie in ("1", None, None)] == [["A"]] * 3
        server.close()
        a.close()
        b.close()

    asyncio.run(scenario())


def client_headers(head: bytes) -> list[str]:
    return re.findall(rf"(?im)^{CLIENT_HEADER}\s*:\s*(.*?)\r$", head.decode())


def test_the_proxy_passes_the_real_client_address_signed_and_drops_the_clients_own() -> None:
    async def scenario() -> None:
        heads: list[bytes] = []
        server, pa = await backend("A", heads)
        proxy = await Proxy([("127.0.0.1", pa)], "geheim").serve("127.0.0.1", 0)
        port = proxy.sockets[0].getsockname()[1]
        forged = sign("127.0.0.1", "ander-geheim")  # well formed, but not signed with the proxy's secret
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ELSEWHERE, 0))
        for extra in (f"{CLIENT_HEADER}: {forged}\r\nx-portaal-client : 127.0.0.1\r\n  vervolg\r\n"
                      "X-Forwarded-For: 127.0.0.1\r\n", f"{CLIENT_HEADER}: {forged}\r\n"):
            writer.write(f"GET / HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(int(re.search(rb"Content-Length: (\d+)", head).group(1)))
        writer.close()
        # the first request on the connection carries only the proxy's header, with the real address, signed
        assert client_headers(heads[0]) == [sign(ELSEWHERE, "geheim")] and b"vervolg" not in heads[0]
        assert verify(client_headers(heads[0])[0], "geheim") == ELSEWHERE
        # a later request on the same connection is piped unchanged: the client's own header does not verify
        assert client_headers(heads[1]) == [forged] and verify(forged, "geheim") is None
        for value in (None, "", "127.0.0.1", "127.0.0.1 " + "0" * 64, sign(ELSEWHERE, "geheim") + "0"):
            assert verify(value, "geheim") is None
        assert verify(sign("127.0.0.1", "geheim"), "") is None
        proxy.close()
        server.close()

    asyncio.run(scenario())


def kept_alive(port: int) -> socket.socket:
    """A connection from 'another machine' that has already had one plain request answered (the health check)."""
    sock = socket.create_connection(("127.0.0.1", port), source_address=(ELSEWHERE, 0))
    sock.sendall(b"GET /_stcore/health HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock.recv(1)
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    while length:
        length -= len(sock.recv(length))
    return sock


NEEDS_HAPROXY = pytest.mark.skipif(haproxy.find() is None, reason="HAProxy ontbreekt (apt-get install haproxy)")


@pytest.mark.parametrize("accounts, proxy", [pytest.param(False, "haproxy", marks=NEEDS_HAPROXY),
                                             pytest.param(True, "haproxy", marks=NEEDS_HAPROXY), (False, "eigen")])
def test_serve_without_accounts_refuses_other_machines_and_forged_addresses(small_built: Path, accounts: bool,
                                                                            proxy: str) -> None:
    """`portal.serve` without accounts (or whose last account is removed while it runs) and any address: the
    Visitaties page works on this machine, and refuses other machines, also when they claim to be 127.0.0.1 through the
    proxy (their own client header or X-Forwarded-For, on a new or a kept-alive connection) or straight to a backend.
    On the small snapshot set's warehouse (tests/conftest.py): the figures play no part, and it loads faster."""
    from portal.tools.loadclient import open_page

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(small_built, Path(tmp) / "warehouse.db")
        ud = UserData(Path(tmp) / "userdata.db")
        if accounts:
            ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
        port, first = free_port(), free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), PORTAL_DATA_DIR=tmp)
        env.pop("PORTAL_OPENBAAR", None)
        proc = subprocess.Popen([sys.executable, "-m", "portal.serve", "--processen", "1", "--poort", str(port), "--adres", "127.0.0.1",
                                 "--eerste-interne-poort", str(first), "--proxy", proxy, "--server.fileWatcherType", "none"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(f"http://127.0.0.1:{port}")
            proxied, direct = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{first}"
            forged = {CLIENT_HEADER: sign("127.0.0.1", "geraden"), "X-Forwarded-For": "127.0.0.1"}

            def texts(base: str, **connect) -> list[str]:
                out = asyncio.run(open_page(base, "visitatie", "", timeout=120, **connect))
                assert not out.error, out.error
                return out.texts

            if accounts:  # the login form for everyone; then the last account goes while the portal runs
                assert "Inloggen" in texts(proxied, local_addr=(ELSEWHERE, 0))
                assert ud.remove_account("anna") and not ud.has_accounts()
            here = texts(proxied)
            assert "Visitaties" in here and not [t for t in here if REFUSED in t]
            for base, connect in ((proxied, {"local_addr": (ELSEWHERE, 0)}),
                                  (proxied, {"local_addr": (ELSEWHERE, 0), "additional_headers": forged}),
                                  (proxied, {"sock": kept_alive(port), "additional_headers": forged}),
                                  (direct, {"additional_headers": forged})):
                shown = texts(base, **connect)
                assert [t for t in shown if REFUSED in t] and "Visitaties" not in shown, (base, connect)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_without_haproxy_serve_uses_its_own_proxy_on_this_machine_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal import serve

    monkeypatch.setattr(haproxy, "find", lambda: None)
    assert serve.choose_proxy("auto", "127.0.0.1") == ("eigen", None)
    for kind, address in (("auto", "0.0.0.0"), ("haproxy", "127.0.0.1"), ("auto", "192.0.2.10")):
        chosen, message = serve.choose_proxy(kind, address)
        assert chosen is None and "apt-get install haproxy" in message, (kind, address)
