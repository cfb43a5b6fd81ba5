"""The database of own client files (eigenbestand.db in the data folder): apart from the warehouse and the user database.

Tables: `uploads` (the history: every upload stays listed, a deleted or replaced one with verwijderd = 1), `mappings`
(per gemeente the last mapping, as JSON) and `spells`, which held the spells of an upload until issue 22 and is now
empty (see below). Connections, migrations and transactions as in portal.userdata.db: every write is one BEGIN
IMMEDIATE transaction, so a failed upload changes nothing. Deleted rows are overwritten on disk (secure_delete) and the
write-ahead log is emptied after a delete.

The spells of an upload are one Parquet file (zstd), column-wise: reading back a 1 000 000-row upload row by row from
SQLite took seconds, the file a fraction of one. The files sit next to the database, in a folder named after it
(DATA/eigenbestand/<gemeente>/<upload id>.parquet, owner-only like the database), and follow its transactions:
- save writes the file (a temporary file, fsync, os.replace) inside the transaction that inserts the upload row, while it
  holds the write lock; when anything fails, the transaction is rolled back and the new file removed, so a file without
  a committed row is never current. A file that cannot be written (disk full, read-only folder) stores nothing, with a
  Dutch message.
- delete and replace mark the upload verwijderd (the history stays) and, once that is committed, overwrite the file
  with zeros and remove it: a deleted upload's client data is gone. A file left over by a crash (no live upload) is
  removed at the next save or delete, under the write lock, so never while another process writes one.
- an older database whose spells are still rows of `spells` is moved to files when it is opened writable (one
  transaction per upload, retried at the next opening when it fails); until then, e.g. in a read-only data folder, those
  rows are read as before.

Each upload is a whole file as of its peildatum (the last day of the month it describes). Uploading again for the
same month replaces that upload; real and synthetic uploads are separate and never replace or mix with each other.
"""

from __future__ import annotations

