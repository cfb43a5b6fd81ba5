"""Visitaties, their notes and findings, and the full edit history of both.

Every visitatie record and every note carries a version number. An update names the version it was based on; if someone
else saved in between, the update is refused with a `Conflict` holding both texts, so nobody's work is overwritten."""

from __future__ import annotations

import json

from portal import visitatie as vt
from portal.access import Gebruiker, may_see
from portal.userdata.checks import MAX_TITEL, check_item, check_visitatie, normalised
from portal.userdata.db import Store, now as _now
from portal.userdata.errors import Conflict, UserDataError

__all__ = ["MAX_TITEL", "Dossiers", "merge"]
# Visitatie fields stored as JSON text, and the ones a restore from the history may put back (never status or foto:
# a frozen foto stays frozen and the status only moves forward).
JSON_FIELDS = ("groep", "team", "contacten", "datums", "themas", "normen", "foto", "eigen_bestand")
RESTORABLE = ("titel", "periode", "groep", "team", "contacten", "datums", "themas", "normen")
VELD_NAMEN = {"titel": "titel", "periode": "periode", "groep": "referentiegroep", "team": "team", "contacten": "contactpersonen",
              "datums": "data", "themas": "thema's", "normen": "normen", "status": "status", "foto": "cijfermatige foto",
              "tekst": "tekst", "thema": "thema", "indicator": "indicator", "soort": "soort", "prioriteit": "prioriteit",
              "verwijderd": "verwijderd", "eigen_bestand": "cijfers uit het eigen bestand"}
# Kept in each history snapshot of a visitatie besides RESTORABLE (never put back by a restore).
LOGGED = ("status", "eigen_bestand")


def _sentences(problems: list[str]) -> str:
    """Dutch phrases as sentences: 'De titel is te lang (…). Kies een prioriteit.'"""
    return " ".join(x[0].upper() + x[1:] + ("" if x.endswith(".") else ".") for x in problems)


def merge(cur: dict, basis: dict, mine: dict) -> tuple[dict, dict]:
    """(what to store, conflicts) for a save of `mine` made on a form that showed `basis`, now that `cur` is stored.

    A field unchanged on the form is left alone; one that only this writer changed is stored; one that someone else
    changed meanwhile to something else is a conflict (field -> (mine, theirs)). Dict fields (normen, datums) are
    compared per key, so different keys changed by two people merge without a word."""
    out, clash = {}, {}
    for k, new in mine.items():
        old, now = basis.get(k), cur.get(k)
        if new == old or now == new:
            continue
        if now == old:
            out[k] = new
            continue
        if isinstance(new, dict) and isinstance(old, dict) and isinstance(now, dict):
            merged, ok = dict(now), True
            for key in dict.fromkeys([*old, *new]):
                o, n, m = old.get(key), now.get(key), new.get(key)
                if m == o or n == m:
                    continue
                if n != o:
                    ok = False
                    break
                merged[key] = m
            if ok:
                merged = {x: y for x, y in merged.items() if y is not None} if k == "normen" else merged
                if merged != now:
                    out[k] = merged
                continue
        clash[k] = (new, now)
    return out, clash


