"""The connection to the writable user database (never the warehouse) and its schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from portal.paths import USERDATA


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class Store:
    """One short-lived connection per operation: Streamlit serves sessions from several threads."""

    def __init__(self, path: Path = USERDATA):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._db() as db:
            db.execute("pragma journal_mode=wal")
            if "referentiegroepen" not in db.table_names():
                db["referentiegroepen"].create(
                    {"id": int, "naam": str, "gemeente_code": str, "spec": str, "leden": str, "aangemaakt": str},
                    pk="id", not_null={"naam", "gemeente_code", "spec", "leden"},
                )
                db["referentiegroepen"].create_index(["naam"], unique=True)
            if "visitaties" not in db.table_names():
                db["visitaties"].create(
                    {"id": int, "gemeente_code": str, "titel": str, "periode": str, "status": str, "groep": str, "team": str,
                     "contacten": str, "datums": str, "themas": str, "normen": str, "foto": str, "foto_bevroren": str,
                     "versie": int, "gewijzigd": str, "door": str, "aangemaakt": str},
                    pk="id", not_null={"gemeente_code", "titel", "status", "versie"})
                db["items"].create(
                    {"id": int, "visitatie_id": int, "soort": str, "thema": str, "indicator": str, "tekst": str,
                     "prioriteit": str, "verwijderd": int, "versie": int, "gewijzigd": str, "door": str},
                    pk="id", not_null={"visitatie_id", "soort", "tekst", "versie"}, foreign_keys=[("visitatie_id", "visitaties")])
                db["items"].create_index(["visitatie_id"])
                db["historie"].create(
                    {"id": int, "visitatie_id": int, "onderdeel": str, "onderdeel_id": int, "versie": int, "wie": str,
                     "wanneer": str, "wat": str, "inhoud": str}, pk="id")
                db["historie"].create_index(["visitatie_id"])
            if "accounts" not in db.table_names():
                db["accounts"].create({"naam": str, "rol": str, "gemeente_code": str, "wachtwoord_hash": str, "aangemaakt": str},
                                      pk="naam", not_null={"rol", "wachtwoord_hash"})

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite_utils.Database]:
        """A connection for one operation. write=True takes the write lock first, so a version check and the update that
        follows it cannot interleave with another writer's (read-check-write is one serialised step)."""
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:  # commit on success, roll back on error
                if write:
                    conn.execute("begin immediate")
                yield sqlite_utils.Database(conn)
        finally:
            conn.close()
