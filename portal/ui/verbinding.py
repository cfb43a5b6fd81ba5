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

The message comes with the first run of the new session. Streamlit's frontend (1.67) asks for a run on reconnecting only
when a run was under way; otherwise it expects its session to be resumed and leaves the page as it was, so a new session
runs when the user next acts (a click, a changed field; the values of the widgets on the page go with it).
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


def notice(pagina: str | None = None) -> None:
    """At the top of the page of a renewed session (pagina: the url path of the page that runs): that the connection was
    renewed and unsaved input is lost. With accounts, until the user has logged in again, asking to do so; otherwise in
    every run of the page where the session began, until the user goes to another page. Not only in the first run: a
    renewed session can get runs the user did not ask for right after it starts, and each run replaces what the last one
    drew."""
    if not renewed():
        return
    if "gebruiker" not in st.session_state and userdata().has_accounts():
        st.session_state[_SHOWN] = ""  # once logged in again, not shown any more
        st.warning(VERNIEUWD + OPNIEUW_INLOGGEN, icon=":material/sync:")
        return
    if pagina == "start":  # the hidden page of the root address: it switches to the first page at once, which shows it
        return
    if st.session_state.setdefault(_SHOWN, pagina) != pagina:
        st.session_state[_SHOWN] = ""  # another page: not back when the user returns
        return
    st.warning(VERNIEUWD, icon=":material/sync:")
