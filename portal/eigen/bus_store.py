"""Storage of BUS and SRG uploads in DATA/eigenbestand.db, next to the own-layout tables of portal.eigen.store.

- `bus_spells`: per BUS upload (the row in `uploads`) every stored spell with its statistiekcode (`regeling`: 01, 02, 03,
  14; bijzondere bijstand 11/12 is not stored) and its reden beëindiging (kenmerk 34). The algemene bijstand (01) spells
  are also the upload's `spells`, which every monitor reads; deleting or replacing the upload removes both
  (store.Eigenbestand._remove) in one transaction.
- `srg_uploads` and `voorzieningen`: SRG uploads with their own history (replace per peildatum month, delete), one row
  per voorziening of a person. The person key is the keyed hash of the BSN (portal.eigen.pseudo), equal to the BUS key
  of the same person. No BSN is stored anywhere.
- `bus_indicatoren` (migration 0005): per BUS upload and statistiekmaand the counts of its algemene-bijstand records by
  kenmerk (portal.eigen.bus.indicatoren: persons with work income, ontheffing, vermindering by reden, huisvesting,
  kostendelers): counts only, no client key, so the page never needs the records again. A null count is a kenmerk
  that is not in the file. Removed with the upload (store.Eigenbestand._remove).
- `kenmerken_releases` (migration 0006): per viewing gemeente the frozen releases of the kenmerken benchmark it has been
  shown (portal.eigen.kenmerken.Stand: contributors, keyed fingerprints of their shares, the rounded quantiles as
  shown), as `releases` holds the participant totals. A release rests on the contributors' uploads: once one of them is
  deleted (not replaced) the release is withdrawn when read (its fingerprints still count for the differencing check).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlite_utils

from portal.eigen import bus
from portal.eigen.maanden import month_end
from portal.userdata.db import now
from portal.userdata.errors import UserDataError


def migrate(db: sqlite_utils.Database) -> None:
    db["bus_spells"].create(
        {"upload_id": int, "client": str, "regeling": str, "begin": str, "einde": str, "reden_code": str, "leefvorm": str},
        not_null={"upload_id", "client", "regeling", "begin"}, foreign_keys=[("upload_id", "uploads")])
    db["bus_spells"].create_index(["upload_id"])
    db["srg_uploads"].create(
        {"id": int, "gemeente": str, "bestandsnaam": str, "peildatum": str, "rijen": int, "geupload_door": str, "tijd": str,
         "verwijderd": int, "verwijderd_op": str, "verwijderd_door": str, "vervangen_door": int},
        pk="id", not_null={"gemeente", "bestandsnaam", "peildatum", "rijen", "tijd", "verwijderd"})
    db["voorzieningen"].create(
        {"srg_upload_id": int, "gemeente": str, "client": str, "type": str, "begin": str, "einde": str, "reden_einde": str,
         "ladder": int, "ladder_begin": str, "arbeidsvermogen": int, "loonwaarde": float, "geboortejaar": int,
         "geslacht": str},
        not_null={"srg_upload_id", "gemeente", "client", "type", "begin"}, foreign_keys=[("srg_upload_id", "srg_uploads")])
    db["voorzieningen"].create_index(["srg_upload_id"])


def migrate_indicatoren(db: sqlite_utils.Database) -> None:
    db["bus_indicatoren"].create(
        {"upload_id": int, "maand": str, "indicator": str, "categorie": str, "aantal": int},
        not_null={"upload_id", "maand", "indicator", "categorie"}, foreign_keys=[("upload_id", "uploads")])
    db["bus_indicatoren"].create_index(["upload_id"])


def migrate_kenmerken_releases(db: sqlite_utils.Database) -> None:
    db["kenmerken_releases"].create(
        {"id": int, "kijker": str, "versie": int, "tijd": str, "van": str, "tot": str, "bijdragers": str, "sporen": str,
         "cijfers": str}, pk="id", not_null={"kijker", "versie", "tijd", "van", "tot", "bijdragers", "sporen", "cijfers"})
    db["kenmerken_releases"].create_index(["kijker"])


def kenmerken_releases(store, kijker: str) -> list[dict]:
    """The kenmerken benchmark releases shown to one viewing gemeente, oldest first (kenmerken.from_row reads them), each
    with `ingetrokken`: whether an upload it rests on was deleted (a replaced upload does not withdraw it)."""
    with store._db() as db:
        return list(db.query(
            "select r.*, exists (select 1 from json_each(r.bijdragers) j join uploads u on u.id = json_extract(j.value, '$[1]') "
            "and u.gemeente = json_extract(j.value, '$[0]') where u.verwijderd = 1 and u.vervangen_door is null) as ingetrokken "
            "from kenmerken_releases r where r.kijker = ? order by r.id", [kijker]))


def add_kenmerken_release(store, kijker: str, row: dict, na: int | None) -> bool:
    """Store a new release (kenmerken.to_row) only if the viewer's newest stored release is still `na` (its id; None:
    none): a release checked against the releases read must not land after one it was not checked against. Returns
    whether it was stored."""
    with store._db(write=True) as db:
        newest = db.execute("select max(id) from kenmerken_releases where kijker = ?", [kijker]).fetchone()[0]
        if newest != na:
            return False
        db["kenmerken_releases"].insert({**row, "kijker": kijker})
    return True


def _iso(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).dt.to_string("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date)


def bus_extra(regelingen: pl.DataFrame, indicatoren: pl.DataFrame | None = None):
    """The `extra` of store.save for a BUS upload: its spells per statistiekcode and its monthly counts, in the same
    transaction."""
    rows = _iso(regelingen.select(list(bus.REGELING_SCHEMA)))
    counts = None if indicatoren is None else _iso(indicatoren.select(list(bus.INDICATOR_SCHEMA)))

    def insert(db: sqlite_utils.Database, upload_id: int) -> None:
        db.conn.executemany(
            f"insert into bus_spells (upload_id, {', '.join(bus.REGELING_SCHEMA)}) values (?{', ?' * len(bus.REGELING_SCHEMA)})",
            ((upload_id, *r) for r in rows.iter_rows()))
        if counts is not None:
            db.conn.executemany(
                f"insert into bus_indicatoren (upload_id, {', '.join(bus.INDICATOR_SCHEMA)}) "
                f"values (?{', ?' * len(bus.INDICATOR_SCHEMA)})", ((upload_id, *r) for r in counts.iter_rows()))

    return insert


def indicatoren(store, upload_id: int) -> pl.DataFrame:
    """The monthly counts of a BUS upload (bus.INDICATOR_SCHEMA; empty for an own-layout upload or one stored before
    migration 0005)."""
    with store._db() as db:
        rows = db.execute(f"select {', '.join(bus.INDICATOR_SCHEMA)} from bus_indicatoren where upload_id = ? "
                          "order by rowid", [upload_id]).fetchall()
    raw = {**bus.INDICATOR_SCHEMA, "maand": pl.String}
    return pl.DataFrame(rows, schema=raw, orient="row").with_columns(pl.col("maand").str.to_date("%Y-%m-%d"))


def regelingen(store, upload_id: int) -> pl.DataFrame:
    """The spells per statistiekcode of a BUS upload (empty for an own-layout upload)."""
    with store._db() as db:
        rows = db.execute(f"select {', '.join(bus.REGELING_SCHEMA)} from bus_spells where upload_id = ?",
                          [upload_id]).fetchall()
    raw = {c: pl.String for c in bus.REGELING_SCHEMA}
    return (pl.DataFrame(rows, schema=raw, orient="row")
            .with_columns(pl.col("begin", "einde").str.to_date("%Y-%m-%d")).cast(bus.REGELING_SCHEMA)
            .sort("client", "begin"))


def save_srg(store, gemeente: str, filename: str, voorzieningen: pl.DataFrame, peildatum: date, user) -> int:
    """Store an SRG upload; one of the same gemeente and peildatum month is replaced in the same transaction."""
    if voorzieningen.height == 0:
        raise UserDataError("Het SRG-bestand bevat geen voorzieningen; er is niets opgeslagen.")
    peildatum = month_end(peildatum)
    door = getattr(user, "naam", user) or ""
    rows = _iso(voorzieningen.select(list(bus.VOORZIENING_SCHEMA)))
    with store._db(write=True) as db:
        old = [r[0] for r in db.execute("select id from srg_uploads where gemeente = ? and peildatum = ? and verwijderd = 0",
                                        [gemeente, peildatum.isoformat()]).fetchall()]
        uid = db["srg_uploads"].insert({"gemeente": gemeente, "bestandsnaam": filename, "peildatum": peildatum.isoformat(),
                                        "rijen": voorzieningen.height, "geupload_door": door, "tijd": now(),
                                        "verwijderd": 0}).last_pk
        cols = list(bus.VOORZIENING_SCHEMA)
        db.conn.executemany(f"insert into voorzieningen (srg_upload_id, gemeente, {', '.join(cols)}) "
                            f"values (?, ?{', ?' * len(cols)})", ((uid, gemeente, *r) for r in rows.iter_rows()))
        for i in old:
            _remove_srg(db, i, door, uid)
    return uid


def _remove_srg(db: sqlite_utils.Database, uid: int, door: str, vervangen_door: int | None = None) -> None:
    db.execute("delete from voorzieningen where srg_upload_id = ?", [uid])
    db["srg_uploads"].update(uid, {"verwijderd": 1, "verwijderd_op": now(), "verwijderd_door": door,
                                   "vervangen_door": vervangen_door})


def delete_srg(store, gemeente: str, uid: int, door: str = "") -> None:
    with store._db(write=True) as db:
        row = db.execute("select verwijderd from srg_uploads where id = ? and gemeente = ?", [uid, gemeente]).fetchone()
        if row is None or row[0]:
            raise UserDataError(f"SRG-upload {uid} van {gemeente} bestaat niet of is al verwijderd.")
        _remove_srg(db, uid, door)
    conn = store._connect()
    try:
        conn.execute("pragma wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001 - busy: the next checkpoint does it
        pass
    finally:
        conn.close()


def srg_uploads(store, gemeente: str) -> list[dict]:
    with store._db() as db:
        return [{**r, "peildatum": date.fromisoformat(r["peildatum"]), "verwijderd": bool(r["verwijderd"])}
                for r in db.query("select * from srg_uploads where gemeente = ? order by peildatum desc, id desc",
                                  [gemeente])]


def voorzieningen(store, gemeente: str) -> tuple[dict | None, pl.DataFrame]:
    """(the newest SRG upload, its voorzieningen) of a gemeente; (None, empty) without one."""
    live = [u for u in srg_uploads(store, gemeente) if not u["verwijderd"]]
    schema = bus.VOORZIENING_SCHEMA
    if not live:
        return None, pl.DataFrame(schema=schema)
    cols = list(schema)
    with store._db() as db:
        rows = db.execute(f"select {', '.join(cols)} from voorzieningen where srg_upload_id = ?", [live[0]["id"]]).fetchall()
    raw = {c: (pl.String if t == pl.Date else t) for c, t in schema.items()}
    frame = pl.DataFrame(rows, schema=raw, orient="row").with_columns(
        pl.col(c).str.to_date("%Y-%m-%d") for c, t in schema.items() if t == pl.Date)
    return live[0], frame.cast(schema)


def save_bus(store, gemeente: str, filename: str, gelezen: bus.BusGelezen, user) -> int:
    """Store a BUS upload as the page does: the algemene bijstand spells as the upload's spells (what every monitor
    reads), every spell with its statistiekcode and reden code in bus_spells and the monthly counts in
    bus_indicatoren, in one transaction."""
    return store.save(gemeente, filename, gelezen.spells, gelezen.peildatum, user,
                      extra=bus_extra(gelezen.regelingen, gelezen.indicatoren))
