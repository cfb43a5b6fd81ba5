"""Who may do what: the user of a session and the access rules for visitaties."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLLEN = ("beheer", "visitatieteam", "gemeente")


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


def may_edit(user: Gebruiker, v: dict) -> bool:
    """The team and beheer write the dossier; the visited gemeente reads it (and may set norms, see may_set_norms)."""
    return may_open(user, v) and user.rol in ("beheer", "visitatieteam")


def may_set_norms(user: Gebruiker, v: dict) -> bool:
    return may_open(user, v)