import errno
import io
import json
import os
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
from portal.userdata.db import NIET_OPGESLAGEN, Store, now
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
        self.folder = spells_folder(self.path)
        if not self.read_only:
            self._move_rows()

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
        data = _parquet(frame)  # before the write lock: only the file write happens while holding it
        written: Path | None = None
        try:
            with self._db(write=True) as db:
                self._sweep(db)
                old = [r[0] for r in db.execute(
                    "select id from uploads where gemeente = ? and peildatum = ? and synthetisch = ? and verwijderd = 0",
                    [gemeente, peildatum.isoformat(), int(bool(synthetisch))]).fetchall()]
                upload_id = db["uploads"].insert({
                    "gemeente": gemeente, "bestandsnaam": filename, "peildatum": peildatum.isoformat(),
                    "maand_van": f"{van:%Y-%m}", "maand_tot": f"{tot:%Y-%m}", "rijen": frame.height,
                    "geupload_door": _name(user), "tijd": now(), "synthetisch": int(bool(synthetisch)), "verwijderd": 0,
                }).last_pk
                written = self._file(gemeente, upload_id)
                self._write(written, data)
                for i in old:
                    self._remove(db, i, _name(user), vervangen_door=upload_id)
                if extra is not None:  # e.g. a BUS upload's spells per statistiekcode (portal.eigen.bus_store), same transaction
                    extra(db, upload_id)
        except BaseException:
            if written is not None:  # not committed: the new file must not stay (the id is given out again)
                _shred(written)
            raise
        for i in old:  # committed: the replaced uploads' client data goes
            _shred(self._file(gemeente, i))
        return upload_id

    def _file(self, gemeente: str, upload_id: int) -> Path:
        _check_gemeente(gemeente)
        return self.folder / gemeente / f"{int(upload_id)}.parquet"

    def _write(self, path: Path, data: memoryview) -> None:
        """A spell file (_parquet) at `path`, atomically: a temporary file next to it, fsync, os.replace, fsync of the
        folder. A failure leaves no file and says in Dutch that nothing was stored."""
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            for folder in (self.folder, path.parent):
                folder.mkdir(mode=0o700, exist_ok=True)  # owner-only, as the database
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_folder(path.parent)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise self._not_stored(e) from e

    def _not_stored(self, e: OSError) -> UserDataError:
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return UserDataError(NIET_OPGESLAGEN.format(map=self.path.parent))
        why = "de schijf is vol" if e.errno in (errno.ENOSPC, errno.EDQUOT) else f"schrijffout: {e.strerror or e}"
        return UserDataError(f"Er is niets opgeslagen: de uitkeringsperioden konden niet worden geschreven in de gegevensmap "
                             f"van het portaal ({self.folder}; {why}). Wat er al stond, blijft zoals het was. Vraag de "
                             "beheerder ruimte te maken of de map na te kijken en probeer het daarna opnieuw.")

    def _sweep(self, db: sqlite_utils.Database) -> None:
        """Remove spell files that belong to no live upload (left by a crash, or a removal that failed). Only under the
        write lock: a save writes its file while holding it, so no file of an uncommitted save can be taken here."""
        if not self.folder.is_dir():
            return
        live = {(g, i) for g, i in db.execute("select gemeente, id from uploads where verwijderd = 0").fetchall()}
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for f in sub.iterdir():
                stem = f.name.removesuffix(".parquet")
                if not (f.name.endswith(".parquet") and stem.isdigit() and (sub.name, int(stem)) in live):
                    _shred(f)

    @staticmethod
    def _remove(db: sqlite_utils.Database, upload_id: int, door: str, vervangen_door: int | None = None) -> None:
        """Mark an upload deleted inside the caller's transaction; its file goes once that is committed (_shred)."""
        db.execute("delete from spells where upload_id = ?", [upload_id])  # rows of an upload from before the files
        db.execute("delete from bus_spells where upload_id = ?", [upload_id])
        db.execute("delete from bus_indicatoren where upload_id = ?", [upload_id])
        db["uploads"].update(upload_id, {"verwijderd": 1, "verwijderd_op": now(), "verwijderd_door": door,
                                         "vervangen_door": vervangen_door})

    def delete(self, gemeente: str, upload_id: int, door: str = "") -> None:
        """Remove an upload's spells (overwritten on disk); the upload stays in the history as verwijderd."""
        with self._db(write=True) as db:
            self._sweep(db)
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
        _shred(self._file(gemeente, upload_id))  # committed: the file goes (a failure here: the next sweep removes it)
        self._checkpoint()

    def _checkpoint(self) -> None:
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
        try:
            frame = self._read(gemeente, upload_id)
        except FileNotFoundError:  # deleted, another gemeente's id, or rows from before the files
            with self._db() as db:
                frame = _from_rows(db, gemeente, upload_id)
            if frame.height == 0:  # the rows may just have been moved to a file (_move_rows in another process)
                try:
                    frame = self._read(gemeente, upload_id)
                except FileNotFoundError:
                    u = self.upload(gemeente, upload_id)
                    if u is not None and not u["verwijderd"] and u["rijen"]:
                        raise BestandOntbreekt(self._file(gemeente, upload_id), u) from None
        if synthetisch is not None:
            frame = frame.filter(pl.col("synthetisch") == bool(synthetisch))
        return frame

    def _read(self, gemeente: str, upload_id: int) -> pl.DataFrame:
        if not is_gemeente_code(gemeente):
            raise FileNotFoundError(gemeente)
        path = self._file(gemeente, upload_id)
        try:
            frame = pl.read_parquet(path).with_columns(pl.lit(int(upload_id), pl.Int64).alias("upload_id"))
        except FileNotFoundError:
            raise
        except (OSError, pl.exceptions.PolarsError):
            # being removed right now by a delete or replace in another session: then the upload is gone, as after it
            if (u := self.upload(gemeente, upload_id)) is None or u["verwijderd"]:
                raise FileNotFoundError(path) from None
            raise
        return frame.select(list(SPELLS)).cast(SPELLS)

    def _move_rows(self) -> None:
        """Move the spells of a database from before the files (rows of `spells`) to one file per upload: each upload
        in one transaction (write the file, delete the rows with secure_delete), then the write-ahead log emptied and
        the database compacted. A failure leaves the rows, which are read as before, and it is tried again at the next
        opening."""
        moved = False
        try:
            with self._db() as db:
                if not db.execute("select exists (select 1 from spells)").fetchone()[0]:
                    return
                todo = db.execute("select distinct s.upload_id, s.gemeente from spells s join uploads u on u.id = s.upload_id "
                                  "where u.verwijderd = 0").fetchall()
            for upload_id, gemeente in todo:
                written = None
                try:
                    with self._db(write=True) as db:
                        frame = _from_rows(db, gemeente, upload_id)
                        if frame.height:
                            written = self._file(gemeente, upload_id)
                            self._write(written, _parquet(frame.drop("upload_id")))
                            db.execute("delete from spells where upload_id = ?", [upload_id])
                except BaseException:
                    if written is not None:
                        _shred(written)
                    raise
                moved = True
            with self._db(write=True) as db:  # rows of deleted uploads (none: _remove deletes them) and stray ones
                db.execute("delete from spells")
        except (OSError, UserDataError, sqlite3.Error, ValueError, pl.exceptions.PolarsError):
            return  # the rows stay readable; tried again next time
        finally:
            if moved:
                conn = self._connect()
                try:
                    conn.execute("vacuum")  # the freed pages (zeroed) no longer take room
                except sqlite3.OperationalError:
                    pass  # busy: they stay, zeroed
                finally:
                    conn.close()
                self._checkpoint()

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


