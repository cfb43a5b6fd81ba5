"""The database of own client files (eigenbestand.db in the data folder): apart from the warehouse and the user database.

Tables: `uploads` (the history: every upload stays listed, a deleted or replaced one with verwijderd = 1), `spells`
(the pseudonymised spells of the uploads that are not deleted, SPELLS columns, dates as ISO text) and `mappings` (per
gemeente the last mapping, as JSON). Connections, migrations and transactions as in portal.userdata.db: every write is
one BEGIN IMMEDIATE transaction, so a failed upload changes nothing. Deleted rows are overwritten on disk
(secure_delete) and the write-ahead log is emptied after a delete.

Each upload is a whole file as of its peildatum (the last day of the month it describes). Uploading again for the
same month replaces that upload; real and synthetic uploads are separate and never replace or mix with each other.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import polars as pl
import sqlite_utils
from sqlite_utils.migrations import Migrations

from portal.eigen.episodes import covered
from portal.eigen.maanden import month_end
from portal.eigen.schema import SPELLS
from portal.indeling import is_gemeente_code
from portal.paths import settings
from portal.userdata.db import Store, now
from portal.userdata.errors import UserDataError

MIGRATIONS = Migrations("bijstandsportaal-eigenbestand")
COLUMNS = [c for c in SPELLS if c != "upload_id"]


@MIGRATIONS(name="0001_schema")
def _schema(db: sqlite_utils.Database) -> None:
    db["uploads"].create(
        {"id": int, "gemeente": str, "bestandsnaam": str, "peildatum": str, "maand_van": str, "maand_tot": str,
         "rijen": int, "geupload_door": str, "tijd": str, "synthetisch": int, "verwijderd": int, "verwijderd_op": str,
         "verwijderd_door": str, "vervangen_door": int},
        pk="id", not_null={"gemeente", "bestandsnaam", "peildatum", "rijen", "tijd", "synthetisch", "verwijderd"})
    db["uploads"].create_index(["gemeente", "verwijderd"])
    db["spells"].create(
        {"upload_id": int, "gemeente": str, "client": str, "begin": str, "einde": str, "reden": str, "leefvorm": str,
         "geboortejaar": int, "geslacht": str, "fasering": str, "bedrag": float, "synthetisch": int},
        not_null={"upload_id", "gemeente", "client", "begin", "leefvorm"}, foreign_keys=[("upload_id", "uploads")])
    db["spells"].create_index(["upload_id"])
    db["mappings"].create({"gemeente": str, "mapping": str, "gewijzigd": str, "door": str}, pk="gemeente",
                          not_null={"mapping"})


@MIGRATIONS(name="0002_releases")
def _releases(db: sqlite_utils.Database) -> None:
    """The frozen participant totals each viewing gemeente has been shown (portal.eigen.participants)."""
    db["releases"].create(
        {"id": int, "kijker": str, "groep": str, "versie": int, "tijd": str, "van": str, "tot": str, "bijdragers": str,
         "sporen": str, "cijfers": str}, pk="id",
        not_null={"kijker", "groep", "versie", "tijd", "van", "tot", "bijdragers", "sporen", "cijfers"})
    db["releases"].create_index(["kijker"])


@MIGRATIONS(name="0003_geboortedatum")
def _geboortedatum(db: sqlite_utils.Database) -> None:
    db["spells"].add_column("geboortedatum", str)  # ISO date; null when the file gives only a birth year or an age
    # maand_van was the month of the earliest begin: now the first month the file covers completely (as save does)
    for upload_id, peil in db.execute("select id, peildatum from uploads where verwijderd = 0").fetchall():
        ends = [r[0] for r in db.execute("select einde from spells where upload_id = ?", [upload_id]).fetchall()]
        frame = pl.DataFrame({"einde": ends}, schema={"einde": pl.String}).select(pl.col("einde").str.to_date("%Y-%m-%d"))
        got = covered(frame, date.fromisoformat(peil))
        if got is not None:
            db["uploads"].update(upload_id, {"maand_van": f"{got[0]:%Y-%m}"})


@MIGRATIONS(name="0004_bus_srg")
def _bus_srg(db: sqlite_utils.Database) -> None:
    """BUS and SRG uploads (portal.eigen.bus, portal.eigen.bus_store): per upload every spell with its statistiekcode
    and reden code, and the SRG voorzieningen with their own upload history."""
    from portal.eigen.bus_store import migrate

    migrate(db)


@MIGRATIONS(name="0005_bus_indicatoren")
def _bus_indicatoren(db: sqlite_utils.Database) -> None:
    """The monthly counts of a BUS upload's records by kenmerk (portal.eigen.bus_store.migrate_indicatoren)."""
    from portal.eigen.bus_store import migrate_indicatoren

    migrate_indicatoren(db)


