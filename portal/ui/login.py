"""Who is using the portal: the login form and the signed-in user, or, without accounts, the person at this machine only.

A login lasts a working day (portal/userdata/sessies.py DUUR) across reloads, new tabs and dossier links, and logging
out ends it in every tab. How:

- A good login starts a login session in userdata.db and gives the browser its token in the cookie `portaal_inlog`.
  The database keeps only the token's SHA-256, with the user, the end of the login and whether it was ended.
- Every new Streamlit session (a reload, a new tab, a link opened from a mail, a reconnect after a server process
  failed) reads that cookie from the websocket's opening request (st.context.cookies) and continues the login when the
  session it names is valid. Every run of a page checks the session again, with the account as it is now: a logout in
  another tab, an ended login (new password, removed account) or its end of day takes effect at the next action.
- Logging out ends the session in the database (so every tab that shares it is logged out at its next action) and
  removes the cookie from the browser.

Why the cookie is written by the page and not by the server: Streamlit reads request cookies (st.context.cookies) but
has no way to set one on an HTTP response, and its websocket cannot either. A route of our own that sets it (st.App with
Starlette routes) would change how every process is started (`start`, `serve`, the tests), and the proxies cannot help
under `python3 dev.py start`, which runs one Streamlit without a proxy. So a tiny script on the page (st.components.v2,
in the page itself, no iframe) writes the cookie in the run after the login, and again in later runs until it reports
that it did. The token reaches it as the component's data over the websocket: it is never part of the page's HTML, its
text or any URL, and the portal does not log it. Such a cookie cannot be HttpOnly (script on the page can read it). What
makes it equivalent: the token is opaque and random (256 bits) and only its hash is stored; the cookie is
SameSite=Strict (no other site can make the browser send it), Secure under https, Path=/, with Max-Age the length of a
working day; every login gets a new token; and the server decides: a token is only as good as its session in
userdata.db, which logout, a new password and removal end at once. The portal shows user text only as literal text
(portal/tekst.py), so there is no place for a script of someone else that could read it.
"""

from __future__ import annotations

import os
from datetime import datetime

import streamlit as st

from portal import proxy
from portal.tekst import literal
from portal.ui.data import userdata
from portal.ui.einde import PaginaKlaar
from portal.access import Gebruiker, local_user
from portal.userdata import UserData, UserDataError
from portal.userdata.accounts import MAX_NAAM, TeVeelPogingen, nog_wachten

COOKIE = "portaal_inlog"
GEBRUIKER = "gebruiker"  # session_state: the signed-in user (Gebruiker), as of this run
SESSIE = "inlogsessie"  # session_state: the id of the login session (None: a login that could not be stored)
_COOKIE_ZETTEN = "_inlog_cookie"  # session_state: what the cookie script does next: {"token", "seconden"} or {"weg"}
_TOKEN = "_inlog_token"  # session_state: the token of this session's login (server memory only), to remove its cookie
_MELDING = "_inlog_melding"  # session_state: why the login ended: {"tekst", "soort", "pagina"} (see _toon_melding)
_GEZIEN = "_inlog_cookie_gezien"  # session_state: the cookie value this session continued or refused

VERLOPEN = "Uw inlog is verlopen of beëindigd (uitgelogd in een ander tabblad, of een nieuw wachtwoord). Log opnieuw in."
VERWIJDERD = "Uw account bestaat niet meer of is ingetrokken: u bent uitgelogd. Er is niets opgeslagen van wat u net deed."
UITGELOGD_ELDERS = ("U bent uitgelogd: in een ander tabblad of venster is uitgelogd, of uw inlog is verlopen of door de "
                    "beheerder beëindigd. Er is niets opgeslagen van wat u net deed.")

