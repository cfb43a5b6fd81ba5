"""Test setup: one warehouse built from the shipped snapshots into a temporary data folder, shared by all tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Must be set before portal.paths is imported anywhere: the portal then reads this warehouse, not data/warehouse.db.
os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-test-"))

import pytest  # noqa: E402

from etl import cbs, live  # noqa: E402
from etl.build import build  # noqa: E402
from portal.paths import SNAPSHOTS, WAREHOUSE  # noqa: E402
from portal import peers  # noqa: E402
from portal import visitatie as vt  # noqa: E402
from portal.store import Warehouse  # noqa: E402
from portal.userdata import UserData  # noqa: E402
from tests.cbs_replay import FakeCbs, Server, digest, fvw, wijkbuurt  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def built() -> Path:
    if not WAREHOUSE.exists():
        build(WAREHOUSE, log=lambda _: None)
    return WAREHOUSE


@pytest.fixture(scope="session")
def wh(built: Path) -> Warehouse:
    return Warehouse(built)


@pytest.fixture(scope="module")
def foto(wh: Warehouse, trechter) -> dict:
    """Amsterdam's foto against its 10 nearest neighbours, from the real warehouse."""
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    group = peers.resolve(wh, fm, peers.GroupSpec(), "GM0363")
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("eigen"), "GM0363", "Amsterdam", group.members,
                        group.label(), wh.newest_indeling, wh.last_build(), trechter=trechter)


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
def env(tmp_path, built, monkeypatch):
    """For `etl vernieuw` tests: a snapshots root (links to the shipped folders), a copy of the shipped warehouse and a CBS
    replay with the 12 wijken-en-buurten tables and 85383NED; `run(names=..., dry_run=..., timeout=...)` refreshes."""
    snaps = tmp_path / "snapshots"
    snaps.mkdir()
    for f in SNAPSHOTS.iterdir():
        if f.is_dir() and not f.name.startswith((".", live.PREFIX)):
            (snaps / f.name).symlink_to(f)
    target = tmp_path / "warehouse.db"
    shutil.copy2(built, target)
    state = FakeCbs({**{wijkbuurt(y).info[0]["Identifier"]: wijkbuurt(y) for y in range(2013, 2025)}, "85383NED": fvw()})
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
