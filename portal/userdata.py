"""The writable user database (never the warehouse): saved referentiegroepen. No Streamlit here."""

from __future__ import annotations

import json
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
    def __init__(self, path: Path = USERDATA):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        self.db.execute("pragma journal_mode=wal")
        if "referentiegroepen" not in self.db.table_names():
            self.db["referentiegroepen"].create(
                {"id": int, "naam": str, "gemeente_code": str, "spec": str, "leden": str, "aangemaakt": str},
                pk="id", not_null={"naam", "gemeente_code", "spec", "leden"},
            )
            self.db["referentiegroepen"].create_index(["naam"], unique=True)

    def save_group(self, naam: str, code: str, spec: GroupSpec, members: list[str]) -> int:
        """Store a group with its members as they are now (so a later data build does not change a saved group)."""
        naam = (naam or "").strip()
        if not naam:
            raise UserDataError("Geef de referentiegroep een naam.")
        if len(naam) > MAX_NAME:
            raise UserDataError(f"De naam is te lang ({len(naam)} tekens; maximaal {MAX_NAME}).")
        if not members:
            raise UserDataError("Een lege referentiegroep kan niet worden opgeslagen: voeg eerst gemeenten toe.")
        if self.db.execute("select 1 from referentiegroepen where naam = ?", [naam]).fetchone():
            raise UserDataError(f"Er is al een referentiegroep met de naam '{naam}'. Kies een andere naam.")
        table = self.db["referentiegroepen"]
        table.insert({"naam": naam, "gemeente_code": code, "spec": json.dumps(asdict(spec)), "leden": json.dumps(members),
                      "aangemaakt": datetime.now().isoformat(timespec="seconds")})
        return int(table.last_pk)

    def groups(self) -> list[dict]:
        return list(self.db.query("select id, naam, gemeente_code, leden, aangemaakt from referentiegroepen order by naam"))

    def group(self, group_id: int) -> tuple[str, str, GroupSpec, list[str]] | None:
        """(naam, gemeente_code, spec, leden) of a saved group, or None."""
        rows = list(self.db.query("select * from referentiegroepen where id = ?", [group_id]))
        if not rows:
            return None
        r = rows[0]
        raw = json.loads(r["spec"])
        spec = GroupSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
        return r["naam"], r["gemeente_code"], spec, json.loads(r["leden"])

    def delete_group(self, group_id: int) -> None:
        self.db["referentiegroepen"].delete_where("id = ?", [group_id])
