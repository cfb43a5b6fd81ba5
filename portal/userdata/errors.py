"""The errors the user database raises; their messages are Dutch and meant for the user."""

from __future__ import annotations

from portal.fouten import DutchError
from portal.nl import nl_datetime


class UserDataError(DutchError, ValueError):
    """Input the user database refuses; the message is Dutch and meant for the user."""


class Conflict(UserDataError):
    """Someone else saved this record after you opened it. Holds both versions so the user can compare and merge.

    `velden` maps every field in conflict to (mine, theirs); `field`, `mine` and `theirs` are the first of them.
    `namen` is how the message names the fields ('de titel, het team'); without it the message speaks of 'dit'."""

    def __init__(self, field: str, mine, theirs, versie: int, door: str, wanneer: str, velden: dict | None = None,
                 namen: str | None = None):
        self.field, self.mine, self.theirs, self.versie, self.door, self.wanneer = field, mine, theirs, versie, door, wanneer
        self.velden = velden or {field: (mine, theirs)}
        if namen:
            text = (f"{door} heeft {namen} op {nl_datetime(wanneer)} al gewijzigd (versie {versie}). Uw wijziging is nog "
                    "niet opgeslagen: vergelijk beide versies en kies per veld welke blijft, of voeg ze samen.")
        else:
            text = (f"{door} heeft dit op {nl_datetime(wanneer)} al gewijzigd (versie {versie}). Uw wijziging is nog "
                    "niet opgeslagen: vergelijk beide teksten en sla een samengevoegde tekst op.")
        super().__init__(text)
