"""User accounts (optional; without any the portal is in local one-person mode): password hashes and login."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from portal.userdata.access import ROLLEN, Gebruiker
from portal.userdata.db import Store, now as _now
from portal.userdata.errors import UserDataError


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


class Accounts(Store):
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
        with self._db(write=True) as db:
            if db.execute("select 1 from accounts where naam = ?", [naam]).fetchone():
                raise UserDataError(f"Gebruiker '{naam}' bestaat al.")
            db["accounts"].insert({"naam": naam, "rol": rol, "gemeente_code": gemeente_code if rol == "gemeente" else None,
                                   "wachtwoord_hash": hash_password(wachtwoord), "aangemaakt": _now()})

    def accounts(self) -> list[dict]:
        with self._db() as db:
            return list(db.query("select naam, rol, gemeente_code, aangemaakt from accounts order by naam"))

    def remove_account(self, naam: str) -> bool:
        with self._db(write=True) as db:
            return db.execute("delete from accounts where naam = ?", [naam]).rowcount > 0

    def login(self, naam: str, wachtwoord: str) -> Gebruiker | None:
        with self._db() as db:
            row = db.execute("select naam, rol, gemeente_code, wachtwoord_hash from accounts where naam = ?",
                             [(naam or "").strip()]).fetchone()
        if row is None or not check_password(wachtwoord or "", row[3]):
            return None
        return Gebruiker(row[0], row[1], row[2])
