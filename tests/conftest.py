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
from portal.store import Warehouse  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def built() -> Path:
    if not WAREHOUSE.exists():
        build(WAREHOUSE, log=lambda _: None)
    return WAREHOUSE


@pytest.fixture(scope="session")
def wh(built: Path) -> Warehouse:
    return Warehouse(built)
