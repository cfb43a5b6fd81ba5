"""Where the project's data lives. The shipped snapshots and reference files are in the checkout; the data folder (the
warehouse, the user database, what `etl vernieuw` fetches) is PORTAL_DATA_DIR, else data/ in the checkout.

Code reads the data folder's files from `settings` when it needs them, so one object says where they are and a test
points it elsewhere (tests/conftest.py: the `data_folder` fixture)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "data" / "snapshots"
REFERENCE = ROOT / "data" / "reference"


@dataclass
class Settings:
    """The files of the data folder."""

    warehouse: Path
    userdata: Path
    eigenbestand: Path  # the own client files of gemeenten (portal.eigen.store)
    pseudo_key: Path  # the installation's key for pseudonymising client numbers (portal.eigen.pseudo)
    live: Path  # what `etl vernieuw` writes (live_* tables, staging, lock)

    @classmethod
    def in_folder(cls, data: Path) -> Settings:
        return cls(data / "warehouse.db", data / "userdata.db", data / "eigenbestand.db", data / "eigen_sleutel",
                   data / "snapshots")


settings = Settings.in_folder(Path(os.environ.get("PORTAL_DATA_DIR", ROOT / "data")))

def vandaag() -> dt.date:
    """Today, or the ISO date in PORTAL_VANDAAG: what counts as "more than 3 years old" and as a month that has passed.
    The tests pin it (tests/conftest.py), so that their shipped figures do not turn old under them as the years pass."""
    pinned = os.environ.get("PORTAL_VANDAAG")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


_FORMER = {"WAREHOUSE": "warehouse", "USERDATA": "userdata", "LIVE": "live"}


def __getattr__(name: str) -> Path:
    """The former constants WAREHOUSE, USERDATA and LIVE, read from `settings` when asked (a `from portal.paths import
    WAREHOUSE` keeps the value of that moment: enough for a command that runs once)."""
    if name in _FORMER:
        return getattr(settings, _FORMER[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
