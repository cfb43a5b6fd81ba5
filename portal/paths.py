"""Where the project's data lives; overridable with PORTAL_DATA_DIR (tests build into a temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("PORTAL_DATA_DIR", ROOT / "data"))
SNAPSHOTS = ROOT / "data" / "snapshots"
LIVE = DATA / "snapshots"  # what `etl vernieuw` writes (live_* tables, staging, lock): in the data folder
REFERENCE = ROOT / "data" / "reference"
WAREHOUSE = DATA / "warehouse.db"
USERDATA = DATA / "userdata.db"
