"""Test setup: one warehouse built from the shipped snapshots into a temporary data folder, shared by all tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Must be set before portal.paths is imported anywhere: the portal then reads this warehouse, not data/warehouse.db.
os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-test-"))

import pytest  # noqa: E402

from etl.build import build  # noqa: E402
from portal.paths import WAREHOUSE  # noqa: E402
from portal import peers  # noqa: E402
from portal import visitatie as vt  # noqa: E402
from portal.store import Warehouse  # noqa: E402
from portal.userdata import UserData  # noqa: E402

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
def foto(wh: Warehouse) -> dict:
    """Amsterdam's foto against its 10 nearest neighbours, from the real warehouse."""
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    group = peers.resolve(wh, fm, peers.GroupSpec(), "GM0363")
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("eigen"), "GM0363", "Amsterdam", group.members,
                        group.label(), wh.newest_indeling, wh.last_build())


@pytest.fixture
def ud(tmp_path: Path) -> UserData:
    """An empty user database of its own."""
    return UserData(tmp_path / "user.db")
