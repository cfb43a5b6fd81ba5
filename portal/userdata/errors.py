"""The errors the user database raises; their messages are Dutch and meant for the user."""

from __future__ import annotations

from portal import visitatie as vt


class UserDataError(ValueError):
    """Input the user database refuses; the message is Dutch and meant for the user."""


class Conflict(UserDataError):
    """Someone else saved this record after you opened it. Holds both versions so the user can compare and merge."""

    def __init__(self, field: str, mine, theirs, versie: int, door: str, wanneer: str):
        self.field, self.mine, self.theirs, self.versie, self.door, self.wanneer = field, mine, theirs, versie, door, wanneer
        super().__init__(f"{door} heeft dit op {vt.nl_datetime(wanneer)} al gewijzigd (versie {versie}). Uw wijziging is nog "
                         "niet opgeslagen: vergelijk beide teksten en sla een samengevoegde tekst op.")
