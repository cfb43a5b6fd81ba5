"""The writable user database (never the warehouse): saved referentiegroepen, visitaties with their notes, findings and
full edit history, and (optionally) user accounts. No Streamlit here.

Every visitatie record and every note carries a version number. An update names the version it was based on; if someone
else saved in between, the update is refused with a `Conflict` holding both texts, so nobody's work is overwritten."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from portal.paths import USERDATA
from portal import metrics
from portal import visitatie as vt
from portal.peers import GroupSpec

MAX_NAME = 80
MAX_TITEL = 120
ROLLEN = ("beheer", "visitatieteam", "gemeente")
EXPORT_FORMAAT = "bijstandsportaal-visitatie"
EXPORT_VERSIE = 1
# Visitatie fields stored as JSON text, and the ones a restore from the history may put back (never status or foto:
# a frozen foto stays frozen and the status only moves forward).
JSON_FIELDS = ("groep", "team", "contacten", "datums", "themas", "normen", "foto")
RESTORABLE = ("titel", "periode", "groep", "team", "contacten", "datums", "themas", "normen")
VELD_NAMEN = {"titel": "titel", "periode": "periode", "groep": "referentiegroep", "team": "team", "contacten": "contactpersonen",
              "datums": "data", "themas": "thema's", "normen": "normen", "status": "status", "foto": "cijfermatige foto",
              "tekst": "tekst", "thema": "thema", "indicator": "indicator", "soort": "soort", "prioriteit": "prioriteit",
              "verwijderd": "verwijderd"}


class UserDataError(ValueError):
    """Input the user database refuses; the message is Dutch and meant for the user."""


class Conflict(UserDataError):
    """Someone else saved this record after you opened it. Holds both versions so the user can compare and merge."""

    def __init__(self, field: str, mine, theirs, versie: int, door: str, wanneer: str):
        self.field, self.mine, self.theirs, self.versie, self.door, self.wanneer = field, mine, theirs, versie, door, wanneer
        super().__init__(f"{door} heeft dit op {vt.nl_datetime(wanneer)} al gewijzigd (versie {versie}). Uw wijziging is nog "
                         "niet opgeslagen: vergelijk beide teksten en sla een samengevoegde tekst op.")


@dataclass(frozen=True)
class Gebruiker:
    naam: str
    rol: str
    gemeente_code: str | None = None
    lokaal: bool = False


def local_user() -> Gebruiker:
    """Without configured accounts the portal runs for one person on their own machine, who may do everything."""
    try:
        naam = getpass.getuser()
    except (KeyError, OSError):
        naam = "lokaal"
    return Gebruiker(naam, "beheer", None, lokaal=True)


def may_create(user: Gebruiker) -> bool:
    return user.rol in ("beheer", "visitatieteam")


def may_open(user: Gebruiker, v: dict) -> bool:
    """Beheer, the visitatie's own team members and the visited gemeente's users; nobody else."""
    if user.rol == "beheer":
        return True
    if user.rol == "visitatieteam":
        return user.naam in {m.get("gebruiker") for m in v["team"]}
    return user.rol == "gemeente" and user.gemeente_code == v["gemeente_code"]


def legacy_norm_notes(normen: dict) -> list[dict]:
    """Norms on key figures of an earlier version: not carried over (the new figure has another definition), but kept
    as an observation in the dossier so nothing the team set is lost."""
    notes = []
    for old, value in normen.items():
        if old in vt.LEGACY:
            new = vt.LEGACY[old]
            notes.append({"soort": "Observatie", "thema": vt.KERN_BY_ID[new].thema, "indicator": new, "prioriteit": None,
                          "tekst": f"Norm uit het ingelezen bestand niet overgenomen: {old} = {value}. Die indicator is vervangen "
                                  f"door '{metrics.get(new).label}', met een andere definitie; zet zo nodig een nieuwe norm."})
    return notes


def may_edit(user: Gebruiker, v: dict) -> bool:
    """The team and beheer write the dossier; the visited gemeente reads it (and may set norms, see may_set_norms)."""
    return may_open(user, v) and user.rol in ("beheer", "visitatieteam")


def may_set_norms(user: Gebruiker, v: dict) -> bool:
    return may_open(user, v)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


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

    # ---- accounts (optional; without any the portal is in local one-person mode) --------------------------------------
    def has_accounts(self) -> bool:
        with self._db() as db:
            return bool(db.execute("select count(*) from accounts").fetchone()[0])

    def add_account(self, naam: str, wachtwoord: str, rol: str, gemeente_code: str | None = None) -> None:
        naam = (naam or "").strip()
        if not naam:
            raise UserDataError("Geef een gebruikersnaam.")
        if rol not in ROLLEN:
            raise UserDataError(f"Onbekende rol '{rol}'; kies uit {', '.join(ROLLEN)}.")
        if rol == "gemeente" and not gemeente_code:
            raise UserDataError("Een gebruiker met rol 'gemeente' hoort bij een gemeente: geef de gemeentecode (GMxxxx).")
        if len(wachtwoord or "") < 10:
            raise UserDataError("Het wachtwoord moet minstens 10 tekens hebben.")
        with self._db() as db:
            if db.execute("select 1 from accounts where naam = ?", [naam]).fetchone():
                raise UserDataError(f"Gebruiker '{naam}' bestaat al.")
            db["accounts"].insert({"naam": naam, "rol": rol, "gemeente_code": gemeente_code if rol == "gemeente" else None,
                                   "wachtwoord_hash": hash_password(wachtwoord), "aangemaakt": _now()})

    def accounts(self) -> list[dict]:
        with self._db() as db:
            return list(db.query("select naam, rol, gemeente_code, aangemaakt from accounts order by naam"))

    def remove_account(self, naam: str) -> bool:
        with self._db() as db:
            return db.execute("delete from accounts where naam = ?", [naam]).rowcount > 0

    def login(self, naam: str, wachtwoord: str) -> Gebruiker | None:
        with self._db() as db:
            row = db.execute("select naam, rol, gemeente_code, wachtwoord_hash from accounts where naam = ?",
                             [(naam or "").strip()]).fetchone()
        if row is None or not check_password(wachtwoord or "", row[3]):
            return None
        return Gebruiker(row[0], row[1], row[2])

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
        if "titel" in fields:
            titel = (fields["titel"] or "").strip()
            if not titel:
                raise UserDataError("Geef de visitatie een titel.")
            if len(titel) > MAX_TITEL:
                raise UserDataError(f"De titel is te lang ({len(titel)} tekens; maximaal {MAX_TITEL}).")
            fields["titel"] = titel
        if "periode" in fields and not (fields["periode"] or "").strip():
            raise UserDataError("Geef de periode van de visitatie (bijvoorbeeld 'najaar 2026').")
        if "team" in fields:
            fields["team"] = [m for m in fields["team"] if (m.get("naam") or "").strip()]
        if "contacten" in fields:
            fields["contacten"] = [c for c in fields["contacten"] if (c.get("naam") or "").strip()]
        if "themas" in fields:
            themas = [t.strip() for t in fields["themas"] if t and t.strip()]
            if not themas:
                raise UserDataError("Houd minstens één thema over.")
            fields["themas"] = list(dict.fromkeys(themas))
        if "normen" in fields:
            unknown = set(fields["normen"]) - set(vt.KERN_BY_ID)
            if unknown:
                raise UserDataError(f"Normen voor onbekende indicatoren: {', '.join(sorted(unknown))}.")

    def create_visitatie(self, wie: str, gemeente_code: str, titel: str, periode: str, groep: dict, team: list[dict] | None = None,
                         contacten: list[dict] | None = None, datums: dict | None = None, themas: list[str] | None = None,
                         normen: dict | None = None) -> int:
        fields = {"gemeente_code": gemeente_code, "titel": titel, "periode": periode, "status": vt.STATUSSEN[0], "groep": groep,
                  "team": team or [], "contacten": contacten or [], "datums": datums or {},
                  "themas": list(themas or vt.DEFAULT_THEMAS), "normen": normen or {}, "foto": None, "foto_bevroren": None}
        self._check_fields(fields)
        with self._db() as db:
            return self._insert_visitatie(db, wie, fields, "aangemaakt")

    def _insert_visitatie(self, db, wie: str, fields: dict, wat: str) -> int:
        now = _now()
        row = {**fields, "versie": 1, "gewijzigd": now, "door": wie, "aangemaakt": now}
        table = db["visitaties"]
        table.insert(self._encode(row))
        vid = int(table.last_pk)
        self._log(db, vid, "visitatie", vid, 1, wie, wat, {k: row[k] for k in RESTORABLE + ("status",)})
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

    def update_visitatie(self, vid: int, versie: int, wie: str, changes: dict, wat: str | None = None) -> int:
        """Apply `changes` if the record is still at `versie`; returns the new version. Raises Conflict otherwise."""
        changes = dict(changes)
        self._check_fields(changes)
        with self._db(write=True) as db:
            cur = self._decode(next(iter(db.query("select * from visitaties where id = ?", [vid])), None) or {})
            if not cur:
                raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
            if cur["versie"] != versie:
                field = next(iter(changes), "")
                raise Conflict(field, changes.get(field), cur.get(field), cur["versie"], cur["door"], cur["gewijzigd"])
            changed = {k: v for k, v in changes.items() if cur.get(k) != v}
            if not changed:
                return versie
            new = {**cur, **changed, "versie": versie + 1, "gewijzigd": _now(), "door": wie}
            db["visitaties"].update(vid, self._encode({k: new[k] for k in (*changed, "versie", "gewijzigd", "door")}))
            self._log(db, vid, "visitatie", vid, versie + 1, wie,
                      wat or "gewijzigd: " + ", ".join(VELD_NAMEN.get(k, k) for k in changed),
                      {k: new[k] for k in RESTORABLE + ("status",)})
            return versie + 1

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

    # ---- notes, findings and recommendations ----------------------------------------------------------------------------
    @staticmethod
    def _check_item(fields: dict) -> None:
        soort = fields.get("soort")
        if soort not in vt.NOTITIE_SOORTEN + vt.BEVINDING_SOORTEN:
            raise UserDataError(f"Onbekende soort '{soort}'.")
        if not (fields.get("tekst") or "").strip():
            raise UserDataError("Een lege tekst wordt niet opgeslagen: schrijf eerst iets op.")
        if fields.get("indicator") in vt.LEGACY:  # a note about a key figure of an earlier version stays with that figure
            fields["indicator"] = vt.LEGACY[fields["indicator"]]
        if fields.get("indicator") and fields["indicator"] not in vt.KERN_BY_ID:
            raise UserDataError(f"Onbekende indicator '{fields['indicator']}'.")
        fields["thema"] = vt.item_thema(soort, fields.get("thema"), fields.get("indicator"))
        if soort in vt.BEVINDING_SOORTEN:
            if fields.get("prioriteit") not in vt.PRIORITEITEN:
                raise UserDataError(f"Kies een prioriteit ({', '.join(vt.PRIORITEITEN)}).")
            if not (fields.get("thema") or fields.get("indicator")):
                raise UserDataError(f"Een {soort.lower()} rust op een thema of een indicator: kies er minstens één.")
        elif not fields.get("thema"):
            raise UserDataError("Kies het thema of de indicator waar deze notitie bij hoort.")

    def add_item(self, vid: int, wie: str, soort: str, tekst: str, thema: str | None = None, indicator: str | None = None,
                 prioriteit: str | None = None) -> int:
        fields = {"soort": soort, "tekst": (tekst or "").strip(), "thema": thema or None, "indicator": indicator or None,
                  "prioriteit": prioriteit if soort in vt.BEVINDING_SOORTEN else None}
        self._check_item(fields)
        with self._db() as db:
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
            if "tekst" in changes:
                new["tekst"] = (new["tekst"] or "").strip()
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
    def history(self, vid: int) -> list[dict]:
        with self._db() as db:
            rows = list(db.query("select * from historie where visitatie_id = ? order by id desc", [vid]))
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

    # ---- export and import ----------------------------------------------------------------------------------------------
    def export_visitatie(self, vid: int) -> dict:
        v = self.visitatie(vid)
        if v is None:
            raise UserDataError(f"Visitatie {vid} bestaat niet (meer).")
        return {"formaat": EXPORT_FORMAAT, "formaatversie": EXPORT_VERSIE, "geexporteerd": _now(),
                "visitatie": {k: v[k] for k in ("gemeente_code", "titel", "periode", "status", *JSON_FIELDS,
                                                "foto_bevroren")},
                "items": [{k: i[k] for k in ("soort", "tekst", "thema", "indicator", "prioriteit")} for i in self.items(vid)]}

    def import_visitatie(self, data: bytes | str, wie: str, known_codes: set[str] | None = None) -> int:
        """A visitatie from an exported file, always as a NEW visitatie (nothing existing is overwritten).

        Every problem is found before anything is written; the message lists them in Dutch."""
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise UserDataError("Dit is geen leesbaar JSON-bestand. Kies een bestand dat met 'Exporteer (JSON)' is gemaakt.") from None
        if not isinstance(doc, dict) or doc.get("formaat") != EXPORT_FORMAAT:
            raise UserDataError("Dit bestand is geen visitatie-export van dit portaal (het veld 'formaat' ontbreekt of klopt niet).")
        versie = doc.get("formaatversie")
        if not isinstance(versie, int):
            raise UserDataError("Dit bestand heeft geen formaatversie: het komt uit een oudere of onbekende versie van het portaal "
                                f"en kan niet veilig worden ingelezen. Dit portaal leest formaatversie {EXPORT_VERSIE}.")
        if versie > EXPORT_VERSIE:
            raise UserDataError(f"Dit bestand heeft formaatversie {versie} en komt uit een nieuwere versie van het portaal; dit "
                                f"portaal leest tot en met versie {EXPORT_VERSIE}. Werk het portaal eerst bij.")
        v = doc.get("visitatie")
        if not isinstance(v, dict):
            raise UserDataError("In het bestand ontbreekt het onderdeel 'visitatie'.")
        problems = [f"veld '{k}' ontbreekt" for k in ("gemeente_code", "titel", "periode", "status", "groep") if k not in v]
        if "status" in v and v["status"] not in vt.STATUSSEN:
            problems.append(f"onbekende status '{v['status']}'")
        if isinstance(v.get("groep"), dict) and not isinstance(v["groep"].get("leden"), list):
            problems.append("de referentiegroep heeft geen ledenlijst")
        if v.get("status", "voorbereiding") != "voorbereiding" and not v.get("foto"):
            problems.append("de visitatie is voorbij de voorbereiding maar de bevroren foto ontbreekt")
        if known_codes is not None and v.get("gemeente_code") not in known_codes:
            problems.append(f"gemeentecode '{v.get('gemeente_code')}' bestaat niet in de gemeentelijke indeling van dit portaal")
        items = doc.get("items", [])
        for n, item in enumerate(items if isinstance(items, list) else [], start=1):
            missing = [k for k in ("soort", "tekst") if not isinstance(item, dict) or k not in item]
            if missing:
                problems.append(f"notitie {n}: veld {', '.join(repr(m) for m in missing)} ontbreekt")
        if not isinstance(items, list):
            problems.append("'items' is geen lijst")
        if problems:
            raise UserDataError("Het bestand kan niet worden ingelezen: " + "; ".join(problems) + ". Er is niets opgeslagen.")
        fields = {"gemeente_code": v["gemeente_code"], "titel": v["titel"], "periode": v["periode"], "status": v["status"],
                  "groep": v["groep"], "team": v.get("team") or [], "contacten": v.get("contacten") or [],
                  "datums": v.get("datums") or {}, "themas": v.get("themas") or list(vt.DEFAULT_THEMAS),
                  "normen": v.get("normen") or {}, "foto": v.get("foto"), "foto_bevroren": v.get("foto_bevroren")}
        try:
            legacy = legacy_norm_notes(fields["normen"]) if isinstance(fields["normen"], dict) else []
            fields["normen"] = {k: n for k, n in fields["normen"].items() if k not in vt.LEGACY} if legacy else fields["normen"]
            self._check_fields(fields)
            clean = legacy
            for item in items:
                f = {"soort": item["soort"], "tekst": (item["tekst"] or "").strip(), "thema": item.get("thema"),
                     "indicator": item.get("indicator"), "prioriteit": item.get("prioriteit")}
                self._check_item(f)
                clean.append(f)
        except UserDataError as e:
            raise UserDataError(f"Het bestand kan niet worden ingelezen: {e} Er is niets opgeslagen.") from None
        with self._db() as db:  # one transaction: all or nothing
            vid = self._insert_visitatie(db, wie, fields, f"geïmporteerd uit bestand (geëxporteerd {doc.get('geexporteerd', '?')})")
            for f in clean:
                self._insert_item(db, vid, wie, f)
        return vid
