"""The writable user database (never the warehouse): saved referentiegroepen, visitaties with their notes, findings and
full edit history, and (optionally) user accounts. No Streamlit here.

The parts: db (connection and schema), accounts, sessies (logins that last a working day), groups, dossiers (visitaties, notes, history) and transfer (export
and import). `UserData` is all of them on one database file. Who may do what: portal.access."""

from __future__ import annotations

from portal.userdata.accounts import Accounts, check_password, hash_password
from portal.userdata.dossiers import JSON_FIELDS, MAX_TITEL, RESTORABLE, VELD_NAMEN
from portal.userdata.errors import Conflict, UserDataError
from portal.userdata.groups import MAX_NAME, Groups
from portal.userdata.sessies import Sessies
from portal.userdata.transfer import EXPORT_FORMAAT, EXPORT_VERSIE, Transfer, legacy_norm_notes


class UserData(Accounts, Sessies, Groups, Transfer):
    """The user database at one path. One short-lived connection per operation: Streamlit serves sessions from several
    threads."""


__all__ = ["check_password", "hash_password", "JSON_FIELDS", "MAX_TITEL", "RESTORABLE", "VELD_NAMEN", "MAX_NAME", "EXPORT_FORMAAT",
           "EXPORT_VERSIE", "Conflict", "UserDataError", "UserData", "legacy_norm_notes"]
