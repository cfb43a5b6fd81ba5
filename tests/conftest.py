"""Test setup: one warehouse built from the shipped snapshots into a temporary data folder, shared by all tests.

Under pytest-xdist (`dev.py test` runs the suite on every core) each worker process has a data folder of its own (its
user database, uploads and refreshes do not meet another worker's), and the warehouse is built once per test run: the
first worker that needs it builds it into the run's shared folder, the others wait for that build and copy it."""

from __future__ import annotations

import copy
import fcntl
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

# Must be set before portal.paths is imported anywhere: the portal then reads this warehouse, not data/warehouse.db.
# The controlling process makes the run's folder; its workers inherit the environment and take a subfolder each.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if "PORTAL_DATA_DIR" not in os.environ:
    os.environ["PORTAL_DATA_DIR"] = os.environ["PORTAL_TEST_RUN_DIR"] = tempfile.mkdtemp(prefix="portal-test-")
_RUN_DIR = os.environ.get("PORTAL_TEST_RUN_DIR")
# The tests' "today" (portal.paths.vandaag), also for the portal servers they start: the shipped figures of 2024 stay
# current (not "more than 3 years old") in 2028 too, so that the assertions about verdicts and places keep their meaning.
os.environ.setdefault("PORTAL_VANDAAG", "2026-12-07")
if _WORKER and _RUN_DIR and os.environ["PORTAL_DATA_DIR"] == _RUN_DIR:
    os.environ["PORTAL_DATA_DIR"] = str(Path(_RUN_DIR) / _WORKER)
    Path(os.environ["PORTAL_DATA_DIR"]).mkdir(exist_ok=True)

import pytest  # noqa: E402

from etl import cbs, live  # noqa: E402
from etl.build import build  # noqa: E402
from etl.snapshot import write_sums  # noqa: E402
from portal.paths import SNAPSHOTS, WAREHOUSE  # noqa: E402
from portal import peers  # noqa: E402
from portal import visitatie as vt  # noqa: E402
from portal.store import Warehouse  # noqa: E402
from portal.userdata import UserData  # noqa: E402
from tests.cbs_replay import FakeCbs, Server, digest, fvw, wijkbuurt  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"


def _scan_installed_components_once() -> None:
    """Every AppTest run scans the metadata of every installed package for Streamlit components (about a second per
    page run, most of a page test's time); the installed packages do not change during a test run, so the scan is
    done once per process. Only the test harness is affected: the portal itself scans once at startup anyway."""
    from streamlit.components.v2 import manifest_scanner

    scan = functools.cache(manifest_scanner.scan_component_manifests)
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(scan())


_scan_installed_components_once()


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Wait for and hold an exclusive lock on `lock` (one build at a time among the test processes)."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _once(path: Path, make: Callable[[Path], object]) -> Path:
    """`path`, made by `make(path)` unless it exists: by one test process at a time, so under pytest-xdist by the first
    worker that needs it (the others wait, then find it)."""
    with _exclusive(path.with_name(f".{path.name}.lock")):
        if not path.exists():
            make(path)
    return path


@pytest.fixture(scope="session")
def built() -> Path:
    """The warehouse of the shipped snapshots at portal.paths.WAREHOUSE, built once per test run (see the docstring)."""
    if WAREHOUSE.exists():
        return WAREHOUSE
    shared = _once(Path(_RUN_DIR) / "warehouse.db" if _WORKER and _RUN_DIR else WAREHOUSE, lambda p: build(p, log=lambda _: None))
    if shared != WAREHOUSE:
        shutil.copy2(shared, WAREHOUSE)  # a copy of its own: some tests write into the worker's warehouse
    return WAREHOUSE


