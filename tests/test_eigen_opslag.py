"""Storage of own client files column-wise (issue 22): one Parquet file per upload next to eigenbestand.db.

Round trip of every SPELLS column; the file follows the upload's transaction (a failed file write or a failed commit
stores nothing and leaves the previous upload current); delete and replace remove the file (client data gone); files
of no live upload are swept; a database from before the files (spells as rows) still reads, in a read-only folder as
rows, and is moved to files when it is opened writable."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from contextlib import contextmanager
from datetime import date

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from portal.eigen import store
from portal.eigen.schema import SPELLS
from portal.eigen.store import COLUMNS, Eigenbestand
from portal.userdata import UserDataError

GM = "GM0363"
PEIL = date(2024, 12, 31)


def spells(n: int = 60, seed: int = 0, synthetisch: bool = False) -> pl.DataFrame:
    """A SPELLS frame with every column filled and every nullable column null somewhere (no upload_id: save sets it)."""
    i = pl.int_range(0, n, eager=True)
    frame = pl.DataFrame({
        "gemeente": [GM] * n,
        "client": [f"{(k * 7919 + seed) % 10**6:064x}" for k in range(n)],
        "begin": [date(2019 + k % 5, 1 + k % 12, 1 + k % 28) for k in range(n)],  # before every einde
        "einde": [None if k % 3 == 0 else date(2024, 1 + k % 12, 1 + k % 28) for k in range(n)],
        "reden": [None if k % 3 == 0 else ("werk", "overig")[k % 2] for k in range(n)],
        "leefvorm": [("alleenstaande", "alleenstaande_ouder", "paar")[k % 3] for k in range(n)],
        "geboortejaar": (1960 + i % 40).cast(pl.Int32),
        "geboortedatum": [None if k % 4 == 0 else date(1960 + k % 40, 1 + k % 12, 1 + k % 28) for k in range(n)],
        "geslacht": [None if k % 5 == 0 else ("man", "vrouw", "onbekend")[k % 3] for k in range(n)],
        "fasering": [None if k % 6 == 0 else f"trede {1 + k % 6} – één" for k in range(n)],
        "bedrag": [None if k % 7 == 0 else 1000 + k * 12.34 for k in range(n)],
        "synthetisch": [synthetisch] * n,
    }, schema={c: t for c, t in SPELLS.items() if c != "upload_id"})
    return frame


@pytest.fixture
def db(tmp_path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigenbestand.db")


def files(db: Eigenbestand) -> list[str]:
    """Every file under the spell folder (temporary files and tombstones included), relative to it."""
    return sorted(str(p.relative_to(db.folder)) for p in db.folder.rglob("*") if p.is_file()) if db.folder.exists() else []


def all_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


# ---- round trip ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("synthetisch", [False, True])
def test_every_column_comes_back_as_stored(db, synthetisch):
    given = spells(synthetisch=synthetisch)
    uid = db.save(GM, "a.csv", given, PEIL, "tester", synthetisch=synthetisch)
    back = db.spells(GM, uid)
    assert dict(back.schema) == SPELLS and back.columns == list(SPELLS)
    assert_frame_equal(back, given.with_columns(upload_id=pl.lit(uid, pl.Int64)).select(list(SPELLS)))
    assert back["synthetisch"].to_list() == [synthetisch] * given.height
    assert_frame_equal(db.spells(GM, synthetisch=synthetisch), back)  # the current one of that kind
    assert db.spells(GM, uid, synthetisch=not synthetisch).height == 0  # the kind filter, as the rows had it
    assert db.spells("GM0014", uid).height == 0 and db.spells("niet-een-code", uid).height == 0  # another gemeente's id
    for c in ("einde", "reden", "geboortedatum", "geslacht", "fasering", "bedrag"):
        assert back[c].null_count() > 0, c


def test_save_marks_the_kind_and_gemeente_as_before(db):
    given = spells(synthetisch=True).with_columns(gemeente=pl.lit("GM9999"))  # save sets both, as it always did
    uid = db.save(GM, "a.csv", given, PEIL, "tester")
    back = db.spells(GM, uid)
    assert back["gemeente"].unique().to_list() == [GM] and not back["synthetisch"].any()


def test_one_owner_only_zstd_parquet_file_per_upload_and_no_rows(db):
    uid = db.save(GM, "a.csv", spells(), PEIL, "tester")
    path = db.folder / GM / f"{uid}.parquet"
    assert db.folder == db.path.parent / "eigenbestand" and files(db) == [f"{GM}/{uid}.parquet"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.folder.stat().st_mode) == stat.S_IMODE((db.folder / GM).stat().st_mode) == 0o700
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 60 and {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"ZSTD"}
    assert pq.ParquetFile(path).schema_arrow.names == COLUMNS
    with db._db() as conn:
        assert conn.execute("select count(*) from spells").fetchone()[0] == 0
        assert conn.execute("select rijen from uploads where id = ?", [uid]).fetchone()[0] == 60


# ---- delete and replace ----------------------------------------------------------------------------------------------------

def test_delete_removes_the_file_and_its_client_data(db, tmp_path):
    keep = db.save(GM, "nov.csv", spells(seed=1), date(2024, 11, 30), "tester")
    uid = db.save(GM, "dec.csv", spells(seed=2), PEIL, "tester")
    gone = db.spells(GM, uid)["client"].to_list()
    db.delete(GM, uid, "tester")
    assert files(db) == [f"{GM}/{keep}.parquet"]  # no tombstone, no temporary file
    assert db.spells(GM, uid).height == 0 and db.current(GM)["id"] == keep
    assert [(u["id"], u["verwijderd"]) for u in db.uploads(GM)] == [(uid, True), (keep, False)]  # the history stays
    stored = all_bytes(tmp_path)
    assert not any(c.encode() in stored for c in gone if c not in db.spells(GM, keep)["client"].to_list())


def test_replacing_a_month_removes_the_replaced_file_after_the_commit(db):
    first = db.save(GM, "dec.csv", spells(seed=1), PEIL, "tester")
    second = db.save(GM, "dec-correctie.csv", spells(n=30, seed=2), PEIL, "tester")
    assert files(db) == [f"{GM}/{second}.parquet"]
    assert db.spells(GM, first).height == 0 and db.spells(GM)["upload_id"].unique().to_list() == [second]
    assert {u["id"]: u["vervangen_door"] for u in db.uploads(GM)} == {first: second, second: None}
    synth = db.save(GM, "synth.csv", spells(seed=3), PEIL, "tester", synthetisch=True)  # the other kind: no replace
    assert files(db) == sorted([f"{GM}/{second}.parquet", f"{GM}/{synth}.parquet"])


# ---- failures: nothing stored, the previous upload stays current ------------------------------------------------------------

def _history(db: Eigenbestand) -> list[dict]:
    return db.uploads(GM)


def test_a_full_disk_while_writing_the_file_stores_nothing(db, monkeypatch):
    before = db.save(GM, "dec.csv", spells(seed=1), PEIL, "tester")
    history, kept = _history(db), db.spells(GM)
    real = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(bytes(data)[:100])  # part of the file reaches the disk, then it is full
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "fdopen", lambda fd, mode: Full(real(fd, mode)))
    with pytest.raises(UserDataError, match="Er is niets opgeslagen.*de schijf is vol"):
        db.save(GM, "dec-correctie.csv", spells(seed=2), PEIL, "tester")
    monkeypatch.undo()
    assert _history(db) == history and files(db) == [f"{GM}/{before}.parquet"]
    assert_frame_equal(db.spells(GM), kept)
    again = db.save(GM, "dec-correctie.csv", spells(n=10, seed=2), PEIL, "tester")  # the same id may be given out again
    assert db.spells(GM, again).height == 10 and files(db) == [f"{GM}/{again}.parquet"]


def test_a_read_only_spell_folder_says_nothing_could_be_stored(db, monkeypatch):
    db.save(GM, "nov.csv", spells(seed=1), date(2024, 11, 30), "tester")

    def refused(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store.os, "open", refused)
    with pytest.raises(UserDataError, match="Er kon niets worden opgeslagen: de gegevensmap .* alleen-lezen"):
        db.save(GM, "dec.csv", spells(seed=2), PEIL, "tester")
    monkeypatch.undo()
    assert [u["bestandsnaam"] for u in db.uploads(GM)] == ["nov.csv"]


def test_a_failing_commit_leaves_no_file_and_the_previous_upload_current(db, monkeypatch):
    before = db.save(GM, "dec.csv", spells(seed=1), PEIL, "tester")
    history, kept = _history(db), db.spells(GM)
    real = Eigenbestand._db

    @contextmanager
    def commit_fails(self, write=False):
        if not write:
            with real(self) as conn:
                yield conn
            return
        conn = self._connect()
        conn.execute("begin immediate")
        try:
            yield sqlite_utils_db(conn)
            assert (db.folder / GM / f"{before + 1}.parquet").exists()  # the new file was written, then:
            raise sqlite3.OperationalError("disk I/O error")  # as a COMMIT that fails
        finally:
            conn.execute("rollback")
            conn.close()

    monkeypatch.setattr(Eigenbestand, "_db", commit_fails)
    with pytest.raises(sqlite3.OperationalError):
        db.save(GM, "dec-correctie.csv", spells(seed=2), PEIL, "tester")
    monkeypatch.undo()
    assert _history(db) == history and files(db) == [f"{GM}/{before}.parquet"]
    assert_frame_equal(db.spells(GM), kept)


def sqlite_utils_db(conn):
    import sqlite_utils

    return sqlite_utils.Database(conn)


def test_a_failing_extra_table_leaves_no_file(db):
    def extra(conn, upload_id):
        raise UserDataError("BUS-tabel mislukt; er is niets opgeslagen.")

    with pytest.raises(UserDataError, match="BUS-tabel mislukt"):
        db.save(GM, "bus.zip", spells(), PEIL, "tester", extra=extra)
    assert db.uploads(GM) == [] and files(db) == []


def test_files_of_no_live_upload_are_swept_at_the_next_write(db):
    keep = db.save(GM, "nov.csv", spells(seed=1), date(2024, 11, 30), "tester")
    left = [db.folder / GM / "99.parquet", db.folder / GM / f".{keep + 5}.parquet.tmp", db.folder / GM / ".7.parquet.weg",
            db.folder / "GM0014" / f"{keep}.parquet"]  # a crash's leftovers; a file under another gemeente's folder
    for p in left:
        p.parent.mkdir(exist_ok=True)
        p.write_bytes("cliëntgegevens".encode())
    assert db.spells("GM0014", keep).height == 0  # never read for another gemeente
    uid = db.save(GM, "dec.csv", spells(seed=2), PEIL, "tester")
    assert files(db) == sorted([f"{GM}/{keep}.parquet", f"{GM}/{uid}.parquet"])
    (db.folder / GM / "99.parquet").write_bytes(b"x")
    db.delete(GM, uid)
    assert files(db) == [f"{GM}/{keep}.parquet"]


# ---- databases from before the files ----------------------------------------------------------------------------------------

def old_save(path, gemeente: str, frame: pl.DataFrame, peil: date, verwijderd: bool = False) -> int:
    """An upload stored as the code before issue 22 stored it: the uploads row and one `spells` row per spell, dates as
    ISO text and the flag as 0/1 (the insert of that store.save, kept here)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("begin")
        cur = conn.execute(
            "insert into uploads (gemeente, bestandsnaam, peildatum, maand_van, maand_tot, rijen, geupload_door, tijd, "
            "synthetisch, verwijderd) values (?, 'oud.csv', ?, '2019-01', '2024-12', ?, 'tester', '2026-11-30T10:00:00', ?, ?)",
            [gemeente, peil.isoformat(), frame.height, int(frame["synthetisch"][0]), int(verwijderd)])
        uid = cur.lastrowid
        dates = [c for c, t in SPELLS.items() if t == pl.Date]
        rows = frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d"), pl.col("synthetisch").cast(pl.Int8),
                                  pl.lit(uid).alias("upload_id")).select(["upload_id", *COLUMNS])
        if not verwijderd:
            conn.executemany(f"insert into spells (upload_id, {', '.join(COLUMNS)}) values (?{', ?' * len(COLUMNS)})",
                             rows.iter_rows())
        conn.execute("commit")
    finally:
        conn.close()
    return uid


