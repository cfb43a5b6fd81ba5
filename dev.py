#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11: set up .venv from the lock file, then start, test or build.

Standard library only, so it runs before any dependency is installed.

    python3 dev.py start     # environment + warehouse (when missing) + Streamlit portal
    python3 dev.py serve     # the same with one Streamlit process per core behind a sticky proxy (portal/serve.py)
    python3 dev.py test      # environment + full test suite
    python3 dev.py etl ...   # the ETL command-line tool (portal-etl), e.g. `etl build`
    python3 dev.py bench     # benchmark figures (build time, warehouse size, fetch times)
    python3 dev.py gebruikers toevoegen NAAM --rol beheer|visitatieteam|gemeente [--gemeente GMxxxx]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
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


def run(args: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.call(args, cwd=ROOT, env=env)


def ensure_warehouse() -> None:
    if not (ROOT / "data" / "warehouse.db").exists():
        print("Warehouse ontbreekt: bouwen uit de meegeleverde snapshots ...", flush=True)
        if run([str(PY), "-m", "etl.cli", "build"]) != 0:
            sys.exit("De databouw is mislukt; zie de melding hierboven.")


def ensure_chromium() -> None:
    """The browser test needs Debian's chromium; install it when we are root and it is missing."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium installeren (Debian-pakket) voor de browsertest ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "start"
    rest = argv[1:]
    ensure_env()
    if cmd == "start":
        ensure_warehouse()
        return run([str(PY), "-m", "streamlit", "run", "pages/app.py", *rest])
    if cmd == "test":
        ensure_chromium()
        return run([str(PY), "-m", "pytest", *rest])
    if cmd == "etl":
        return run([str(PY), "-m", "etl.cli", *rest])
    if cmd == "gebruikers":
        return run([str(PY), "-m", "portal.gebruikers", *rest])
    if cmd == "serve":
        ensure_warehouse()
        return run([str(PY), "-m", "portal.serve", *rest])
    if cmd == "bench":
        ensure_warehouse()
        return run([str(PY), "-m", "etl.bench", *rest])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
