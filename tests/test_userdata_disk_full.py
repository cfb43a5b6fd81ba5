"""A full disk during a save of user data (visitaties, notes, referentiegroepen, accounts): the Dutch message says
nothing was stored, and nothing is (the database afterwards is exactly what it was before, and intact); reading and
logging in go on.

On a real full disk, a tmpfs of 2 MB filled to the last byte (needs root, as CI runs; skipped elsewhere), in both ways
SQLite meets it: another connection keeps the WAL index open, so the transaction itself runs into ENOSPC (SQLITE_FULL);
or no connection is open, so a new one cannot even create the WAL index (a "disk I/O error" while the disk is full).
Everywhere: SQLite's own SQLITE_FULL, made by a page limit on the database (`pragma max_page_count`)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from portal import visitatie as vt
from portal.access import Gebruiker
from portal.peers import GroupSpec
from portal.userdata import UserData, UserDataError
from tests.test_visitatie import AMS, _new

WACHTWOORD = "anna-wachtwoord"
ANNA = Gebruiker("anna", "visitatieteam")


def seed(ud: UserData) -> dict:
    """A database with one of everything; the ids the saves below work on."""
    vid = _new(ud)
    iid = ud.add_item(vid, "anna", "Observatie", "De instroom daalt.", thema=vt.DEFAULT_THEMAS[0])
    ud.update_visitatie(vid, 1, "anna", {"titel": "Visitatie Amsterdam 2026"})
    ud.save_group("Grote steden", AMS, GroupSpec(), ["GM0599", "GM0518"])
    ud.add_account("anna", WACHTWOORD, "visitatieteam")
    return {"vid": vid, "iid": iid, "hid": ud.history(vid)[-1]["id"], "export": json.dumps(ud.export_visitatie(vid))}


SAVES = {
    "visitatie aanmaken": lambda ud, ids: _new(ud, titel="Nieuwe visitatie"),
    "visitatie wijzigen": lambda ud, ids: ud.update_visitatie(ids["vid"], 2, "anna", {"titel": "Andere titel"}),
    "notitie toevoegen": lambda ud, ids: ud.add_item(ids["vid"], "anna", "Sterk punt", "Goede samenwerking. " * 450,
                                                     thema=vt.DEFAULT_THEMAS[0]),
    "notitie wijzigen": lambda ud, ids: ud.update_item(ids["iid"], 1, "anna", {"tekst": "De instroom stijgt."}),
    "notitie verwijderen": lambda ud, ids: ud.delete_item(ids["iid"], 1, "anna"),
    "versie terugzetten": lambda ud, ids: ud.restore(ids["hid"], "anna"),
    "visitatie inlezen": lambda ud, ids: ud.import_visitatie(ids["export"], ANNA),
    "referentiegroep opslaan": lambda ud, ids: ud.save_group("Buren", AMS, GroupSpec(), ["GM0599"]),
    "account toevoegen": lambda ud, ids: ud.add_account("bram", "bram-wachtwoord", "visitatieteam"),
    "account wijzigen": lambda ud, ids: ud.change_account("anna", wachtwoord="een-nieuw-wachtwoord"),
    "account verwijderen": lambda ud, ids: ud.remove_account("anna"),
    "mislukte inlog tellen": lambda ud, ids: ud.login("anna", "fout-wachtwoord", "192.0.2.7"),
}


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        return list(conn.iterdump())
    finally:
        conn.close()


def check_every_save_refused(ud: UserData, ids: dict) -> None:
    for what, save in SAVES.items():
        with pytest.raises(UserDataError) as refused:
            save(ud, ids)
        message = refused.value.dutch()
        assert "niets opgeslagen" in message and "vol" in message, (what, message)
    # reading and logging in go on
    assert ud.visitatie(ids["vid"])["titel"] == "Visitatie Amsterdam 2026"
    assert [i["tekst"] for i in ud.items(ids["vid"])] == ["De instroom daalt."]
    assert [g["naam"] for g in ud.groups()] == ["Grote steden"]
    assert ud.login("anna", WACHTWOORD, "192.0.2.7") == ANNA


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte; the filler file."""
    filler = folder / "vulling"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler


@pytest.fixture
def small_disk():
    """A tmpfs of 2 MB, mounted for this test (root only)."""
    folder = Path(tempfile.mkdtemp(prefix="schijf-vol-"))
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
                                                    capture_output=True).returncode == 0
    if not mounted:
        folder.rmdir()
        pytest.skip("geen kleine tmpfs te koppelen (alleen als root); de test met max_page_count hieronder dekt de melding")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


@pytest.mark.parametrize("other_connection", [True, False], ids=["wal-index-open", "geen-verbinding-open"])
def test_a_full_disk_stores_nothing_and_says_so(small_disk: Path, other_connection: bool) -> None:
    path = small_disk / "userdata.db"
    ud = UserData(path)
    ids = seed(ud)
    before = dump(path)
    held = None
    if other_connection:  # as another session or process would: the WAL index stays, the WAL itself is emptied
        held = sqlite3.connect(path, isolation_level=None)
        held.execute("pragma wal_checkpoint(TRUNCATE)")
    filler = fill(small_disk)
    try:
        check_every_save_refused(ud, ids)
    finally:
        if held is not None:
            held.close()
        filler.unlink()
    assert dump(path) == before
    # with room again, saving works again
    assert ud.update_visitatie(ids["vid"], 2, "anna", {"titel": "Andere titel"}) == 3


def sqlite_full() -> sqlite3.OperationalError:
    """A genuine SQLITE_FULL from SQLite: an insert into a database that may not grow."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("create table t (x)")
        conn.execute(f"pragma max_page_count = {conn.execute('pragma page_count').fetchone()[0]}")
        conn.execute("insert into t values (zeroblob(100000))")
    except sqlite3.OperationalError as e:
        assert e.sqlite_errorcode == sqlite3.SQLITE_FULL
        return e
    finally:
        conn.close()
    raise AssertionError("geen SQLITE_FULL")


class FullAtCommit(sqlite3.Connection):
    """A connection whose COMMIT fails as on a full disk: everything before it ran for real."""

    def execute(self, sql, *args):
        if sql.strip().lower() == "commit":
            raise sqlite_full()
        return super().execute(sql, *args)


def test_sqlite_full_at_commit_stores_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "userdata.db"
    ud = UserData(path)
    ids = seed(ud)
    before = dump(path)
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: connect(*a, factory=FullAtCommit, **kw))
    check_every_save_refused(ud, ids)
    monkeypatch.undo()
    assert dump(path) == before


def test_the_visitatie_page_says_nothing_was_stored_and_keeps_the_text(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the page: a note saved on a full disk gets the Dutch message in the page (not the generic error with a
    code), its text stays in the box, and nothing is stored."""
    from portal.paths import USERDATA
    from tests.test_page_visitatie import create

    at, vid = create("Visitatie op een volle schijf")
    form, note = f"notitie-{vid}", "De wachttijd voor een eerste gesprek is gehalveerd."
    at.selectbox(key=f"{form}-thema").set_value(vt.DEFAULT_THEMAS[0])
    at.text_area(key=f"{form}-tekst").input(note)
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **kw: connect(*a, factory=FullAtCommit, **kw))
    at.button(key=f"{form}-toevoegen").click().run()
    monkeypatch.undo()
    assert not at.exception
    assert any("niets opgeslagen" in e.value and "vol" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_area(key=f"{form}-tekst").value == note
    assert UserData(USERDATA).items(vid) == []
