"""Who may see and do what: the user of a session, the rules for visitaties and the rules for a gemeente's own client
file (Eigen bestand). No other portal module: the user database, the client-file store and the pages all ask here.

Visitaties: beheer, the visitatie's own team and the visited gemeente's users open a dossier; the team and beheer write
it; the visited gemeente may set norms.

Own client file: only the gemeente's own users (role gemeente with that gemeente_code) and beheer see, upload and delete
it. A visitatieteam does not see a gemeente's own file (it sees what the gemeente puts in the visitatie foto). Other
participants' individual figures are for beheer only; everyone else sees them as aggregates over at least
MIN_PARTICIPANTS gemeenten (portal.eigen.schema).

Local mode (no accounts configured, local_user): the portal then serves one person on their own machine, and only there
(portal.ui.local_only refuses other addresses). That person may do everything, as beheer: they uploaded whatever is in
the database themselves. Once accounts exist these rules apply to everyone, including files uploaded before."""

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


# ---- visitaties ---------------------------------------------------------------------------------------------------------
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


# ---- a gemeente's own client file -----------------------------------------------------------------------------------------
def may_see(user: Gebruiker, gemeente: str) -> bool:
    """The gemeente's records and figures: its own users and beheer (and the local user without accounts)."""
    if user.rol == "beheer":
        return True
    return user.rol == "gemeente" and bool(user.gemeente_code) and user.gemeente_code == gemeente


def may_upload(user: Gebruiker, gemeente: str) -> bool:
    """Upload, replace and delete: the same people who may see it."""
    return may_see(user, gemeente)


def may_see_participants(user: Gebruiker) -> bool:
    """Other participating gemeenten's individual figures (not just the aggregate): beheer only."""
    return user.rol == "beheer"