def spells_folder(db_path: Path) -> Path:
    """The folder of an own-file database's spell files: eigenbestand.db -> eigenbestand/."""
    return db_path.with_suffix("") if db_path.suffix else db_path.with_name(db_path.name + "-perioden")


def _from_rows(db: sqlite_utils.Database, gemeente: str, upload_id: int) -> pl.DataFrame:
    """The spells of an upload as rows of the `spells` table (databases from before the files; empty otherwise)."""
    rows = db.execute(f"select upload_id, {', '.join(COLUMNS)} from spells where upload_id = ? and gemeente = ?",
                      [upload_id, gemeente]).fetchall()
    raw = {"upload_id": pl.Int64, **{c: pl.String if t == pl.Date or t == pl.Boolean else t
                                     for c, t in SPELLS.items() if c != "upload_id"}}
    raw["synthetisch"] = pl.Int8
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return frame.with_columns(pl.col(DATES).str.to_date("%Y-%m-%d"),
                              pl.col("synthetisch").cast(pl.Boolean)).select(list(SPELLS)).cast(SPELLS)


def _parquet(frame: pl.DataFrame) -> memoryview:
    """The file of an upload's spells: every SPELLS column but upload_id (the file's name), zstd-compressed."""
    buf = io.BytesIO()
    frame.select(COLUMNS).write_parquet(buf, compression="zstd")
    return buf.getbuffer()


def _shred(path: Path) -> None:
    """Remove a spell file: first renamed out of the way (a reader that opens it from then on finds no file, as for a
    deleted upload), then overwritten with zeros and removed, as secure_delete does for the database's pages. A file
    that is not there is fine; a tombstone left by a crash is removed by the next sweep. Best effort: on a
    copy-on-write file system or an SSD the old blocks may survive, as for SQLite's own overwrite."""
    tomb = path if path.name.startswith(".") else path.with_name(f".{path.name}.weg")
    try:
        if tomb != path:
            os.replace(path, tomb)
        with open(tomb, "r+b") as fh:
            size = os.fstat(fh.fileno()).st_size
            block = bytes(min(size, 1 << 20))
            done = 0
            while done < size:
                done += fh.write(block[:size - done])
            fh.flush()
            os.fsync(fh.fileno())
    except FileNotFoundError:
        return
    except OSError:
        pass  # cannot overwrite: remove it all the same
    try:
        tomb.unlink()
    except FileNotFoundError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (no-op where a folder cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_gemeente(gemeente: str) -> None:
    if not is_gemeente_code(gemeente):
        raise UserDataError(f"'{gemeente}' is geen gemeentecode (GM gevolgd door vier cijfers); er is niets opgeslagen.")


class BestandOntbreekt(UserDataError):
    """A live upload whose spell file is gone (e.g. the database restored from a backup without its folder)."""

    def __init__(self, path: Path, upload: dict):
        super().__init__(
            f"De uitkeringsperioden van upload {upload['id']} ('{upload['bestandsnaam']}') ontbreken: het bestand "
            f"{path.parent.parent.name}/{path.parent.name}/{path.name} naast eigenbestand.db is er niet. Zet de map met de eigen bestanden terug uit dezelfde back-up als eigenbestand.db, of upload het "
            "bestand opnieuw. Er is niets gewijzigd.")


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