# Writes or removes the login cookie; no HTML of its own. Data {"token", "seconden"}: write it. Data {"weg": token}:
# remove it if it still holds that token (after a logout or a refused cookie), not a newer login made in another tab.
# Reports back when done ("gezet"): until then every run mounts it again, so a rerun that replaces the page before the
# browser loaded the script (it is loaded as a module, asynchronously) cannot lose the cookie.
_COOKIE_JS = """
export default function ({ data, setTriggerValue }) {
  if (!data) return;
  const name = "%s";
  const attributes = "; Path=/; SameSite=Strict" + (window.location.protocol === "https:" ? "; Secure" : "");
  if (data.token) {
    document.cookie = `${name}=${data.token}; Max-Age=${data.seconden}${attributes}`;
  } else if (data.weg) {
    const now = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    if (now !== undefined && now.slice(name.length + 1) === data.weg) {
      document.cookie = `${name}=; Max-Age=0${attributes}`;
    }
  }
  setTriggerValue("gezet", true);
}
""" % COOKIE
_cookie_script = st.components.v2.component("portaal.inlogcookie", js=_COOKIE_JS)


class InloggenNodig(PaginaKlaar):
    """Ends a page run that shows the login form (or the refusal of local mode) instead of the page; the menu is still
    drawn (PaginaKlaar)."""


def restore(pagina: str | None = None) -> Gebruiker | None:
    """At the start of every run (pages/app.py, with the url path of the page that runs): the signed-in user, checked
    against the database, or None.

    A session that has a user checks its login session (or, for a login that could not be stored, the account) again:
    ended, expired or removed means logged out, with a message why. A session without a user continues the login of the
    browser's cookie when it names a valid session; a cookie that does not (forged, altered, ended, expired) is removed
    and the page says so. Costs nothing without a user or a cookie (no database access)."""
    user = _restore()
    _toon_melding(pagina)
    return user


def _melding(tekst: str, soort: str = "warning") -> None:
    """Why the login ended, for the top of the page (shown by _toon_melding from this run on)."""
    st.session_state[_MELDING] = {"tekst": tekst, "soort": soort, "pagina": None}


def _toon_melding(pagina: str | None) -> None:
    """Show why the login ended, on the page where it was found, in every run of that page until the user goes to
    another page or logs in. Not only in one run: the run that finds it can be followed at once by runs the user did not
    ask for (the cookie script reporting back, a rerun request that interrupts a slow run), and each run replaces what
    the last one drew."""
    melding = st.session_state.get(_MELDING)
    if melding is None:
        return
    if melding["pagina"] is None:
        melding["pagina"] = pagina
    elif melding["pagina"] != pagina:
        del st.session_state[_MELDING]
        return
    getattr(st, melding["soort"])(melding["tekst"])


def _restore() -> Gebruiker | None:
    user = st.session_state.get(GEBRUIKER)
    token = st.context.cookies.get(COOKIE)
    # st.context.cookies are those of the websocket's opening request: they stay the same for this whole session, also
    # after a logout here. A cookie this session has already used or refused is therefore not looked at again.
    if user is None and (not token or st.session_state.get(_GEZIEN) == token):
        return None
    ud = userdata()
    if user is None:
        st.session_state[_GEZIEN] = token
        try:
            found = ud.sessie_van_token(token)
        except UserDataError:
            found = None
        if found is None:
            st.session_state[_COOKIE_ZETTEN] = {"weg": token}  # remove it: it will not become valid again
            _melding(VERLOPEN, "info")
            return None
        st.session_state[SESSIE], st.session_state[GEBRUIKER] = found
        st.session_state[_TOKEN] = token
        return found[1]
    sid = st.session_state.get(SESSIE)
    now = ud.sessie(sid) if sid else ud.account(user.naam)
    if now is None:
        _forget()
        _melding(UITGELOGD_ELDERS if ud.account(user.naam) else VERWIJDERD)
        return None
    if now != user:
        st.info(f"De beheerder heeft uw account gewijzigd: u werkt nu als {now.rol}"
                f"{' voor ' + now.gemeente_code if now.gemeente_code else ''}, met de rechten die daarbij horen.")
        st.session_state[GEBRUIKER] = now
    return now


def current_user() -> Gebruiker:
    """Local mode (no accounts configured): the person at this machine, and only there (see local_only). Otherwise the
    user restore() found for this run, or the login form instead of the page (InloggenNodig). The session keeps only
    who logged in and the id of the login session: both are checked again on every run (restore), so a logout
    elsewhere, removing the account or changing its role or gemeente takes effect at the user's next action."""
    ud = userdata()
    if not ud.has_accounts():
        local_only()
        return local_user()
    user = st.session_state.get(GEBRUIKER)
    if user is None:
        _login_form(ud)
    return user