class Dossiers(Store):
    # ---- visitaties ---------------------------------------------------------------------------------------------------
    @staticmethod
    def _decode(row: dict) -> dict:
        return {k: (json.loads(v) if k in JSON_FIELDS and v is not None else v) for k, v in row.items()}

    @staticmethod
    def _encode(fields: dict) -> dict:
        return {k: (json.dumps(v, ensure_ascii=False) if k in JSON_FIELDS and v is not None else v) for k, v in fields.items()}

    @staticmethod
    def _log(db, vid: int, onderdeel: str, oid: int, versie: int, wie: str, wat: str, inhoud: dict) -> None:
        db["historie"].insert({"visitatie_id": vid, "onderdeel": onderdeel, "onderdeel_id": oid, "versie": versie, "wie": wie,
                               "wanneer": _now(), "wat": wat, "inhoud": json.dumps(inhoud, ensure_ascii=False)})

    @staticmethod
    def _check_fields(fields: dict) -> None:
        problems = check_visitatie(fields)
        if problems:
            raise UserDataError(_sentences(problems))

    def create_visitatie(self, wie: str, gemeente_code: str, titel: str, periode: str, groep: dict, team: list[dict] | None = None,
                         contacten: list[dict] | None = None, datums: dict | None = None, themas: list[str] | None = None,
                         normen: dict | None = None) -> int:
        fields = {"gemeente_code": gemeente_code, "titel": titel, "periode": periode, "status": vt.STATUSSEN[0], "groep": groep,
                  "team": team or [], "contacten": contacten or [], "datums": datums or {},
                  "themas": list(themas or vt.DEFAULT_THEMAS), "normen": normen or {}, "foto": None, "foto_bevroren": None}
        self._check_fields(fields)
        with self._db(write=True) as db:
            return self._insert_visitatie(db, wie, fields, "aangemaakt")

    def _insert_visitatie(self, db, wie: str, fields: dict, wat: str) -> int:
        now = _now()
        row = {**fields, "versie": 1, "gewijzigd": now, "door": wie, "aangemaakt": now}
        table = db["visitaties"]
        table.insert(self._encode(row))
        vid = int(table.last_pk)
        self._log(db, vid, "visitatie", vid, 1, wie, wat, {k: row.get(k) for k in RESTORABLE + LOGGED})
        return vid

    def visitatie(self, vid: int) -> dict | None:
        with self._db() as db:
            rows = list(db.query("select * from visitaties where id = ?", [vid]))
        return self._decode(rows[0]) if rows else None

    def visitaties(self) -> list[dict]:
        with self._db() as db:
            rows = list(db.query("select id, gemeente_code, titel, periode, status, team, gewijzigd, door from visitaties "
                                 "order by gewijzigd desc"))
        return [self._decode(r) for r in rows]

    def update_visitatie(self, vid: int, versie: int, wie: str, changes: dict, wat: str | None = None,
                         basis: dict | None = None) -> int:
        """Apply `changes`; returns the new version. Raises Conflict when someone else saved in between.

        Without `basis` the record must still be at `versie`. With `basis` (the values of the changed fields as the
        form showed them when it was opened) the check is per field: a field this save leaves as it was keeps what
        others stored meanwhile; a field both changed (differently) is a Conflict naming it with both values. Norms
        and dates are checked per indicator and per date, so two people setting different norms do not clash."""
        changes = dict(changes)
        self._check_fields(changes)
        with self._db(write=True) as db:
            cur = self._decode(next(iter(db.query("select * from visitaties where id = ?", [vid])), None) or {})
            if not cur:
                raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
            if basis is None:
                if cur["versie"] != versie:
                    clash = {k: (v, cur.get(k)) for k, v in changes.items() if cur.get(k) != v} or \
                        {k: (v, cur.get(k)) for k, v in changes.items()}
                    raise self._conflict(clash, cur)
                changed = {k: v for k, v in changes.items() if cur.get(k) != v}
            else:
                # Compared in the form a save stores, so a row saved as "" and one saved without that field agree.
                changed, clash = merge(normalised({k: cur.get(k) for k in changes}), normalised(basis), changes)
                if clash:
                    raise self._conflict(clash, cur)
            if not changed:
                return cur["versie"]
            new = {**cur, **changed, "versie": cur["versie"] + 1, "gewijzigd": _now(), "door": wie}
            db["visitaties"].update(vid, self._encode({k: new[k] for k in (*changed, "versie", "gewijzigd", "door")}))
            self._log(db, vid, "visitatie", vid, new["versie"], wie,
                      wat or "gewijzigd: " + ", ".join(VELD_NAMEN.get(k, k) for k in changed),
                      {k: new.get(k) for k in RESTORABLE + LOGGED})
            return new["versie"]

    @staticmethod
    def _conflict(clash: dict, cur: dict) -> Conflict:
        field = next(iter(clash), "")
        return Conflict(field, *clash.get(field, (None, None)), cur["versie"], cur["door"], cur["gewijzigd"], velden=clash,
                        namen=", ".join(f"'{VELD_NAMEN.get(k, k)}'" for k in clash) or "de visitatie")

    def advance_status(self, vid: int, versie: int, wie: str, foto: dict | None) -> int:
        """Move to the next status. Leaving voorbereiding freezes the foto (it must be given then)."""
        v = self.visitatie(vid)
        if v is None:
            raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
        i = vt.STATUSSEN.index(v["status"])
        if i + 1 >= len(vt.STATUSSEN):
            raise UserDataError("Deze visitatie is al afgerond.")
        nxt = vt.STATUSSEN[i + 1]
        changes: dict = {"status": nxt}
        if v["foto_bevroren"] is None:
            if foto is None:
                raise UserDataError("Er is geen cijfermatige foto om te bevriezen.")
            changes |= {"foto": foto, "foto_bevroren": _now()}
        return self.update_visitatie(vid, versie, wie, changes, wat=f"status: {v['status']} → {nxt}"
                                     + (" (cijfermatige foto bevroren)" if "foto" in changes else ""))

    def share_own_file(self, vid: int, user: Gebruiker, share: bool) -> int:
        """The gemeente's choice to include (or no longer include) figures from its own client file in the foto: only
        someone who may see that file (its own users, beheer) decides, and only before the foto is frozen."""
        v = self.visitatie(vid)
        if v is None:
            raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
        if not may_see(user, v["gemeente_code"]):
            raise UserDataError("Alleen de gemeente zelf en beheer kunnen cijfers uit het eigen cliëntbestand in de foto "
                                "opnemen; het visitatieteam ziet ze pas als de gemeente dat doet.")
        if v["foto_bevroren"]:
            raise UserDataError("De foto is al bevroren: wat erin staat verandert niet meer, ook de cijfers uit het eigen "
                                "bestand niet.")
        if bool(v.get("eigen_bestand")) == share:
            return v["versie"]
        value = {"door": user.naam, "wanneer": _now()} if share else None
        wat = "cijfers uit het eigen bestand " + ("opgenomen in de foto" if share else "uit de foto gehaald")
        return self.update_visitatie(vid, v["versie"], user.naam, {"eigen_bestand": value},
                                     basis={"eigen_bestand": v.get("eigen_bestand")}, wat=wat)

    # ---- notes, findings and recommendations ----------------------------------------------------------------------------
    @staticmethod
    def _check_item(fields: dict) -> None:
        problems = check_item(fields)
        if problems:
            raise UserDataError(_sentences(problems))

    def add_item(self, vid: int, wie: str, soort: str, tekst: str, thema: str | None = None, indicator: str | None = None,
                 prioriteit: str | None = None) -> int:
        fields = {"soort": soort, "tekst": (tekst or "").strip(), "thema": thema or None, "indicator": indicator or None,
                  "prioriteit": prioriteit if soort in vt.BEVINDING_SOORTEN else None}
        self._check_item(fields)
        with self._db(write=True) as db:
            if not db.execute("select 1 from visitaties where id = ?", [vid]).fetchone():
                raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
            return self._insert_item(db, vid, wie, fields)

    def _insert_item(self, db, vid: int, wie: str, fields: dict) -> int:
        row = {"visitatie_id": vid, **fields, "verwijderd": 0, "versie": 1, "gewijzigd": _now(), "door": wie}
        table = db["items"]
        table.insert(row)
        iid = int(table.last_pk)
        self._log(db, vid, "item", iid, 1, wie, f"{fields['soort'].lower()} toegevoegd", fields | {"verwijderd": 0})
        return iid

    def items(self, vid: int, deleted: bool = False) -> list[dict]:
        with self._db() as db:
            return list(db.query("select * from items where visitatie_id = ?" + ("" if deleted else " and verwijderd = 0")
                                 + " order by id", [vid]))

    def update_item(self, iid: int, versie: int, wie: str, changes: dict, wat: str | None = None) -> int:
        """Save an edit made on version `versie`; a Conflict (with both texts) if someone saved in between."""
        with self._db(write=True) as db:
            rows = list(db.query("select * from items where id = ?", [iid]))
            if not rows:
                raise UserDataError(f"Notitie {iid} bestaat niet (meer).")
            cur = rows[0]
            if cur["versie"] != versie:
                raise Conflict("tekst", changes.get("tekst"), cur["tekst"], cur["versie"], cur["door"], cur["gewijzigd"])
            new = {**cur, **changes}
            if isinstance(new["tekst"], str):
                new["tekst"] = new["tekst"].strip()
            if not new["verwijderd"]:
                self._check_item(new)
            changed = [k for k in changes if cur.get(k) != new[k]]
            if not changed:
                return versie
            db["items"].update(iid, {**{k: new[k] for k in changed}, "versie": versie + 1, "gewijzigd": _now(), "door": wie})
            self._log(db, cur["visitatie_id"], "item", iid, versie + 1, wie,
                      wat or f"{cur['soort'].lower()}: " + ", ".join(VELD_NAMEN.get(k, k) for k in changed) + " gewijzigd",
                      {k: new[k] for k in ("soort", "tekst", "thema", "indicator", "prioriteit", "verwijderd")})
            return versie + 1

    def delete_item(self, iid: int, versie: int, wie: str) -> int:
        """Soft delete: the item stays in the history and can be restored."""
        return self.update_item(iid, versie, wie, {"verwijderd": 1}, wat="verwijderd")

    # ---- history --------------------------------------------------------------------------------------------------------
    def history(self, vid: int, user: Gebruiker | None = None) -> list[dict]:
        """Every stored version, newest first. For a reader outside the team (the visited gemeente) without the notes
        and findings the team deleted: neither their deletion nor what they said before."""
        hide_deleted = user is not None and user.rol not in ("beheer", "visitatieteam")
        with self._db() as db:
            rows = list(db.query("select * from historie where visitatie_id = ?" + (
                " and not (onderdeel = 'item' and onderdeel_id in (select id from items where visitatie_id = ? "
                "and verwijderd = 1))" if hide_deleted else "") + " order by id desc", [vid, vid] if hide_deleted else [vid]))
        return [{**r, "inhoud": json.loads(r["inhoud"])} for r in rows]

    def restore(self, hid: int, wie: str) -> int:
        """Put the record back as it was in history entry `hid`, as a new version (nothing is removed from the history)."""
        with self._db() as db:
            rows = list(db.query("select * from historie where id = ?", [hid]))
        if not rows:
            raise UserDataError(f"Versie {hid} staat niet in de geschiedenis.")
        h = rows[0]
        old = json.loads(h["inhoud"])
        wat = f"hersteld naar versie {h['versie']} van {h['wanneer'].replace('T', ' ')}"
        if h["onderdeel"] == "visitatie":
            cur = self.visitatie(h["visitatie_id"])
            return self.update_visitatie(h["visitatie_id"], cur["versie"], wie, {k: old[k] for k in RESTORABLE}, wat=wat)
        cur = next(i for i in self.items(h["visitatie_id"], deleted=True) if i["id"] == h["onderdeel_id"])
        return self.update_item(cur["id"], cur["versie"], wie, old, wat=wat)