# ---- a small snapshot set for refresh tests that are about a fault, not about the shipped figures ------------------------
# The G4, Enschede, and Appingedam (merged into Eemsdelta in 2021: a herindeling in the small set too)
SMALL_GEMEENTEN = {b"GM0363", b"GM0599", b"GM0518", b"GM0344", b"GM0153", b"GM0003"}
# Kept whole: the gemeente lists, herindelingen, boundaries and regions every build checks figures against.
SMALL_WHOLE = {"nlextract_gemeentelijke_indeling", "gemeente_herindelingen", "geo_gemeentegrenzen", "cbs_gebieden_in_nederland"}
_GM_CODE = re.compile(rb"\bGM\d{4}\b")


def _small_snapshots(dest: Path) -> None:
    """The shipped snapshots with, in every figure table (CSV), only the rows of SMALL_GEMEENTEN and the rows that name no
    gemeente code (Nederland, tables by name); each folder's SHA256SUMS made anew. A build of it takes about a quarter of
    the time of the full one and passes the same checks."""
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for folder in SNAPSHOTS.iterdir():
        if not folder.is_dir() or folder.name.startswith((".", live.PREFIX)):
            continue
        if folder.name in SMALL_WHOLE:
            (tmp / folder.name).symlink_to(folder)
            continue
        (tmp / folder.name).mkdir()
        for f in folder.iterdir():
            if f.name == "SHA256SUMS":
                continue
            if f.suffix.lower() != ".csv":
                shutil.copy2(f, tmp / folder.name / f.name)
                continue
            header, *rows = f.read_bytes().splitlines(keepends=True)
            kept = [r for r in rows if not (codes := _GM_CODE.findall(r)) or any(c in SMALL_GEMEENTEN for c in codes)]
            (tmp / folder.name / f.name).write_bytes(header + b"".join(kept))
        write_sums(tmp / folder.name)
    tmp.rename(dest)


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test processes of this run keep what they share: the run's folder (else one of this process)."""
    return Path(_RUN_DIR) if _RUN_DIR else tmp_path_factory.mktemp("shared")


@pytest.fixture(scope="session")
def small_snapshots(shared_folder: Path) -> Path:
    return _once(shared_folder / "small-snapshots", _small_snapshots)


@pytest.fixture(scope="session")
def small_built(shared_folder: Path, small_snapshots: Path) -> Path:
    """The warehouse of small_snapshots (shared: copy it before writing)."""
    return _once(shared_folder / "small-warehouse.db", lambda p: build(p, small_snapshots, log=lambda _: None))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "small_snapshots: the `env` fixture uses small_snapshots and small_built instead of "
                                       "the shipped snapshots and their warehouse (for a refresh test about a fault)")
    config.addinivalue_line("markers", "argon2_echt: passwords are hashed with the portal's own Argon2 parameters "
                                       "(other tests use cheap ones, see `cheap_password_hashes`)")


@pytest.fixture(autouse=True)
def cheap_password_hashes(request, monkeypatch) -> None:
    """One Argon2id hash with the portal's parameters (64 MiB, 3 passes, 4 lanes) costs about 0,23 s of processor time;
    the suite makes about 200 of them in tests about something else (dossiers, uploads, pages behind a login). Those
    tests hash with the same algorithm at the smallest cost; tests marked argon2_echt, and the account command run as a
    subprocess, use the real parameters."""
    if request.node.get_closest_marker("argon2_echt"):
        return
    from argon2 import PasswordHasher

    from portal.userdata import accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(accounts, "_DUMMY", [])


