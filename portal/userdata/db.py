"""The connection to the writable user database (never the warehouse), its schema migrations and its transactions.

Every write is one transaction: `_db(write=True)` takes the write lock (BEGIN IMMEDIATE) and commits only when the whole
operation succeeded; anything that fails inside rolls everything back. sqlite-utils' own helpers (insert, update) then
run as savepoints inside that transaction, so they cannot commit half an operation.

A data folder that cannot be written (a read-only share, a copy on a CD) still opens for reading and login; a save then
gets a Dutch message that nothing could be stored. So does a save on a full disk: SQLite then stops the transaction
(SQLITE_FULL), which is rolled back whole, and what was stored before stays as it was. On a full disk SQLite cannot
even create the WAL index (the -shm file) that a new connection needs once the last one has closed ("disk I/O error"):
a save then says the disk is full, and reading goes on from the database file itself (the last connection to close
checkpointed everything into it)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import sqlite_utils
from sqlite_utils.migrations import Migrations

from portal.paths import settings
from portal.userdata.errors import UserDataError

MIGRATIONS = Migrations("bijstandsportaal-userdata")
NIET_OPGESLAGEN = ("Er kon niets worden opgeslagen: de gegevensmap van het portaal ({map}) is alleen-lezen of niet "
                   "bereikbaar. Lezen werkt wel. Vraag de beheerder de map schrijfbaar te maken.")
BEZET = "De database is bezet door een andere gebruiker; er is niets opgeslagen. Probeer het over een paar seconden opnieuw."
VOL = ("Er is niets opgeslagen: de schijf met de gegevensmap van het portaal ({map}) is vol. Wat eerder was opgeslagen, "
       "is ongewijzigd. Vraag de beheerder ruimte te maken en probeer het dan opnieuw.")
VOL_ONDER = 1024 * 1024  # bytes free below which an I/O error of SQLite counts as a full disk


@MIGRATIONS(name="0001_schema")
def _schema(db: sqlite_utils.Database) -> None:
    """The schema as it was before migrations existed: an older database already has it, so this changes nothing there."""
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


@MIGRATIONS(name="0002_inlogpogingen")
def _login_attempts(db: sqlite_utils.Database) -> None:
    """Failed logins per (case-folded) user name, for the throttle in accounts.py."""
    db["inlogpogingen"].create({"naam": str, "fouten": int, "laatste": str}, pk="naam", not_null={"fouten", "laatste"})


@MIGRATIONS(name="0003_eigen_bestand")
def _own_file(db: sqlite_utils.Database) -> None:
    """Per visitatie whether the gemeente shares figures from its own client file in the foto (JSON: door, wanneer)."""
    if "eigen_bestand" not in db["visitaties"].columns_dict:
        db["visitaties"].add_column("eigen_bestand", str)


@MIGRATIONS(name="0004_inlogsessies")
def _login_sessions(db: sqlite_utils.Database) -> None:
    """Logins that last across reloads and tabs (portal/userdata/sessies.py): the SHA-256 of the browser's random token,
    never the token itself, with the user, the end of the login and whether it was ended (logout, new password)."""
    db["inlogsessies"].create({"id": str, "naam": str, "aangemaakt": str, "verloopt": str, "ingetrokken": int}, pk="id",
                              not_null={"naam", "aangemaakt", "verloopt", "ingetrokken"}, defaults={"ingetrokken": 0})
    db["inlogsessies"].create_index(["naam"])


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def private(path: Path) -> None:
    """The database file readable and writable by the owner only (0600), created so if it is not there yet, and an
    existing one (with its -wal and -shm files) tightened. SQLite gives the -wal and -shm files it creates the mode of
    the database file (https://www.sqlite.org/tempfiles.html), so they follow. A file of another owner stays as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is an empty database to SQLite
    except OSError:
        pass
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.stat().st_mode & 0o077:
                p.chmod(0o600)
        except OSError:
            pass


def writable(path: Path) -> bool:
    """Whether the database (and the folder its journal files go in) can be written by this process."""
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _disk_full(e: sqlite3.Error) -> bool:
    """SQLITE_FULL: the disk (or the database's size limit) is full; SQLite reports ENOSPC on a write this way."""
    return getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(e).lower()


def no_space(folder: Path) -> bool:
    """Whether the file system of `folder` has (almost) no room left for this process."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < VOL_ONDER


def _not_writable(e: sqlite3.OperationalError) -> bool:
    msg = str(e).lower()
    return any(x in msg for x in ("readonly", "read-only", "unable to open", "disk i/o error", "permission"))


class Store:
    """One short-lived connection per operation: Streamlit serves sessions from several threads. A subclass with its own
    `migrations` is another database with the same connection and transaction rules (portal.eigen.store)."""

    migrations: Migrations = MIGRATIONS

    def __init__(self, path: Path | None = None):
        self.path = path = path or settings.userdata
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a folder the portal makes is the owner's only
        except OSError:
            pass  # a read-only place: found out below
        self.read_only = not writable(path)
        if not self.read_only:
            private(path)
            try:
                self._migrate()
            except sqlite3.OperationalError as e:
                if _disk_full(e) or (_not_writable(e) and no_space(path.parent)):
                    return  # a full disk is not a read-only folder: reading goes on, a save says the disk is full
                if not _not_writable(e):
                    raise
                self.read_only = True

    def _migrate(self) -> None:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db = sqlite_utils.Database(conn)
            if db.execute("pragma journal_mode").fetchone()[0] != "wal":
                db.execute("pragma journal_mode=wal")
            if self.migrations.pending(db):
                try:
                    self.migrations.apply(db)
                except (sqlite3.IntegrityError, sqlite3.OperationalError):
                    if self.migrations.pending(db):  # not just another process that applied them first
                        raise
        finally:
            conn.close()

    def _full(self, e: sqlite3.Error) -> bool:
        return _disk_full(e) or (isinstance(e, sqlite3.OperationalError) and _not_writable(e) and no_space(self.path.parent))

    def _connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit). In a read-only folder a read-only one: with
        mode=ro when SQLite can use the WAL index there, else immutable (nobody can be writing a read-only folder). On
        a full disk where no connection can be opened (no room for the WAL index): an immutable one on the database
        file, which holds everything (the last connection to close checkpointed it); a save on it fails and _db says
        the disk is full."""
        if not self.read_only:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                conn.execute("select count(*) from sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as e:  # the folder became read-only (or full) while the portal was running
                conn.close()
                if self._full(e):
                    uri = "file:" + quote(str(self.path.resolve()))
                    return sqlite3.connect(uri + "?immutable=1", uri=True, timeout=10, isolation_level=None)
                if not (_not_writable(e) and not writable(self.path)):
                    raise
                self.read_only = True
        if not self.path.exists():  # nothing stored yet in a read-only place: an empty database, read-only
            conn = sqlite3.connect("file::memory:", uri=True, isolation_level=None)
            self.migrations.apply(sqlite_utils.Database(conn))
            conn.execute("pragma query_only = on")
            return conn
        uri = "file:" + quote(str(self.path.resolve()))
        try:
            conn = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=10, isolation_level=None)
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            return sqlite3.connect(uri + "?immutable=1", uri=True, timeout=10, isolation_level=None)

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite_utils.Database]:
        """A connection for one operation. write=True makes the operation one transaction that takes the write lock
        first, so a version check and the update that follows it cannot interleave with another writer's (read-check-
        write is one serialised step) and a failure anywhere inside stores nothing at all."""
        conn = self._connect()
        try:
            if not write:
                yield sqlite_utils.Database(conn)
                return
            try:
                conn.execute("begin immediate")
                try:
                    yield sqlite_utils.Database(conn)
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("rollback")
                    raise
                conn.execute("commit")
            except sqlite3.OperationalError as e:
                if conn.in_transaction:
                    conn.execute("rollback")
                if self._full(e):
                    raise UserDataError(VOL.format(map=self.path.parent)) from e
                if _not_writable(e):
                    raise UserDataError(NIET_OPGESLAGEN.format(map=self.path.parent)) from e
                if "locked" in str(e) or "busy" in str(e):
                    raise UserDataError(BEZET) from e
                raise
        finally:
            conn.close()
