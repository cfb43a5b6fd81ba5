"""HAProxy in front of the Streamlit processes of `dev.py serve`: finding the program and writing its configuration.

What it does, all by configuration of a proven proxy (Debian's `haproxy` package, 2.6):

- Sticky sessions by cookie: `portaal_server=<n>` is set on the first response; the browser's later connections (its
  websocket, uploads, downloads, reconnects) go to the same process, because Streamlit keeps a session in one process.
  A browser whose process is down is sent to another one (`option redispatch`) and gets that one's cookie.
- Websockets pass through; an idle one is closed after `timeout tunnel`.
- Health checks: every second `GET /_stcore/health` on every process; two that fail or take longer than 3 s take the
  process out of rotation (a hung process: within about 8 s) and cut its connections, so its browsers reconnect to
  another process. Two good checks bring it back.
- Request heads: at most 64 KiB (`tune.bufsize`; a longer head or cookie gets 400), a head must be complete within
  10 s (slowloris), an idle keep-alive connection is closed after 10 s, a client that stops sending a body or stops
  reading for 30 s is cut off.
- The client's address goes to the processes in `X-Forwarded-For` (informative: Streamlit does not trust it) and in
  `X-Portaal-Client`, signed with HMAC-SHA256 under the secret of this start (portal/proxy.py `sign`/`verify`); the
  portal trusts only the signed header (ui.login.client_address). HAProxy parses every request on a connection, so a
  header the client sends itself is replaced on every request, not only the first.
- TLS: with a certificate (PEM with the key) HAProxy terminates HTTPS itself; the cookie is then `Secure`.
- Error pages in Dutch for 502, 503 and 504, what a browser can meet. The 400 and 408 that HAProxy's request parser
  sends before a request exists (a head that is too large or malformed, or not complete in time) are HAProxy's own,
  in English: HAProxy 2.6 applies `errorfile` only to requests it has parsed, and browsers do not send such heads.

The configuration and the error pages are written into the data folder's `run/` folder (mode 0700: the file holds the
signing secret), never into the checkout.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

from portal.proxy import CLIENT_HEADER, COOKIE

CANDIDATES = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
HEALTH = "/_stcore/health"
MAX_SOCKET_PATH = 97  # what HAProxy 2.6 accepts for a unix socket path

ERRORS = {
    400: ("Bad Request", "Uw browser stuurde een verzoek dat het portaal niet kan lezen, bijvoorbeeld met te grote "
                         "cookies. Laad de pagina opnieuw; lukt dat niet, verwijder dan de cookies van deze site."),
    408: ("Request Timeout", "Uw browser stuurde zijn verzoek niet op tijd af. Laad de pagina opnieuw."),
    502: ("Bad Gateway", "Het portaal gaf geen goed antwoord. Laad de pagina opnieuw; lukt het dan nog niet, probeer "
                         "het over een minuut."),
    503: ("Service Unavailable", "Het portaal is even niet bereikbaar: geen enkel serverproces antwoordt. Probeer het zo "
                                 "opnieuw."),
    504: ("Gateway Timeout", "Het portaal antwoordde niet op tijd. Laad de pagina opnieuw."),
}


def find() -> str | None:
    """The haproxy program: on PATH, else where Debian puts it (/usr/sbin is not on a normal user's PATH)."""
    found = shutil.which("haproxy")
    if found:
        return found
    return next((c for c in CANDIDATES if os.access(c, os.X_OK)), None)


def run_folder(data_dir: Path) -> Path:
    """The folder for the generated configuration: `run/` in the data folder, readable by the owner only."""
    run = data_dir / "run"
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    run.chmod(0o700)
    return run


def _private_write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def error_page(code: int) -> str:
    reason, text = ERRORS[code]
    body = text + "\n"
    return (f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
            f"Connection: close\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}")


def socket_path(run: Path, port: int) -> Path | None:
    """The stats socket (`show stat`, `show servers state`), when its path is short enough for a unix socket."""
    path = run / f"haproxy-{port}.sock"
    return path if len(str(path)) <= MAX_SOCKET_PATH else None


def config(address: str, port: int, backend_ports: list[int], secret: str, run: Path, certificate: Path | None = None) -> str:
    """The configuration text for HAProxy in front of Streamlit processes on 127.0.0.1:`backend_ports`."""
    key = base64.b64encode(secret.encode()).decode()
    stats = socket_path(run, port)
    tls = f" ssl crt {certificate} alpn http/1.1" if certificate else ""
    lines = [
        "# Generated by portal/serve.py (python3 dev.py serve) at every start; edits are overwritten.",
        "global",
        "    maxconn 2000",
        "    tune.bufsize 65536",  # the largest request head: 64 KiB (minus tune.maxrewrite); more gets 400
        "    tune.maxrewrite 1024",
        *([f"    stats socket {stats} mode 600 level user"] if stats else []),
        "",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 30s",  # a client that stops sending (a body) or reading
        "    timeout server 60s",
        "    timeout http-request 10s",  # the whole request head (slowloris)
        "    timeout http-keep-alive 10s",  # an idle keep-alive connection
        "    timeout tunnel 1h",  # an idle websocket
        "    timeout client-fin 10s",
        "    timeout server-fin 10s",
        "    timeout queue 30s",
        "    timeout check 3s",
        "    retries 2",
        "    option redispatch",
        *[f"    errorfile {code} {run / f'fout-{code}.http'}" for code in ERRORS],
        "",
        "frontend portaal",
        f"    bind {address}:{port}{tls}",
        "    http-request set-var-fmt(txn.klant) \"%[src]\"",
        f"    http-request set-header {CLIENT_HEADER} \"%[var(txn.klant)] %[var(txn.klant),hmac(sha256,{key}),hex,lower]\"",
        "    http-request set-header X-Forwarded-For \"%[src]\"",
        f"    http-request set-header X-Forwarded-Proto {'https' if certificate else 'http'}",
        "    default_backend streamlit",
        "",
        "backend streamlit",
        "    balance leastconn",
        f"    cookie {COOKIE} insert indirect nocache httponly{' secure' if certificate else ''} attr \"SameSite=Lax\"",
        f"    option httpchk",
        f"    http-check send meth GET uri {HEALTH} ver HTTP/1.1 hdr Host 127.0.0.1",
        "    http-check expect status 200",
        "    default-server check inter 1s fastinter 500ms downinter 1s rise 2 fall 2 on-marked-down shutdown-sessions",
        *[f"    server s{i} 127.0.0.1:{p} cookie {i}" for i, p in enumerate(backend_ports)],
        "",
    ]
    return "\n".join(lines)


def write(address: str, port: int, backend_ports: list[int], secret: str, data_dir: Path,
          certificate: Path | None = None) -> Path:
    """Write the configuration and the Dutch error pages into the run folder; the configuration's path."""
    run = run_folder(data_dir)
    for code in ERRORS:
        _private_write(run / f"fout-{code}.http", error_page(code))
    path = run / f"haproxy-{port}.cfg"
    _private_write(path, config(address, port, backend_ports, secret, run, certificate))
    return path


def server_states(sock: Path) -> dict[str, str]:
    """Per server (s0, s1, ...) its state in HAProxy, e.g. 'UP', 'DOWN', 'UP 1/2' (from `show stat` on the stats
    socket): for tests and for an administrator."""
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(sock))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    head = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(head, line.split(","))) for line in lines[1:] if line]
    return {r["svname"]: r["status"] for r in rows if r.get("pxname") == "streamlit" and r["svname"] not in ("BACKEND", "FRONTEND")}