@pytest.fixture
def old_db(tmp_path, monkeypatch):
    """A database with two live uploads and a deleted one whose spells are rows of `spells` (no files)."""
    path = tmp_path / "eigenbestand.db"
    monkeypatch.setattr(Eigenbestand, "_move_rows", lambda self: None)  # the schema only, as an older portal made it
    Eigenbestand(path)
    monkeypatch.undo()
    given = {old_save(path, GM, spells(seed=1), date(2024, 11, 30)): spells(seed=1),
             old_save(path, GM, spells(seed=2, synthetisch=True), PEIL): spells(seed=2, synthetisch=True),
             old_save(path, "GM0014", spells(seed=3).with_columns(gemeente=pl.lit("GM0014")), PEIL): None}
    deleted = old_save(path, GM, spells(seed=4), date(2024, 10, 31), verwijderd=True)
    return path, given, deleted


def _expected(frame: pl.DataFrame, uid: int) -> pl.DataFrame:
    return frame.with_columns(upload_id=pl.lit(uid, pl.Int64)).select(list(SPELLS))


def test_an_old_database_in_a_read_only_folder_reads_its_rows(old_db, monkeypatch):
    path, given, _ = old_db
    monkeypatch.setattr("portal.userdata.db.writable", lambda p: False)
    ro = Eigenbestand(path)
    assert ro.read_only and files(ro) == []
    for uid, frame in given.items():
        if frame is not None:
            assert_frame_equal(ro.spells(GM, uid), _expected(frame, uid))
    assert ro.current(GM, synthetisch=False)["id"] == min(given)


