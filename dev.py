#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11: set up .venv from the lock file, then start, test or build.

Standard library only, so it runs before any dependency is installed.

    python3 dev.py start     # environment + warehouse (when missing) + Streamlit portal
    python3 dev.py start --openbaar   # also without accounts on every network address (explicit choice, see README)
    python3 dev.py serve     # one Streamlit process per core behind HAProxy, supervised (portal/serve.py)
    python3 dev.py test      # environment + full test suite
    python3 dev.py etl ...   # the ETL command-line tool (portal-etl), e.g. `etl build`
    python3 dev.py bench     # benchmark figures (build time, warehouse size, fetch times)
    python3 dev.py gebruikers toevoegen NAAM --rol beheer|visitatieteam|gemeente [--gemeente GMxxxx]
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import venv
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
PY = VENV / "bin" / "python"


def _lock_digest() -> str:
    h = hashlib.sha256(LOCK.read_bytes())
    h.update((ROOT / "pyproject.toml").read_bytes())
    return h.hexdigest()


def ensure_env() -> None:
    """Create .venv and install exactly the locked versions (hash-checked); skip when already in sync."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 of nieuwer is nodig (gevonden: %s)." % sys.version.split()[0])
    digest = _lock_digest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    if not PY.exists():
        print("Omgeving aanmaken in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Pakketten installeren uit requirements.lock ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True)
    STAMP.write_text(digest)


def run(args: list[str], extra_env: dict[str, str] | None = None) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(extra_env or {}))
    proc = subprocess.Popen(args, cwd=ROOT, env=env)
    # systemd, docker and `kill` send SIGTERM to this process only: pass it on, or the portal keeps running and its port
    signal.signal(signal.SIGTERM, lambda signum, _frame: proc.send_signal(signum))
    try:
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the child too; let it say what it stopped, without a traceback here
        return proc.wait()


def data_dir() -> Path:
    """The data folder, as portal.paths has it: PORTAL_DATA_DIR, else data/ in the checkout."""
    return Path(os.environ.get("PORTAL_DATA_DIR", ROOT / "data"))


BUILD_LOG = "databouw.log"  # in the data folder: the whole output of the first build of `start`, `serve` and `bench`
TAIL = 15  # lines of that log shown when the build fails


def run_logged(args: list[str], log: Path) -> int:
    """Run `args` like run(), with its output (stdout and stderr) written to `log` instead of the terminal."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=out, stderr=subprocess.STDOUT)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            return proc.wait()


def build_report(code: int, log: Path) -> list[str]:
    """What a newcomer sees of the build: one line when it went well (with the number of warnings, which stay in the log:
    on the shipped snapshots they are known differences between the sum of the gemeenten and CBS's Nederland); when it
    failed, the last lines of the log (the build's Dutch error is there) and the log's path."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    if code == 0:
        counted = next((m.group(1) for line in lines if (m := re.match(r"(\d+) waarschuwing\(en\)", line))), None)
        return [f"Warehouse gebouwd" + (f" ({counted} waarschuwing(en), zie {log})." if counted else ".")]
    return [f"De databouw is mislukt (code {code}). Laatste regels van {log}:", *lines[-TAIL:]]


def ensure_warehouse() -> None:
    """Build the warehouse from the shipped snapshots when it is missing; its long output goes to a log file whose path
    is printed (about 330 lines: every source table read and the warehouse's contents)."""
    if not (data_dir() / "warehouse.db").exists():
        log = data_dir() / BUILD_LOG
        print(f"Warehouse ontbreekt: bouwen uit de meegeleverde snapshots (enkele seconden; verloop in {log}) ...", flush=True)
        code = run_logged([str(PY), "-m", "etl.cli", "build"], log)
        print("\n".join(build_report(code, log)), flush=True)
        if code != 0:
            sys.exit(1)


def has_accounts() -> bool:
    """Whether the user database has accounts (stdlib only: this runs before the environment is used)."""
    path = data_dir() / "userdata.db"
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return bool(conn.execute("select count(*) from accounts").fetchone()[0])
    except sqlite3.Error:
        return False


def server_args(rest: list[str], address: str = "--server.address") -> tuple[list[str], dict[str, str]]:
    """Without accounts anyone who reaches the portal may open and edit every visitatie: then it listens on this
    machine only, unless --openbaar says explicitly that everyone on the network may (a demo on a closed network).
    `address` is the option that sets the listening address (--adres for `serve`, whose proxy is what users reach). An
    address given explicitly is kept: the page itself then refuses every other machine (ui.local_only), behind serve's
    proxy by the client address the proxy passes on, and so it does once the last account is removed while it runs."""
    if "--openbaar" in rest:
        return [a for a in rest if a != "--openbaar"], {"PORTAL_OPENBAAR": "1"}
    if has_accounts() or any(a.startswith(address) for a in rest):
        return rest, {}
    print("Geen gebruikersaccounts: het portaal is alleen bereikbaar op deze computer (localhost). "
          "Zie de README voor accounts of --openbaar.", flush=True)
    return [address, "127.0.0.1", *rest], {}


def ensure_chromium() -> None:
    """The browser test needs Debian's chromium; install it when we are root and it is missing."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium installeren (Debian-pakket) voor de browsertest ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False)


def find_haproxy() -> str | None:
    """Debian puts haproxy in /usr/sbin, which is not on a normal user's PATH (the same search as portal/haproxy.py)."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
                                            if os.access(p, os.X_OK)), None)


def ensure_haproxy() -> None:
    """`serve` puts HAProxy in front (and the proxy tests start it); install Debian's package when we are root and it
    is missing. Otherwise portal/serve.py says in Dutch what to install (or, on this machine only, uses its own proxy)."""
    if find_haproxy():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("HAProxy installeren (Debian-pakket) voor `serve` en de proxytests ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], check=False)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "start"
    rest = argv[1:]
    ensure_env()
    if cmd == "start":
        ensure_warehouse()
        args, env = server_args(rest)
        return run([str(PY), "-m", "streamlit", "run", "pages/app.py", *args], env)
    if cmd == "test":
        ensure_chromium()
        ensure_haproxy()
        return run([str(PY), "-m", "pytest", *rest])
    if cmd == "etl":
        return run([str(PY), "-m", "etl.cli", *rest])
    if cmd == "gebruikers":
        return run([str(PY), "-m", "portal.gebruikers", *rest])
    if cmd == "serve":
        ensure_warehouse()
        if not {"eigen", "--proxy=eigen"} & set(rest):
            ensure_haproxy()
        args, env = server_args(rest, "--adres")
        # serve replaces this process, so the SIGTERM of a supervisor (systemd) reaches it and it stops every child
        os.chdir(ROOT)
        sys.stdout.flush()
        os.execve(PY, [str(PY), "-m", "portal.serve", *args], dict(os.environ, PYTHONPATH=str(ROOT), **env))
    if cmd == "bench":
        ensure_warehouse()
        return run([str(PY), "-m", "portal.tools.bench", *rest])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
