"""Load client without a browser: N sessions open the Gemeenteprofiel of a running `streamlit run pages/app.py` server at
the same moment, each for its own gemeente and referentiegroep (knn with its own k), and report p50/p95/max.

It speaks Streamlit's own protocol, as the frontend does: a websocket on /_stcore/stream (subprotocol "streamlit"), one
BackMsg `rerun_script` with the page's url path as page_name and the link's query string, and ForwardMsgs back until
`script_finished`. An exception element in the page, a page-not-found message, a lost connection or a timeout count as
errors.

    python3 dev.py bench belasting                       # starts its own server on a copy of the warehouse, 3 rounds
    python3 dev.py bench belasting --processen 2         # two server processes behind HAProxy (portal/serve.py)
    python3 dev.py bench belasting --processen 2 --proxy eigen   # the same behind our own small proxy
    python3 dev.py bench belasting --url http://127.0.0.1:8501 --sessies 20 --rondes 3

With its own server it also reports the server's CPU time per session (all its processes), a figure that depends less on
what else the machine is doing than the waiting times do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from portal.nl import nl_number
from portal.paths import ROOT, WAREHOUSE
from portal.serve import free_port, wait_healthy

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@dataclass
class Outcome:
    seconds: float
    error: str = ""
    elements: int = 0
    texts: list[str] = field(default_factory=list)  # the page's headings and messages (st.error and the like)
    session: str = ""  # the id of the session the server started (or resumed)


async def open_page(base: str, page: str, query: str, timeout: float = 180.0, last_session: str | None = None,
                    **connect) -> Outcome:
    """One new session opening `base/page?query`: connect, ask for the run, wait for script_finished. `last_session`:
    the id of a session this browser had, sent as Streamlit's frontend does when it reconnects. `connect` goes to
    websockets.connect (extra headers, a local address or an open socket)."""
    ws_url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    t0 = time.perf_counter()
    error, elements, connected, texts, session = "", 0, False, [], ""
    protocols = ["streamlit", "PLACEHOLDER_AUTH_TOKEN", last_session] if last_session else ["streamlit"]
    try:
        async with asyncio.timeout(timeout):
            async with websockets.connect(ws_url, subprotocols=protocols, max_size=None, compression=None,
                                          open_timeout=timeout, **connect) as ws:
                connected = True
                msg = BackMsg()
                state = msg.rerun_script
                state.query_string, state.page_name, state.page_script_hash = query, page, ""
                state.context_info.timezone, state.context_info.locale = "Europe/Amsterdam", "nl-NL"
                state.context_info.url = f"{base.rstrip('/')}/{page}?{query}"
                await ws.send(msg.SerializeToString())
                while True:
                    fwd = ForwardMsg()
                    fwd.ParseFromString(await ws.recv())
                    kind = fwd.WhichOneof("type")
                    if kind == "new_session":
                        session = fwd.new_session.initialize.session_id
                    if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                        elements += 1
                        element = fwd.delta.new_element
                        if element.WhichOneof("type") in ("alert", "heading"):
                            texts.append(getattr(element, element.WhichOneof("type")).body)
                        if fwd.delta.new_element.WhichOneof("type") == "exception" and not error:
                            ex = fwd.delta.new_element.exception
                            error = f"{ex.type}: {ex.message}"
                    elif kind == "page_not_found":
                        error = error or f"pagina niet gevonden: {page}"
                    elif kind == "script_finished" and fwd.script_finished in FINISHED:
                        break
    except TimeoutError:
        error = f"geen script_finished binnen {timeout:.0f} s" if connected else f"geen verbinding binnen {timeout:.0f} s"
    except (OSError, websockets.WebSocketException) as exc:
        error = f"verbinding: {exc!r}"
    return Outcome(time.perf_counter() - t0, error, elements, texts, session)


def gemeenten(path: Path = WAREHOUSE) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        jaar = conn.execute("select max(jaar) from gemeente_jaar").fetchone()[0]
        return [r[0] for r in conn.execute("select gemeentecode from gemeente_jaar where jaar = ? order by gemeentecode", (jaar,))]
    finally:
        conn.close()


def queries(codes: list[str], n: int, start: int) -> list[str]:
    """n profile links, each with its own gemeente and its own knn group size (k = 5, 6, ...)."""
    step = max(1, len(codes) // n)
    return [f"gemeente={codes[(start + i * step) % len(codes)]}&rg=knn&k={5 + i}" for i in range(n)]


async def burst(base: str, links: list[str]) -> list[Outcome]:
    return list(await asyncio.gather(*(open_page(base, "profiel", q) for q in links)))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]  # nearest rank


def report(label: str, outs: list[Outcome]) -> dict:
    secs = [o.seconds for o in outs]
    errors = [o.error for o in outs if o.error]
    fig = {"p50": statistics.median(secs), "p95": pct(secs, 95), "max": max(secs), "fouten": len(errors)}
    print(f"{label}: p50 {nl_number(fig['p50'], 2)} s, p95 {nl_number(fig['p95'], 2)} s, max {nl_number(fig['max'], 2)} s, {len(errors)} fout(en)"
          + (f" — eerste: {errors[0]}" if errors else ""), flush=True)
    return fig


def serve(port: int, data_dir: Path, processes: int = 1, proxy: str = "auto") -> subprocess.Popen:
    """The portal on 127.0.0.1:port reading the warehouse and user data in `data_dir`: `streamlit run pages/app.py`, or
    with processes > 1 that many behind a proxy (portal/serve.py; `proxy`: auto, haproxy or eigen)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PORTAL_DATA_DIR=str(data_dir))
    quiet = ["--server.fileWatcherType", "none"]
    if processes > 1:
        cmd = ["-m", "portal.serve", "--processen", str(processes), "--poort", str(port), "--adres", "127.0.0.1",
               "--eerste-interne-poort", "0", "--proxy", proxy, *quiet]
    else:
        cmd = ["-m", "streamlit", "run", str(ROOT / "pages" / "app.py"), "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *quiet]
    return subprocess.Popen([sys.executable, *cmd], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def process_table() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state, user + system CPU ticks) of every process (Linux /proc)."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                f = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(d.name)] = (int(f[1]), f[0], int(f[11]) + int(f[12]))
    return out


def descendants(pid: int, table: dict[int, tuple[int, str, int]] | None = None) -> set[int]:
    """The children of `pid`, their children, and so on."""
    table = table if table is not None else process_table()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, (ppid, _, _) in table.items() if ppid == p and c not in found]
        found.update(kids)
        todo += kids
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (Linux /proc)."""
    table = process_table()
    return sum(table[p][2] for p in {pid, *descendants(pid, table)} if p in table) / os.sysconf("SC_CLK_TCK")


def run_rounds(base: str, sessions: int, rounds: int, codes: list[str], server: int | None = None, processes: int = 1,
               begin: int = 11) -> list[dict]:
    """A warm-up session per server process (Amsterdam, not among the measured ones), one session alone, then `rounds`
    bursts of `sessions` simultaneous sessions, every round and session on gemeenten and groups not opened before (nothing
    cached per gemeente; against a server that ran before, pass another `begin`)."""
    asyncio.run(burst(base, [f"gemeente=GM0363&rg=knn&k={10 + i}" for i in range(processes)]))
    alone = asyncio.run(burst(base, queries(codes, 1, begin - 4)))
    report("Eén sessie alleen (nieuwe gemeente)", alone)
    figs = []
    for r in range(rounds):
        print(f"  (belasting machine: {os.getloadavg()[0]:.2f})", flush=True)
        cpu = cpu_seconds(server) if server else 0.0
        outs = asyncio.run(burst(base, queries(codes, sessions, begin + r * 3)))
        figs.append(report(f"Ronde {r + 1}: {sessions} sessies tegelijk", outs))
        if server:
            print(f"  server-CPU: {nl_number((cpu_seconds(server) - cpu) / sessions, 3)} s per sessie", flush=True)
    return figs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py bench belasting")
    parser.add_argument("--url", help="een draaiende server (anders start de bench er zelf een op een kopie van het warehouse)")
    parser.add_argument("--sessies", type=int, default=20)
    parser.add_argument("--rondes", type=int, default=3)
    parser.add_argument("--begin", type=int, default=11, help="eerste gemeente (index); kies per meting tegen dezelfde server een andere")
    parser.add_argument("--processen", type=int, default=1, help="serverprocessen achter de proxy (alleen zonder --url)")
    parser.add_argument("--proxy", choices=("auto", "haproxy", "eigen"), default="auto",
                        help="de proxy voor meer processen: HAProxy (auto: als het is geïnstalleerd) of de eigen")
    args = parser.parse_args(argv)
    codes = gemeenten()
    print(f"Belasting: {args.sessies} sessies openen tegelijk het Gemeenteprofiel, elk met een eigen gemeente en referentiegroep "
          f"(knn, k = 5–{4 + args.sessies}); machine: {os.cpu_count()} cores, belasting {', '.join(nl_number(x, 2) for x in os.getloadavg())}",
          flush=True)
    if args.url:
        run_rounds(args.url, args.sessies, args.rondes, codes, begin=args.begin)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(WAREHOUSE, Path(tmp) / "warehouse.db")
        port = free_port()
        proc = serve(port, Path(tmp), args.processen, args.proxy)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base)
            print(f"Server: {args.processen} proces(sen)" + (f" achter de proxy ({args.proxy})" if args.processen > 1 else ""), flush=True)
            run_rounds(base, args.sessies, args.rondes, codes, proc.pid, args.processen, args.begin)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