def status() -> None:
    """In the sidebar, on every page: who is logged in, with the logout button; and the cookie script when the cookie
    must be written (the run after a login) or removed (after a logout, or when it no longer named a valid login)."""
    if _COOKIE_ZETTEN in st.session_state:
        _cookie_script(data=st.session_state[_COOKIE_ZETTEN], key="inlogcookie", on_gezet_change=_cookie_done)
    user = st.session_state.get(GEBRUIKER)
    if user is None:
        return
    st.caption(f"Ingelogd als **{literal(user.naam)}** ({user.rol}"
               f"{', ' + literal(user.gemeente_code) if user.gemeente_code else ''})")
    if not st.session_state.get(SESSIE):
        st.caption("Deze inlog geldt alleen in dit tabblad: hij kon niet worden bewaard (de gegevensmap is alleen-lezen "
                   "of vol). Na herladen of in een nieuw tabblad logt u opnieuw in.")
    st.button("Uitloggen", key="uitloggen", on_click=_logout)


def _cookie_done() -> None:
    """The cookie script wrote (or removed) the cookie: no need to mount it again."""
    st.session_state.pop(_COOKIE_ZETTEN, None)


def _logout() -> None:
    """The logout button (a callback: it runs before the page, which then shows the logged-out state). Ends the login
    session for every tab that shares it and removes the cookie from this browser."""
    sid = st.session_state.get(SESSIE)
    _forget()
    if sid:
        try:
            userdata().beeindig_sessie(sid)
        except UserDataError as e:  # a read-only or full data folder: say so, the cookie is removed anyway
            _melding("Uitloggen is in dit tabblad gelukt, maar kon niet worden vastgelegd: "
                     f"{e.dutch()} Sluit de browser om ook andere tabbladen uit te loggen.", "info")
    st.session_state.pop("inlog_fouten", None)


def _forget() -> None:
    """This Streamlit session is logged out; the browser's cookie is removed in the next run (status)."""
    st.session_state.pop(GEBRUIKER, None)
    st.session_state.pop(SESSIE, None)
    token = st.session_state.pop(_TOKEN, None)
    if token:
        st.session_state[_COOKIE_ZETTEN] = {"weg": token}
    else:
        st.session_state.pop(_COOKIE_ZETTEN, None)


def _login_form(ud: UserData) -> None:
    """The login form instead of the page (raises InloggenNodig). Failures are throttled per client address and name
    (in the user database, see accounts.py) and per session. A good login starts a login session (sessies.py) whose
    token the cookie script writes in the next run."""
    st.title("Inloggen")
    st.caption("Visitaties en Eigen bestand zijn vertrouwelijk: log in met het account dat de beheerder voor u heeft "
               "aangemaakt. De andere pagina's in het menu zijn zonder inloggen te gebruiken. Een inlog geldt een werkdag "
               "(10 uur), ook na herladen en in andere tabbladen, tot u uitlogt.")
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
                    _signed_in(ud, user)
                    st.rerun()
    raise InloggenNodig


def _signed_in(ud: UserData, user: Gebruiker) -> None:
    """After a good login: a new login session (a new token at every login) and the cookie for it; the session the
    browser's cookie named before, if any, is ended. Where nothing can be stored, the login holds for this tab only."""
    old = ud.sessie_van_token(st.context.cookies.get(COOKIE))
    try:
        token, sid, seconden = ud.start_sessie(user.naam)
        if old:
            ud.beeindig_sessie(old[0])
    except UserDataError:  # status() says that this login holds for this tab only
        sid = None
    else:
        st.session_state[_COOKIE_ZETTEN] = {"token": token, "seconden": seconden}
        st.session_state[_TOKEN] = token
    st.session_state[SESSIE] = sid
    st.session_state[GEBRUIKER] = user
    st.session_state.pop(_MELDING, None)


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
        raise InloggenNodig
