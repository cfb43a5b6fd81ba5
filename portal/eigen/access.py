"""Who may see, upload and delete a gemeente's own client file and its figures.

Only the gemeente's own users (role gemeente with that gemeente_code) and beheer. A visitatieteam does not see a
gemeente's own file (it sees what the gemeente puts in the visitatie foto). Other participants' individual figures are
for beheer only; everyone else sees them as aggregates over at least MIN_PARTICIPANTS gemeenten (portal.eigen.schema).

Local mode (no accounts configured, portal.userdata.local_user): the portal then serves one person on their own
machine, and only there (portal.ui.local_only refuses other addresses). That person uploaded whatever is in the
database themselves, so they act as beheer here too: they may see, upload and delete for any gemeente. Once accounts
exist these rules apply to everyone, including files uploaded before.
"""

from __future__ import annotations

from portal.userdata.access import Gebruiker


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