def test_an_old_database_is_moved_to_files_when_opened(old_db):
    path, given, deleted = old_db
    with sqlite3.connect(path) as conn:
        hashes = [r[0] for r in conn.execute("select client from spells")]
    db = Eigenbestand(path)
    live = sorted(given)
    assert files(db) == sorted([f"{GM}/{live[0]}.parquet", f"{GM}/{live[1]}.parquet", f"GM0014/{live[2]}.parquet"])
    for uid, frame in given.items():
        if frame is not None:
            assert_frame_equal(db.spells(GM, uid), _expected(frame, uid))
    assert db.spells(GM, deleted).height == 0
    with db._db() as conn:
        assert conn.execute("select count(*) from spells").fetchone()[0] == 0
    stored = b"".join(p.read_bytes() for p in path.parent.glob("eigenbestand.db*"))
    assert not any(h.encode() in stored for h in hashes)  # the rows are gone from the database file, not just unlinked
    Eigenbestand(path)  # opening again changes nothing
    assert_frame_equal(db.spells(GM, live[0]), _expected(given[live[0]], live[0]))
    db.delete(GM, live[0])
    assert files(db) == sorted([f"{GM}/{live[1]}.parquet", f"GM0014/{live[2]}.parquet"])


def test_an_old_database_whose_move_fails_keeps_its_rows_and_moves_them_next_time(old_db, monkeypatch):
    path, given, _ = old_db

    def full(self, path, data):
        raise UserDataError("Er is niets opgeslagen: de schijf is vol.")

    monkeypatch.setattr(Eigenbestand, "_write", full)
    db = Eigenbestand(path)
    assert files(db) == []
    uid = min(given)
    assert_frame_equal(db.spells(GM, uid), _expected(given[uid], uid))  # read as rows
    monkeypatch.undo()
    db = Eigenbestand(path)
    assert len(files(db)) == 3
    assert_frame_equal(db.spells(GM, uid), _expected(given[uid], uid))


def test_a_live_upload_whose_file_is_gone_says_so_instead_of_showing_nothing(db):
    """A database restored from a backup without its spell folder: the page must not show an empty file as if it had no
    clients; it names the upload and what to do, and changes nothing."""
    uid = db.save(GM, "dec.csv", spells(), PEIL, "tester")
    (db.folder / GM / f"{uid}.parquet").unlink()
    with pytest.raises(store.BestandOntbreekt) as exc:
        db.spells(GM)
    assert exc.value.dutch() == (
        f"De uitkeringsperioden van upload {uid} ('dec.csv') ontbreken: het bestand eigenbestand/{GM}/{uid}.parquet naast "
        "eigenbestand.db is er niet. Zet de map met de eigen bestanden terug uit dezelfde back-up als eigenbestand.db, of "
        "upload het bestand opnieuw. Er is niets gewijzigd.")
    assert db.current(GM)["id"] == uid  # nothing changed
    db.delete(GM, uid, "tester")  # a deleted upload reads as empty, as before
    assert db.spells(GM, uid).height == 0