@pytest.fixture(scope="session")
def server(built: Path) -> Iterator[str]:
    """The portal in a Streamlit server of this test process (headless, on a free port), for the browser tests; one per
    test process, started when a test first needs it (starting one and warming its caches costs several seconds)."""
    from portal.paths import ROOT
    from portal.serve import free_port, wait_healthy

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "pages/app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, timeout=60)
    except RuntimeError:
        proc.kill()
        pytest.fail("Streamlit kwam niet op binnen 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per core, at most 4 (each worker holds its own Streamlit, polars and Chromium)."""
    return max(1, min(len(os.sched_getaffinity(0)), 4))


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controlling process removes the run's temporary data folder (workers' folders and the shared build in it)."""
    if not _WORKER and _RUN_DIR and Path(_RUN_DIR).name.startswith("portal-test-"):
        shutil.rmtree(_RUN_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def wh(built: Path) -> Warehouse:
    return Warehouse(built)


@pytest.fixture(scope="session")
def _foto_once(wh: Warehouse, trechter) -> dict:
    """Made once per test process (about a second of processor time); the modules get copies (`foto`)."""
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    group = peers.resolve(wh, fm, peers.GroupSpec(), "GM0363")
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("eigen"), "GM0363", "Amsterdam", group.members,
                        group.label(), wh.newest_indeling, wh.last_build(), trechter=trechter)


@pytest.fixture(scope="module")
def foto(_foto_once: dict) -> dict:
    """Amsterdam's foto against its 10 nearest neighbours, from the real warehouse: a copy of its own per module, as
    when each module made it anew."""
    return copy.deepcopy(_foto_once)


@pytest.fixture(scope="session")
def trechter(wh: Warehouse):
    """portal.funnel.for_warehouse on the test warehouse: funnels built once per session."""
    from portal import funnel

    return funnel.for_warehouse(wh)


@pytest.fixture
def ud(tmp_path: Path) -> UserData:
    """An empty user database of its own."""
    return UserData(tmp_path / "user.db")


@pytest.fixture
def data_folder(monkeypatch):
    """Point the portal at another data folder for one test (portal.paths.settings, read at call time): `data_folder(folder)`,
    with single files elsewhere as keywords, e.g. `data_folder(tmp_path, warehouse=damaged)`."""
    from portal.paths import Settings, settings

    def use(folder: Path, **files: Path) -> None:
        for name, path in {**vars(Settings.in_folder(folder)), **files}.items():
            monkeypatch.setattr(settings, name, path)

    return use


@pytest.fixture
def env(request, tmp_path, built, monkeypatch):
    """For `etl vernieuw` tests: a snapshots root (links to the shipped folders), a copy of the shipped warehouse and a CBS
    replay with the 12 wijken-en-buurten tables and 85383NED; `run(names=..., dry_run=..., timeout=...)` refreshes.
    With the mark small_snapshots: links to the folders of small_snapshots and a copy of their warehouse."""
    shipped, warehouse = SNAPSHOTS, built
    if request.node.get_closest_marker("small_snapshots"):
        shipped, warehouse = request.getfixturevalue("small_snapshots"), request.getfixturevalue("small_built")
    snaps = tmp_path / "snapshots"
    snaps.mkdir()
    for f in shipped.iterdir():
        if f.is_dir() and not f.name.startswith((".", live.PREFIX)):
            (snaps / f.name).symlink_to(f.resolve())
    target = tmp_path / "warehouse.db"
    shutil.copy2(warehouse, target)
    state = FakeCbs({**{t.info[0]["Identifier"]: t for t in map(wijkbuurt, range(2013, 2025))}, "85383NED": fvw()})
    srv = Server(state)
    for host in ("ODATA", "DATADERDEN"):  # one replay answers for both CBS hosts
        monkeypatch.setenv(f"CBS_{host}_URL", srv.base)
    monkeypatch.setenv("CBS_CATALOGUS_URL", srv.catalogue)
    monkeypatch.setenv("CBS_DATADERDEN_CATALOGUS_URL", srv.catalogue)
    lines: list[str] = []

    def run(**kw) -> live.Outcome:
        clients = {h: cbs.Client(timeout=kw.get("timeout", 5), retries=2, backoff=0, sleep=lambda s: None, host=h)
                   for h in cbs.HOSTS}
        kw.pop("timeout", None)
        return live.refresh(kw.pop("names", ["kwartaal"]), snapshots=snaps, target=target, clients=clients, log=lines.append, **kw)

    yield type("Env", (), {"snaps": snaps, "target": target, "state": state, "run": staticmethod(run), "lines": lines,
                           "before": digest(target)})
    srv.close()
