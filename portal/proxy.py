"""A small reverse proxy of our own with sticky sessions: the zero-setup choice on a laptop without HAProxy.

`dev.py serve` puts HAProxy in front when it is installed (portal/haproxy.py: health checks, limits and timeouts of a
proven proxy); this one serves only on this machine (127.0.0.1), when HAProxy is missing or with `--proxy eigen`.

Streamlit keeps a user's session (widgets, the logged-in user, downloads, uploads) in the memory of the process that
serves its websocket, and one process computes on one core at a time (the GIL). Several processes share the machine's
cores; this proxy keeps each browser on one process:

- A connection is pinned to one backend for its whole life, chosen by the cookie `portaal_server` in its first request.
  Everything after that first request head is piped unchanged in both directions (keep-alive requests, a websocket).
- Without the cookie (a new browser), the backend with the fewest open connections (taking turns on a tie) is chosen
  and the first response carries `Set-Cookie`, so the browser's next connections (the websocket, media, reconnects) go to the same process.
- A backend that does not accept the connection is skipped, and so is one that serve.py's health check marks as down
  (`Proxy.down`); the browser then gets (and keeps) another one.
- A request head over 64 KiB gets 431, one that is not complete within 30 s is closed.
- Behind the proxy every connection comes from 127.0.0.1, so the proxy tells the backend who the client really is: the
  first request head gets the header `X-Portaal-Client: <address> <signature>`, an HMAC of the client's address with a
  secret that only the proxy and its backends know (portal/serve.py makes one per start). Any such header the client
  wrote itself is removed first, and one it sends later on the same connection (piped unchanged) or straight to a
  backend port has no valid signature: the portal then treats the client as unknown, never as local (ui.client_address).

Standard library only (asyncio streams). Started by `python3 dev.py serve` (portal/serve.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import re

COOKIE = "portaal_server"
COOKIE_RE = re.compile(rb"(?im)^cookie:.*?\b" + COOKIE.encode() + rb"=(\d{1,6})\b")
HEAD_END = b"\r\n\r\n"
CLIENT_HEADER = "X-Portaal-Client"
CLIENT_RE = re.compile(rb"(?im)^" + CLIENT_HEADER.encode() + rb"[ \t]*:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*")
SECRET_ENV = "PORTAL_PROXY_GEHEIM"  # the backends' environment variable with the signing secret
MAX_HEAD = 64 * 1024
HEAD_TIMEOUT = 30  # seconds
UNAVAILABLE = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
               "Het portaal is even niet bereikbaar: geen enkel serverproces antwoordt. Probeer het zo opnieuw.").encode()
TOO_LARGE = ("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
             "\r\nHet verzoek van uw browser heeft te grote kopregels of cookies. Verwijder de cookies van deze site en "
             "probeer het opnieuw.").encode()


def sign(address: str, secret: str) -> str:
    """The header value that vouches for `address`: the address and its HMAC-SHA256 under `secret`."""
    return f"{address} {hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()}"


def verify(value: str | None, secret: str) -> str | None:
    """The address in a header value made by `sign` with this secret; None for a missing, forged or garbled one."""
    address, _, mac = (value or "").strip().partition(" ")
    if not address or not secret or not hmac.compare_digest(sign(address, secret), f"{address} {mac}"):
        return None
    return address


def with_client(head: bytes, address: str, secret: str) -> bytes:
    """The request head without any client header the client sent, with ours after the request line."""
    head = CLIENT_RE.sub(b"", head)
    line_end = head.index(b"\r\n") + 2
    return head[:line_end] + f"{CLIENT_HEADER}: {sign(address, secret)}\r\n".encode() + head[line_end:]


class Proxy:
    def __init__(self, backends: list[tuple[str, int]], secret: str):
        self.backends = backends
        self.secret = secret
        self.open = [0] * len(backends)  # open connections per backend (a session's websocket stays open)
        self.down: set[int] = set()  # backends the health check of serve.py found not answering
        self.turn = 0  # rotates among equally busy backends, so browsers arriving one by one are spread too

    def order(self, asked: int | None) -> list[int]:
        """Backends to try: the pinned one first, else the least busy (taking turns on a tie); then the others; the
        ones marked down last (tried only when no other accepts the connection)."""
        n = len(self.backends)
        up = [i for i in range(n) if i not in self.down]
        if asked is not None and asked in up:
            first = [asked, *sorted((i for i in up if i != asked), key=lambda i: self.open[i])]
        else:
            self.turn = (self.turn + 1) % n
            first = sorted(up, key=lambda i: (self.open[i], (i - self.turn) % n))
        return first + sorted(self.down)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:  # a client that never finishes its request head does not hold a connection for ever
            head = await asyncio.wait_for(reader.readuntil(HEAD_END), timeout=HEAD_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, asyncio.TimeoutError) as e:
            if isinstance(e, asyncio.LimitOverrunError):
                writer.write(TOO_LARGE)
                with contextlib.suppress(Exception):
                    await writer.drain()
            writer.close()
            return
        peer = writer.get_extra_info("peername")
        head = with_client(head, str(peer[0]) if peer else "onbekend", self.secret)
        m = COOKIE_RE.search(head)
        asked = int(m.group(1)) if m else None
        for i in self.order(asked):
            self.open[i] += 1  # counted before connecting, so browsers arriving together are spread
            try:
                b_reader, b_writer = await asyncio.wait_for(asyncio.open_connection(*self.backends[i]), timeout=5)
            except (OSError, asyncio.TimeoutError):
                self.open[i] -= 1
                continue
            try:
                b_writer.write(head)
                await asyncio.gather(self._pipe(reader, b_writer),
                                     self._pipe(b_reader, writer, set_cookie=None if asked == i else i))
            finally:
                self.open[i] -= 1
                for w in (b_writer, writer):
                    with contextlib.suppress(Exception):
                        w.close()
            return
        writer.write(UNAVAILABLE)
        with contextlib.suppress(Exception):
            await writer.drain()
            writer.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, set_cookie: int | None = None) -> None:
        """Copy until EOF; with set_cookie, add the pinning cookie to the first response head."""
        try:
            if set_cookie is not None:
                head = await src.readuntil(HEAD_END)
                cookie = f"Set-Cookie: {COOKIE}={set_cookie}; Path=/; HttpOnly; SameSite=Lax\r\n".encode()
                dst.write(head[:-2] + cookie + b"\r\n")
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(Exception):
                if dst.can_write_eof():
                    dst.write_eof()

    async def serve(self, host: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(self.handle, host, port, limit=MAX_HEAD)
