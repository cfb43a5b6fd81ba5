"""The `herkomst` rows of the warehouse: where every data file of every snapshot folder the build read comes from.

A folder fetched from CBS (`etl.cbs.write_snapshot`) carries a herkomst.json with table, title, CBS's modification date,
fetch time and per file its row count; the checksum recorded here is computed from the file itself. A shipped folder has
only PROVENANCE.md and SHA256SUMS: its title is the first heading of PROVENANCE.md, the table id is read from the file
name (else the folder name) where it holds one, and CSV rows are counted.
Documentation files (*.md) are not data files and get no row.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from etl.snapshot import sha256
from etl.validate import Collector

LIVE = "CBS-vernieuwing"
SHIPPED = "meegeleverd"
TABLE_ID = re.compile(r"(?<![0-9])([0-9]{5}(?:NED|ned|KSZ|ksz))(?![A-Za-z])")
COLUMNS = ("snapshot", "bestand", "tabel", "titel", "soort", "cbs_gewijzigd", "opgehaald", "rijen", "sha256")


def count_rows(path: Path) -> int | None:
    """Data rows of a CSV file (records after the header, blank lines not counted); None for other files."""
    if path.suffix.lower() != ".csv":
        return None
    with path.open(encoding="utf-8", errors="replace", newline="") as f:  # a few shipped files are latin-1: bytes suffice
        return max(sum(1 for r in csv.reader(f) if r) - 1, 0)


def _sums(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in filter(str.strip, (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()):
        digest, name = line.split(maxsplit=1)
        out[name] = digest
    return out


def _title(folder: Path) -> str | None:
    try:
        lines = (folder / "PROVENANCE.md").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((ln.lstrip("#").strip() for ln in lines if ln.startswith("# ")), None)


def _table_id(name: str) -> str | None:
    m = TABLE_ID.search(name)
    return m[1] if m else None


def folder_rows(folder: Path) -> list[dict]:
    """One row per data file of one snapshot folder (fetched or shipped)."""
    herkomst = folder / "herkomst.json"
    if herkomst.is_file():  # the checksum is of the file as it is now (`etl check` compares it with herkomst.json)
        try:
            h = json.loads(herkomst.read_text(encoding="utf-8"))
            files = dict(h.get("bestanden") or {})
        except (OSError, ValueError, TypeError, AttributeError):
            col = Collector()
            col.add(f"{folder.name}/herkomst.json", None, None, "onleesbaar; haal de tabel opnieuw op (python3 dev.py etl vernieuw) "
                    "of verwijder de map, dan gelden de meegeleverde snapshots")
            col.raise_if_any()
        return [{"snapshot": folder.name, "bestand": name, "tabel": h.get("tabel"), "titel": h.get("titel"), "soort": LIVE,
                 "cbs_gewijzigd": h.get("cbs_gewijzigd"), "opgehaald": h.get("opgehaald"),
                 "rijen": meta["rijen"] if "rijen" in meta else count_rows(folder / name), "sha256": sha256(folder / name)}
                for name, meta in sorted(files.items()) if not name.endswith(".md") and (folder / name).is_file()]
    title, sums = _title(folder), _sums(folder)  # the build verified these SHA256SUMS before reading the folder
    return [{"snapshot": folder.name, "bestand": name, "tabel": _table_id(name) or _table_id(folder.name), "titel": title,
             "soort": SHIPPED, "cbs_gewijzigd": None, "opgehaald": None, "rijen": count_rows(folder / name), "sha256": digest}
            for name, digest in sorted(sums.items()) if not name.endswith(".md")]


def rows(snapshots: Path, folders: list[str]) -> list[dict]:
    """The herkomst rows of every folder the build reads (etl.build.snapshot_folders: shipped plus fetched)."""
    return [r for f in folders for r in folder_rows(snapshots / f)]
