"""Logins that last a working day across reloads, tabs and dossier links, and that end everywhere at logout.

A good login gets a login session: a random token of 256 bits (`secrets.token_urlsafe(32)`) that the browser keeps in a
cookie (portal/ui/login.py says how it gets there and why). The database keeps only the token's SHA-256 (the session's
id), never the token itself: someone who reads userdata.db or a backup of it cannot log in with what they find there.
A token this long needs no secret key in its hash: it cannot be guessed, and its hash cannot be turned back into it.

A session is valid while it is not ended (`ingetrokken` = 0), not past its end (`verloopt`, DUUR after the login) and its
account exists. The account is read with it on every check, so a changed role or gemeente takes effect at the user's
next action; removing the account or giving it a new password ends all its sessions (accounts.py). Logging out ends the
one session of that browser: every tab that shares the cookie is logged out at its next action."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from portal.access import Gebruiker
from portal.userdata.db import Store

DUUR = timedelta(hours=10)  # a working day: a login from 8:00 lasts until 18:00
BEWAAR = timedelta(days=1)  # ended or expired sessions are removed this long after their end (housekeeping only)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes; anything else is refused unread


def sessie_id(token: str) -> str:
    """The id under which a token's session is stored: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _stamp(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


class Sessies(Store):
    def start_sessie(self, naam: str, nu: datetime | None = None) -> tuple[str, str, int]:
        """A new login session for account `naam`: (token for the browser, session id, seconds it lasts). Raises
        UserDataError when it cannot be stored (a read-only or full data folder)."""
        nu = nu or datetime.now()
        token = secrets.token_urlsafe(32)
        sid = sessie_id(token)
        with self._db(write=True) as db:
            db.execute("delete from inlogsessies where verloopt < ?", [_stamp(nu - BEWAAR)])
            db.execute("insert into inlogsessies (id, naam, aangemaakt, verloopt, ingetrokken) values (?, ?, ?, ?, 0)",
                       [sid, naam, _stamp(nu), _stamp(nu + DUUR)])
        return token, sid, int(DUUR.total_seconds())

    def sessie(self, sid: str, nu: datetime | None = None) -> Gebruiker | None:
        """The account of a valid session, as it is now; None for an unknown, ended or expired session or a removed
        account."""
        with self._db() as db:
            row = db.execute(
                "select a.naam, a.rol, a.gemeente_code from inlogsessies s join accounts a on a.naam = s.naam "
                "where s.id = ? and s.ingetrokken = 0 and s.verloopt > ?", [sid, _stamp(nu or datetime.now())]).fetchone()
        return None if row is None else Gebruiker(*row)

    def sessie_van_token(self, token: str | None, nu: datetime | None = None) -> tuple[str, Gebruiker] | None:
        """(session id, account) for the token of a browser's cookie; None for anything that is not a valid session's
        token (malformed, forged, tampered with, ended, expired)."""
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return None
        sid = sessie_id(token)
        user = self.sessie(sid, nu)
        return None if user is None else (sid, user)

    def beeindig_sessie(self, sid: str) -> None:
        """Logout: the session ends for every tab and window that shares it."""
        with self._db(write=True) as db:
            db.execute("update inlogsessies set ingetrokken = 1 where id = ?", [sid])

    def beeindig_sessies(self, naam: str) -> int:
        """End every session of account `naam` (new password, removed account, or `dev.py gebruikers uitloggen`)."""
        with self._db(write=True) as db:
            return db.execute("update inlogsessies set ingetrokken = 1 where naam = ? and ingetrokken = 0",
                              [naam]).rowcount

    def sessies(self, naam: str, nu: datetime | None = None) -> int:
        """How many valid sessions account `naam` has."""
        with self._db() as db:
            return db.execute("select count(*) from inlogsessies where naam = ? and ingetrokken = 0 and verloopt > ?",
                              [naam, _stamp(nu or datetime.now())]).fetchone()[0]
