"""The writable user database (never the warehouse): saved referentiegroepen. No Streamlit here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import sqlite_utils

from etl.paths import USERDATA
from portal.peers import GroupSpec

MAX_NAME = 80


class UserDataError(ValueError):
    """Input the user database refuses; the message is Dutch and meant for the user."""


class UserData:
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

    @contextmanager
    def _db(self) -> Iterator[sqlite_utils.Database]:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:  # commit on success, roll back on error
                yield sqlite_utils.Database(conn)
        finally:
            conn.close()

    def save_group(self, naam: str, code: str, spec: GroupSpec, members: list[str]) -> int:
        """Store a group with its members as they are now (so a later data build does not change a saved group)."""
        naam = (naam or "").strip()
        if not naam:
            raise UserDataError("Geef de referentiegroep een naam.")
        if len(naam) > MAX_NAME:
            raise UserDataError(f"De naam is te lang ({len(naam)} tekens; maximaal {MAX_NAME}).")
        if not members:
            raise UserDataError("Een lege referentiegroep kan niet worden opgeslagen: voeg eerst gemeenten toe.")
        with self._db() as db:
            if db.execute("select 1 from referentiegroepen where naam = ?", [naam]).fetchone():
                raise UserDataError(f"Er is al een referentiegroep met de naam '{naam}'. Kies een andere naam.")
            table = db["referentiegroepen"]
            table.insert({"naam": naam, "gemeente_code": code, "spec": json.dumps(asdict(spec)), "leden": json.dumps(members),
                          "aangemaakt": datetime.now().isoformat(timespec="seconds")})
            return int(table.last_pk)

    def groups(self) -> list[dict]:
        with self._db() as db:
            return list(db.query("select id, naam, gemeente_code, leden, aangemaakt from referentiegroepen order by naam"))

    def group(self, group_id: int) -> tuple[str, str, GroupSpec, list[str]] | None:
        """(naam, gemeente_code, spec, leden) of a saved group, or None."""
        with self._db() as db:
            rows = list(db.query("select * from referentiegroepen where id = ?", [group_id]))
        if not rows:
            return None
        r = rows[0]
        raw = json.loads(r["spec"])
        spec = GroupSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
        return r["naam"], r["gemeente_code"], spec, json.loads(r["leden"])