@MIGRATIONS(name="0006_kenmerken_releases")
def _kenmerken_releases(db: sqlite_utils.Database) -> None:
    """The frozen kenmerken benchmarks each viewing gemeente has been shown (portal.eigen.bus_store)."""
    from portal.eigen.bus_store import migrate_kenmerken_releases

    migrate_kenmerken_releases(db)


DATES = [c for c, t in SPELLS.items() if t == pl.Date]


def _name(user) -> str:
    return getattr(user, "naam", user) or ""


class Eigenbestand(Store):
    """The own-file database at one path; one short-lived connection per operation."""

    migrations = MIGRATIONS

    def __init__(self, path: Path | None = None):
        super().__init__(path or settings.eigenbestand)

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        conn.execute("pragma secure_delete = on")
        conn.execute("pragma foreign_keys = on")
        return conn

    # --- uploads ---------------------------------------------------------------------------------------------------

    def save(self, gemeente: str, filename: str, spells: pl.DataFrame, peildatum: date, user, synthetisch: bool = False,
             extra=None) -> int:
        """Store an upload's spells; returns the upload id. A non-deleted upload of the same gemeente, peildatum month
        and kind (real or synthetic) is replaced in the same transaction; any failure stores nothing."""
        _check_gemeente(gemeente)
        if spells.height == 0:
            raise UserDataError("Het bestand bevat geen uitkeringsperioden; er is niets opgeslagen.")
        missing = [c for c in COLUMNS if c not in spells.columns]
        if missing:
            raise UserDataError("Het bestand is niet volledig verwerkt (ontbrekend: " + ", ".join(missing)
                                + "); er is niets opgeslagen.")
        peildatum = month_end(peildatum)
        frame = spells.select(COLUMNS).cast({c: t for c, t in SPELLS.items() if c != "upload_id"}).with_columns(
            gemeente=pl.lit(gemeente), synthetisch=pl.lit(bool(synthetisch)))
        # The months the file covers completely (portal.eigen.episodes.covered), not the earliest date in it.
        van, tot = covered(frame, peildatum) or (peildatum, peildatum)
        with self._db(write=True) as db:
            old = [r[0] for r in db.execute(
                "select id from uploads where gemeente = ? and peildatum = ? and synthetisch = ? and verwijderd = 0",
                [gemeente, peildatum.isoformat(), int(bool(synthetisch))]).fetchall()]
            upload_id = db["uploads"].insert({
                "gemeente": gemeente, "bestandsnaam": filename, "peildatum": peildatum.isoformat(),
                "maand_van": f"{van:%Y-%m}", "maand_tot": f"{tot:%Y-%m}", "rijen": frame.height,
                "geupload_door": _name(user), "tijd": now(), "synthetisch": int(bool(synthetisch)), "verwijderd": 0,
            }).last_pk
            db.conn.executemany(
                f"insert into spells (upload_id, {', '.join(COLUMNS)}) values (?{', ?' * len(COLUMNS)})",
                self._rows(frame, upload_id))
            for i in old:
                self._remove(db, i, _name(user), vervangen_door=upload_id)
            if extra is not None:  # e.g. a BUS upload's spells per statistiekcode (portal.eigen.bus_store), same transaction
                extra(db, upload_id)
        return upload_id

    @staticmethod
    def _rows(frame: pl.DataFrame, upload_id: int):
        """The rows to insert: dates as ISO text, booleans as 0/1."""
        out = frame.with_columns(pl.col(DATES).dt.to_string("%Y-%m-%d"), pl.col("synthetisch").cast(pl.Int8),
                                 pl.lit(upload_id).alias("upload_id")).select(["upload_id", *COLUMNS])
        return out.iter_rows()

    @staticmethod
    def _remove(db: sqlite_utils.Database, upload_id: int, door: str, vervangen_door: int | None = None) -> None:
        db.execute("delete from spells where upload_id = ?", [upload_id])
        db.execute("delete from bus_spells where upload_id = ?", [upload_id])
        db.execute("delete from bus_indicatoren where upload_id = ?", [upload_id])
        db["uploads"].update(upload_id, {"verwijderd": 1, "verwijderd_op": now(), "verwijderd_door": door,
                                         "vervangen_door": vervangen_door})

    def delete(self, gemeente: str, upload_id: int, door: str = "") -> None:
        """Remove an upload's spells (overwritten on disk); the upload stays in the history as verwijderd."""
        with self._db(write=True) as db:
            row = db.execute("select verwijderd from uploads where id = ? and gemeente = ?",
                             [upload_id, gemeente]).fetchone()
            if row is None:
                raise UserDataError(f"Upload {upload_id} van {gemeente} bestaat niet; er is niets verwijderd.")
            if row[0]:
                raise UserDataError(f"Upload {upload_id} is al verwijderd.")
            self._remove(db, upload_id, _name(door))
            # Participant totals that rest on it are withdrawn; their fingerprints stay, for the differencing check.
            db.execute("update releases set cijfers = '' where exists (select 1 from json_each(releases.bijdragers) "
                       "where json_extract(value, '$[0]') = ? and json_extract(value, '$[1]') = ?)", [gemeente, upload_id])
        conn = self._connect()
        try:  # the deleted pages may still sit in the write-ahead log: fold it into the (overwritten) file
            conn.execute("pragma wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # busy: the next checkpoint does it
        finally:
            conn.close()

    def uploads(self, gemeente: str) -> list[dict]:
        """The upload history of a gemeente, newest first, deleted and replaced ones included."""
        with self._db() as db:
            return [_upload(r) for r in db.query(
                "select * from uploads where gemeente = ? order by peildatum desc, id desc", [gemeente])]

    def upload(self, gemeente: str, upload_id: int) -> dict | None:
        with self._db() as db:
            rows = list(db.query("select * from uploads where gemeente = ? and id = ?", [gemeente, upload_id]))
        return _upload(rows[0]) if rows else None

    def current(self, gemeente: str, synthetisch: bool | None = None) -> dict | None:
        """The newest non-deleted upload (latest peildatum). synthetisch=None: the newest real one, else the newest
        synthetic one; True/False: only that kind."""
        live = [u for u in self.uploads(gemeente) if not u["verwijderd"]]
        kinds = [False, True] if synthetisch is None else [bool(synthetisch)]
        for kind in kinds:
            for u in live:
                if u["synthetisch"] == kind:
                    return u
        return None

    def spells(self, gemeente: str, upload_id: int | None = None, synthetisch: bool | None = None) -> pl.DataFrame:
        """The spells of one upload (SPELLS schema): `upload_id`, or the current one (see `current`). Empty when there is
        none; never the rows of two uploads together."""
        if upload_id is None:
            u = self.current(gemeente, synthetisch)
            if u is None:
                return pl.DataFrame(schema=SPELLS)
            upload_id = u["id"]
        with self._db() as db:
            cur = db.execute(f"select upload_id, {', '.join(COLUMNS)} from spells where upload_id = ? and gemeente = ?"
                             + ("" if synthetisch is None else " and synthetisch = ?"),
                             [upload_id, gemeente] + ([] if synthetisch is None else [int(bool(synthetisch))]))
            rows = cur.fetchall()
        raw = {"upload_id": pl.Int64, **{c: pl.String if t == pl.Date or t == pl.Boolean else t
                                         for c, t in SPELLS.items() if c != "upload_id"}}
        raw["synthetisch"] = pl.Int8
        frame = pl.DataFrame(rows, schema=raw, orient="row")
        return frame.with_columns(pl.col(DATES).str.to_date("%Y-%m-%d"),
                                  pl.col("synthetisch").cast(pl.Boolean)).select(list(SPELLS)).cast(SPELLS)

    def participants(self) -> list[str]:
        """The gemeenten with a real (not synthetic), not deleted upload."""
        with self._db() as db:
            return [r[0] for r in db.execute(
                "select distinct gemeente from uploads where synthetisch = 0 and verwijderd = 0 order by gemeente")]

    # --- participant releases ------------------------------------------------------------------------------------

    def releases(self, kijker: str) -> list[dict]:
        """The releases shown to one viewing gemeente, oldest first (rows as stored; participants.from_row reads them)."""
        with self._db() as db:
            return list(db.query("select * from releases where kijker = ? order by id", [kijker]))

    def add_releases(self, kijker: str, rows: list[dict]) -> None:
        """Store new releases (participants.to_row) in one transaction."""
        with self._db(write=True) as db:
            for row in rows:
                db["releases"].insert({**row, "kijker": kijker})

    # --- mappings --------------------------------------------------------------------------------------------------

    def save_mapping(self, gemeente: str, mapping: dict, door: str = "") -> None:
        _check_gemeente(gemeente)
        text = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
        with self._db(write=True) as db:
            db["mappings"].upsert({"gemeente": gemeente, "mapping": text, "gewijzigd": now(), "door": _name(door)},
                                  pk="gemeente")

    def mapping(self, gemeente: str) -> dict | None:
        with self._db() as db:
            row = db.execute("select mapping from mappings where gemeente = ?", [gemeente]).fetchone()
        return json.loads(row[0]) if row else None


def _check_gemeente(gemeente: str) -> None:
    if not is_gemeente_code(gemeente):
        raise UserDataError(f"'{gemeente}' is geen gemeentecode (GM gevolgd door vier cijfers); er is niets opgeslagen.")


def _upload(r: dict) -> dict:
    return {**r, "synthetisch": bool(r["synthetisch"]), "verwijderd": bool(r["verwijderd"]),
            "peildatum": date.fromisoformat(r["peildatum"])}


_default: dict[Path, Eigenbestand] = {}


def default() -> Eigenbestand:
    """The installation's own-file database (the data folder's eigenbestand.db), opened once per path."""
    path = settings.eigenbestand
    if path not in _default:
        _default[path] = Eigenbestand(path)
    return _default[path]


def save(gemeente: str, filename: str, spells: pl.DataFrame, peildatum: date, user, synthetisch: bool = False) -> int:
    return default().save(gemeente, filename, spells, peildatum, user, synthetisch)


def spells(gemeente: str, upload_id: int | None = None, synthetisch: bool | None = None) -> pl.DataFrame:
    return default().spells(gemeente, upload_id, synthetisch)


def uploads(gemeente: str) -> list[dict]:
    return default().uploads(gemeente)


def upload(gemeente: str, upload_id: int) -> dict | None:
    return default().upload(gemeente, upload_id)


def current(gemeente: str, synthetisch: bool | None = None) -> dict | None:
    return default().current(gemeente, synthetisch)


def delete(gemeente: str, upload_id: int, door: str = "") -> None:
    default().delete(gemeente, upload_id, door)


def participants() -> list[str]:
    return default().participants()


def save_mapping(gemeente: str, mapping: dict, door: str = "") -> None:
    default().save_mapping(gemeente, mapping, door)


def mapping(gemeente: str) -> dict | None:
    return default().mapping(gemeente)
