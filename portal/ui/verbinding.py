"""A connection renewed after a server process failed: say so, instead of silently losing what was typed.

The login itself survives this: the new session continues it from the browser's login cookie (portal/ui/login.py,
restore, which pages/app.py runs before notice()). Only without a valid login does the notice ask to log in again.

Streamlit keeps a session (the logged-in user, what was typed but not saved) in the memory of one server process. When
that process dies or hangs, the proxy sends the browser's reconnect to another process (or to the restarted one), where
a new, empty session starts. Streamlit's frontend sends the id of its last session with every reconnect (the third entry
of the websocket's Sec-WebSocket-Protocol header: "streamlit, <xsrf token>, <last session id>"), so a process can
resume a session it still holds. A session that starts with the id of a session this process does not hold is such a
renewed connection. A first visit or a reload sends no id; a reconnect to a session that is still there resumes it under
the same id: neither shows the message.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from portal.ui.data import userdata

VERNIEUWD = "De verbinding met de server is vernieuwd; wat u niet had opgeslagen is verloren."
OPNIEUW_INLOGGEN = " Log opnieuw in."
_KEY = "_verbinding_vernieuwd"
_SHOWN = "_verbinding_vernieuwd_getoond"


def previous_session(protocol: str | None) -> str | None:
    """The last session id the frontend sent in the Sec-WebSocket-Protocol header, if any."""
    entries = [e.strip() for e in (protocol or "").split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def renewed() -> bool:
    """Whether this session replaces one the browser had in a process that failed (decided once per session)."""
    if _KEY not in st.session_state:
        ctx = get_script_run_ctx()
        previous = previous_session(st.context.headers.get("Sec-Websocket-Protocol"))
        st.session_state[_KEY] = bool(previous and ctx is not None and previous != ctx.session_id)
    return st.session_state[_KEY]


def notice() -> None:
    """At the top of the page of a renewed session: that the connection was renewed and unsaved input is lost; with
    accounts, until the user has logged in again, and asking to do so; without accounts, in the session's first run."""
    if not renewed():
        return
    must_login = "gebruiker" not in st.session_state and userdata().has_accounts()
    if st.session_state.get(_SHOWN) and not must_login:
        return
    st.session_state[_SHOWN] = True
    st.warning(VERNIEUWD + (OPNIEUW_INLOGGEN if must_login else ""), icon=":material/sync:")
