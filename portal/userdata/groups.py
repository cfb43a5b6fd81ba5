"""Saved referentiegroepen: a group with its members as they were when saved."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from portal.peers import GroupSpec
from portal.userdata.db import Store
from portal.userdata.errors import UserDataError

MAX_NAME = 80


class Groups(Store):
    def save_group(self, naam: str, code: str, spec: GroupSpec, members: list[str]) -> int:
        """Store a group with its members as they are now (so a later data build does not change a saved group)."""
        naam = (naam or "").strip()
        if not naam:
            raise UserDataError("Geef de referentiegroep een naam.")
        if len(naam) > MAX_NAME:
            raise UserDataError(f"De naam is te lang ({len(naam)} tekens; maximaal {MAX_NAME}).")
        if not members:
            raise UserDataError("Een lege referentiegroep kan niet worden opgeslagen: voeg eerst gemeenten toe.")
        with self._db(write=True) as db:
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
