"""Who is using the portal: the login form and the signed-in user, or, without accounts, the person at this machine only."""

from __future__ import annotations

import os
from datetime import datetime

import streamlit as st

from portal import proxy
from portal.tekst import literal
from portal.ui.data import userdata
from portal.access import Gebruiker, local_user
from portal.userdata import UserData, UserDataError
from portal.userdata.accounts import MAX_NAAM, TeVeelPogingen, nog_wachten


def current_user() -> Gebruiker:
    """Local mode (no accounts configured): the person at this machine, and only there (see local_only). Otherwise a
    login form; the page stops until the user is logged in. The session keeps only who logged in: the account is read
    again on every run, so removing it or changing its role or gemeente takes effect at the user's next action."""
    ud = userdata()
    if not ud.has_accounts():
        local_only()
        return local_user()
    user = st.session_state.get("gebruiker")
    if user is not None:
        now = ud.account(user.naam)
        if now is None:
            del st.session_state["gebruiker"]
            st.warning("Uw account bestaat niet meer of is ingetrokken: u bent uitgelogd. Er is niets opgeslagen van wat u "
                       "net deed.")
        elif now != user:
            st.info(f"De beheerder heeft uw account gewijzigd: u werkt nu als {now.rol}"
                    f"{' voor ' + now.gemeente_code if now.gemeente_code else ''}, met de rechten die daarbij horen.")
            st.session_state["gebruiker"] = now
        user = now
    if user is None:
        _login_form(ud)
    st.sidebar.caption(f"Ingelogd als **{literal(user.naam)}** ({user.rol}"
                       f"{', ' + literal(user.gemeente_code) if user.gemeente_code else ''})")
    if st.sidebar.button("Uitloggen"):
        del st.session_state["gebruiker"]
        st.rerun()
    return user


def _login_form(ud: UserData) -> None:
    """The login form; stops the page. Failures are throttled per client address and name (in the user database, see
    accounts.py) and per session."""
    st.title("Inloggen")
    st.caption("Visitaties zijn vertrouwelijk: log in met het account dat de beheerder voor u heeft aangemaakt.")
    with st.form("inloggen"):
        naam = st.text_input("Gebruikersnaam", max_chars=MAX_NAAM)
        wachtwoord = st.text_input("Wachtwoord", type="password", max_chars=200)
        if st.form_submit_button("Inloggen"):
            fouten, laatste = st.session_state.get("inlog_fouten", (0, None))
            try:
                wacht = nog_wachten(fouten, laatste)
                if wacht:
                    raise TeVeelPogingen(wacht)
                user = ud.login(naam, wachtwoord, client_address())
            except (TeVeelPogingen, UserDataError) as e:  # UserDataError: a failed attempt could not be counted
                st.error(e.dutch())
            else:
                if user is None:
                    st.session_state["inlog_fouten"] = (fouten + 1, datetime.now())
                    st.error("Onbekende gebruikersnaam of onjuist wachtwoord.")
                else:
                    st.session_state.pop("inlog_fouten", None)
                    st.session_state["gebruiker"] = user
                    st.rerun()
    st.stop()


def client_address() -> str | None:
    """The address of this session's browser; None for this machine itself (127.0.0.1 or ::1, st.context.ip_address's
    rule). Behind the proxy of `dev.py serve` every connection comes from 127.0.0.1: the address is then the one the
    proxy signed in its header (portal/proxy.py). Without a valid signature (a header the client wrote itself, sent later
    on a kept-alive connection, or a connection straight to a backend port) the client is unknown, never local."""
    secret = os.environ.get(proxy.SECRET_ENV)
    if not secret:
        ip = st.context.ip_address  # None for localhost (and not a str under AppTest)
        return ip if isinstance(ip, str) else None
    address = proxy.verify(st.context.headers.get(proxy.CLIENT_HEADER), secret)
    if address is None:
        return "onbekend"
    return None if address in ("127.0.0.1", "::1") else address


def local_only() -> None:
    """Without accounts anyone who reaches the portal may open and edit every dossier: that is for one person on their
    own machine. `python3 dev.py start` then listens on localhost only; this refuses other addresses as well (e.g. when
    started with `streamlit run` directly or on another address, or behind the proxy of `dev.py serve`, also once the
    last account is removed while it runs), unless the portal was started with the explicit choice --openbaar."""
    if client_address() is not None and os.environ.get("PORTAL_OPENBAAR") != "1":
        st.error("Dit portaal draait zonder gebruikersaccounts en is daarom alleen te gebruiken op de computer waarop het "
                 "draait. De beheerder kan accounts aanmaken (python3 dev.py gebruikers toevoegen …); zie de README.")
        st.stop()
