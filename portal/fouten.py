"""The one kind of user-facing error: every error whose message is Dutch and meant for the user derives from DutchError,
and `error.dutch()` is how a page or a command gets that message (it is also the exception's own message)."""

from __future__ import annotations


class DutchError(Exception):
    """An error whose message is Dutch and meant for the user. Subclasses compose that message and pass it on."""

    def __init__(self, message: str):
        super().__init__(message)

    def dutch(self) -> str:
        """The Dutch message for the user."""
        return str(self.args[0])
