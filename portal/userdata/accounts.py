"""User accounts (optional; without any the portal is in local one-person mode): password hashes, login and its throttle.

Passwords are stored as Argon2id hashes (argon2-cffi's defaults, the RFC 9106 low-memory profile). Hashes made with an
older setting (scrypt with N = 2^14 before, or weaker Argon2 parameters) still verify and are replaced at the next good
login. A login takes the same work for an unknown name as for a known one, so timing does not tell which names exist.

Repeated failures lock out the source of the guesses, not the user: in the database (so a new browser session does not
reset it) per client address and name, after `VRIJE_POGINGEN` failures, and per client address whatever the names,
after `VRIJE_POGINGEN_ADRES`; the page adds the same limit per session. Then each further try from there must wait,
doubling up to `MAX_WACHT` seconds. Someone elsewhere who only knows a user's name can therefore not lock that user
out. Per name, over all addresses together, failures only slow down: after `VERTRAAG_NAAM_NA` of them every check of
that name waits `VERTRAGING` seconds first (a guesser with many addresses gets fewer tries per hour; the user still gets
in). A good login clears only the count of its address and name: the address's count stays (else one's own account would
reset the limit for guessing other names) and so does the name's (else the user's login would give guessers elsewhere
fast tries again); each is forgotten a day after its last failure.

The counts share one table with one key column: `paar:<address> <name>`, `adres:<address>` and `naam:<name>` (names
case-folded; an address has no spaces)."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.access import ROLLEN, Gebruiker
from portal.userdata.db import Store, now as _now
from portal.userdata.errors import UserDataError

VRIJE_POGINGEN = 5  # failures from one address for one name (and in one session) before a try must wait
VRIJE_POGINGEN_ADRES = 20  # failures from one address, whatever the names
VERTRAAG_NAAM_NA = 20  # failures of one name from all addresses together before each check of it is slowed down
VERTRAGING = 3.0  # seconds such a check waits: a slowdown, never a refusal
EERSTE_WACHT = 30  # seconds after the first failure beyond the free ones; doubles with every further failure
MAX_WACHT = 15 * 60
VERGEET_NA = timedelta(days=1)  # failures older than this no longer count
MAX_NAAM = 80
_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash to verify against for unknown names, made once


class TeVeelPogingen(UserDataError):
    """Login refused without checking the password: too many recent failures from this address (for this name or for
    any) or in this session."""

    def __init__(self, seconden: float, adres: bool = False):
        self.seconden = seconden
        if seconden <= 60:
            wanneer = f"{math.ceil(seconden)} seconden"
        else:
            minuten = math.ceil(seconden / 60)
            wanneer = f"{minuten} minuten"
        if adres:  # many names tried from here: a new password does not lift this
            super().__init__(f"Te veel mislukte inlogpogingen vanaf dit netwerkadres. Probeer het over {wanneer} opnieuw.")
        else:
            super().__init__(f"Te veel mislukte inlogpogingen. Probeer het over {wanneer} opnieuw, of vraag de beheerder uw "
                             "wachtwoord opnieuw in te stellen.")


def wachttijd(fouten: int, vrij: int = VRIJE_POGINGEN) -> float:
    """Seconds an address (for a name) or session must wait after `fouten` failures in a row, `vrij` of them free."""
    if fouten < vrij:
        return 0.0
    return float(min(MAX_WACHT, EERSTE_WACHT * 2 ** (fouten - vrij)))


def nog_wachten(fouten: int, laatste: datetime | None, nu: datetime | None = None, vrij: int = VRIJE_POGINGEN) -> float:
    """Seconds left before the next try is allowed (0 when allowed)."""
    if laatste is None:
        return 0.0
    over = wachttijd(fouten, vrij) - ((nu or datetime.now()) - laatste).total_seconds()
    return max(0.0, over)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _check_scrypt(password: str, stored: str) -> bool:
    """Hashes from before Argon2: scrypt$N$r$p$salt$digest."""
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=2**27)
    return hmac.compare_digest(got.hex(), digest)


def check_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _check_scrypt(password, stored)
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return stored.startswith("scrypt$") or _HASHER.check_needs_rehash(stored)


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("geen-bestaande-gebruiker"))
    return _DUMMY[0]


def _key(naam: str) -> str:
    return (naam or "").strip().casefold()[:MAX_NAAM]


def _keys(naam: str, adres: str | None) -> tuple[str, str, str]:
    """The throttle's keys for this address and name, for the address and for the name (module docstring). No address
    (this machine itself, or a caller outside the page) counts as the address 'lokaal'."""
    adres = "".join((adres or "lokaal").split())[:64]
    return f"paar:{adres} {_key(naam)}", f"adres:{adres}", f"naam:{_key(naam)}"


class Accounts(Store):
    def has_accounts(self) -> bool:
        with self._db() as db:
            return bool(db.execute("select count(*) from accounts").fetchone()[0])

    def add_account(self, naam: str, wachtwoord: str, rol: str, gemeente_code: str | None = None) -> None:
        naam = (naam or "").strip()
        if not naam:
            raise UserDataError("Geef een gebruikersnaam.")
        if len(naam) > MAX_NAAM:
            raise UserDataError(f"Een gebruikersnaam heeft hoogstens {MAX_NAAM} tekens.")
        if rol not in ROLLEN:
            raise UserDataError(f"Onbekende rol '{rol}'; kies uit {', '.join(ROLLEN)}.")
        if rol == "gemeente" and not gemeente_code:
            raise UserDataError("Een gebruiker met rol 'gemeente' hoort bij een gemeente: geef de gemeentecode (GMxxxx).")
        if len(wachtwoord or "") < 10:
            raise UserDataError("Het wachtwoord moet minstens 10 tekens hebben.")
        with self._db(write=True) as db:
            if db.execute("select 1 from accounts where naam = ?", [naam]).fetchone():
                raise UserDataError(f"Gebruiker '{naam}' bestaat al.")
            db.execute("insert into accounts (naam, rol, gemeente_code, wachtwoord_hash, aangemaakt) values (?, ?, ?, ?, ?)",
                       [naam, rol, gemeente_code if rol == "gemeente" else None, hash_password(wachtwoord), _now()])

    def change_account(self, naam: str, rol: str | None = None, gemeente_code: str | None = None,
                       wachtwoord: str | None = None) -> None:
        """A new role (with gemeente), and/or a new password, which also clears the name's failed logins (from every
        address; an address's own count for all names stays) and ends every login session of the account (sessies.py).
        An open session of this user works with the new role from its next action (the login is checked, with the
        account, on every run: ui.login)."""
        with self._db(write=True) as db:
            row = db.execute("select rol, gemeente_code from accounts where naam = ?", [naam]).fetchone()
            if row is None:
                raise UserDataError(f"Gebruiker '{naam}' bestaat niet.")
            rol = rol or row[0]
            if rol not in ROLLEN:
                raise UserDataError(f"Onbekende rol '{rol}'; kies uit {', '.join(ROLLEN)}.")
            gemeente_code = (gemeente_code or row[1]) if rol == "gemeente" else None
            if rol == "gemeente" and not gemeente_code:
                raise UserDataError("Een gebruiker met rol 'gemeente' hoort bij een gemeente: geef de gemeentecode (GMxxxx).")
            db.execute("update accounts set rol = ?, gemeente_code = ? where naam = ?", [rol, gemeente_code, naam])
            if wachtwoord is not None:
                if len(wachtwoord) < 10:
                    raise UserDataError("Het wachtwoord moet minstens 10 tekens hebben.")
                db.execute("update accounts set wachtwoord_hash = ? where naam = ?", [hash_password(wachtwoord), naam])
                db.execute("delete from inlogpogingen where naam = ? or (naam like 'paar:%' and "
                           "substr(naam, instr(naam, ' ') + 1) = ?)", [f"naam:{_key(naam)}", _key(naam)])
                # a new password is the answer to a password someone else may know: it ends every login of the account
                db.execute("update inlogsessies set ingetrokken = 1 where naam = ?", [naam])

    def accounts(self) -> list[dict]:
        with self._db() as db:
            return list(db.query("select naam, rol, gemeente_code, aangemaakt from accounts order by naam"))

    def account(self, naam: str) -> Gebruiker | None:
        """The account as it is now: a session checks it on every run, so a removed account or a changed role or
        gemeente takes effect at the user's next action."""
        with self._db() as db:
            row = db.execute("select naam, rol, gemeente_code from accounts where naam = ?", [naam]).fetchone()
        return None if row is None else Gebruiker(*row)

    def remove_account(self, naam: str) -> bool:
        """Removes the account and ends its logins (sessies.py): a new account with the same name later does not
        inherit them."""
        with self._db(write=True) as db:
            db.execute("update inlogsessies set ingetrokken = 1 where naam = ?", [naam])
            return db.execute("delete from accounts where naam = ?", [naam]).rowcount > 0

    def login(self, naam: str, wachtwoord: str, adres: str | None = None) -> Gebruiker | None:
        """The user for a good name and password, None for a wrong one. `adres` is the client's address (None: this
        machine). Raises TeVeelPogingen, without looking at the password, while this address is throttled for this name
        or for all names; a name with many failures from everywhere only makes the check slower (module docstring)."""
        naam = (naam or "").strip()
        paar, bron, per_naam = keys = _keys(naam, adres)
        with self._db() as db:
            pogingen = {k: (f, datetime.fromisoformat(t)) for k, f, t in db.execute(
                "select naam, fouten, laatste from inlogpogingen where naam in (?, ?, ?)", keys).fetchall()}
            row = db.execute("select naam, rol, gemeente_code, wachtwoord_hash from accounts where naam = ?",
                             [naam]).fetchone() if len(naam) <= MAX_NAAM else None
        for key, vrij in ((paar, VRIJE_POGINGEN), (bron, VRIJE_POGINGEN_ADRES)):
            if key in pogingen and (wacht := nog_wachten(*pogingen[key], vrij=vrij)):
                raise TeVeelPogingen(wacht, adres=key == bron)
        fouten, laatste = pogingen.get(per_naam, (0, datetime.min))
        if fouten >= VERTRAAG_NAAM_NA and datetime.now() - laatste < VERGEET_NA:
            time.sleep(VERTRAGING)
        stored = row[3] if row else _dummy_hash()
        ok = check_password(wachtwoord or "", stored) and row is not None
        if not ok:
            if not self.read_only:  # a read-only folder cannot count failures; login itself still works there
                self._failed(keys)
            return None
        if self.read_only:
            return Gebruiker(row[0], row[1], row[2])
        try:  # housekeeping only: on a full disk the login itself still works
            with self._db(write=True) as db:
                db.execute("delete from inlogpogingen where naam = ?", [paar])
                if needs_rehash(stored):
                    db.execute("update accounts set wachtwoord_hash = ? where naam = ? and wachtwoord_hash = ?",
                               [hash_password(wachtwoord), row[0], stored])
        except UserDataError:
            pass
        return Gebruiker(row[0], row[1], row[2])

    def _failed(self, keys: tuple[str, ...]) -> None:
        nu = datetime.now()
        with self._db(write=True) as db:
            db.execute("delete from inlogpogingen where laatste < ?", [(nu - VERGEET_NA).isoformat()])
            for key in keys:
                db.execute("insert into inlogpogingen (naam, fouten, laatste) values (?, 1, ?) on conflict(naam) do "
                           "update set fouten = fouten + 1, laatste = excluded.laatste", [key, nu.isoformat()])
