"""Logins that last a working day (portal/userdata/sessies.py, portal/ui/login.py): issue, validation, expiry, the
token never stored, logout that ends the login in every tab, a new password or a removed account that ends all logins, a
forged or tampered cookie refused with a Dutch message; and the login page with the normal menu."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest
import streamlit as st

from portal.userdata import UserData
from portal.userdata.sessies import DUUR, sessie_id
from portal.ui import login as lg
from tests.pagetest import page as open_page


# ---- the login sessions in the user database ---------------------------------------------------------------------------
@pytest.fixture
def anna(ud: UserData) -> UserData:
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    return ud


def test_a_session_is_issued_with_a_random_token_of_which_only_the_hash_is_stored(anna: UserData) -> None:
    token, sid, seconden = anna.start_sessie("anna")
    assert len(token) == 43 and sid == sessie_id(token) and seconden == DUUR.total_seconds() == 10 * 3600
    assert anna.sessie_van_token(token) == (sid, anna.account("anna"))
    other, _, _ = anna.start_sessie("anna")
    assert other != token and anna.sessies("anna") == 2  # a new token at every login
    dump = "\n".join(sqlite3.connect(anna.path).iterdump())
    assert token not in dump and sid in dump  # the database holds the hash, never the token


def test_forged_tampered_and_malformed_tokens_are_refused(anna: UserData) -> None:
    token, _, _ = anna.start_sessie("anna")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "x" * 43, token + "x", token[:20], "", None, "é" * 43, "'; drop table accounts; --", sessie_id(token)):
        assert anna.sessie_van_token(bad) is None, bad
    assert anna.sessie_van_token(token) is not None


def test_a_session_ends_after_a_working_day(anna: UserData) -> None:
    start = datetime(2026, 12, 7, 8, 0)
    token, sid, _ = anna.start_sessie("anna", nu=start)
    assert anna.sessie(sid, nu=start + timedelta(hours=9, minutes=59)) is not None
    assert anna.sessie(sid, nu=start + DUUR) is None
    assert anna.sessie_van_token(token, nu=start + timedelta(hours=11)) is None
    # ended and expired sessions are cleared away a day after their end, by the next login
    anna.start_sessie("anna", nu=start + DUUR + timedelta(days=1, seconds=1))
    with sqlite3.connect(anna.path) as conn:
        assert conn.execute("select count(*) from inlogsessies where id = ?", [sid]).fetchone()[0] == 0


def test_logout_new_password_and_removal_end_sessions_a_new_role_does_not(anna: UserData) -> None:
    anna.add_account("bert", "bert-wachtwoord", "beheer")
    t1, s1, _ = anna.start_sessie("anna")
    t2, s2, _ = anna.start_sessie("anna")
    tb, sb, _ = anna.start_sessie("bert")
    anna.beeindig_sessie(s1)  # logout in one browser
    assert anna.sessie(s1) is None and anna.sessie(s2) is not None
    anna.change_account("anna", rol="gemeente", gemeente_code="GM0153")  # works on with the new rights
    assert anna.sessie(s2).rol == "gemeente"
    anna.change_account("anna", wachtwoord="nieuw-wachtwoord")  # a new password ends every login of anna
    assert anna.sessie(s2) is None and anna.sessie(sb) is not None
    t3, s3, _ = anna.start_sessie("anna")
    anna.remove_account("anna")
    assert anna.sessie(s3) is None
    anna.add_account("anna", "anna-wachtwoord", "beheer")  # a new account of the same name inherits no login
    assert anna.sessie_van_token(t3) is None and anna.sessie_van_token(tb)[1].naam == "bert"


# ---- in the portal ------------------------------------------------------------------------------------------------------
@pytest.fixture
def team(built):
    from portal.paths import USERDATA
    ud = UserData(USERDATA)
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    ud.add_account("beheerder", "beheer-wachtwoord", "beheer")  # accounts remain when anna's is removed
    yield ud
    ud.remove_account("anna")
    ud.remove_account("beheerder")
    with sqlite3.connect(ud.path) as conn:
        conn.execute("delete from inlogpogingen")
        conn.execute("delete from inlogsessies")


@pytest.fixture
def cookies(monkeypatch) -> dict:
    """The cookies the browser sends with the websocket's opening request (st.context.cookies), per test."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: jar))
    return jar


def visitaties(**params):
    return open_page("visitatie", **params)


def sidebar_links(at) -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        kids = getattr(node, "children", None)
        for child in (kids.values() if isinstance(kids, dict) else kids or []):
            if getattr(child, "type", None) == "page_link":
                found.append(child.proto.label)
            walk(child)

    walk(at.sidebar)
    return found


def login(at, naam: str, wachtwoord: str):
    at.text_input[0].input(naam)
    at.text_input[1].input(wachtwoord)
    return at.button[0].click().run()


def test_the_login_page_has_the_menu_and_says_what_needs_a_login(team, cookies) -> None:
    at = visitaties()
    assert at.title[0].value == "Inloggen"
    assert "Gemeenteprofiel" in sidebar_links(at) and "Visitaties" in sidebar_links(at)  # not an empty sidebar
    assert "zonder inloggen te gebruiken" in at.caption[0].value
    public = open_page("bronnen")
    assert not [t for t in public.title if t.value == "Inloggen"]  # public pages need no login


def test_a_login_continues_in_a_new_session_with_the_cookie_and_logout_ends_it_in_every_tab(team, cookies) -> None:
    at = login(visitaties(), "anna", "anna-wachtwoord")
    assert at.title[0].value != "Inloggen" and team.sessies("anna") == 1
    sid = at.session_state[lg.SESSIE]
    # the browser's cookie (in the real browser written by the page script; here made the same way)
    token, sid2, _ = team.start_sessie("anna")
    cookies[lg.COOKIE] = token
    other = visitaties()  # a reload, a new tab or a dossier link: a new Streamlit session with the cookie
    assert other.title[0].value != "Inloggen" and other.session_state[lg.SESSIE] == sid2
    assert any("Ingelogd als **anna**" in c.value for c in other.sidebar.caption)
    again = visitaties()  # a third tab with the same cookie
    assert again.session_state[lg.SESSIE] == sid2
    again.button(key="uitloggen").click().run()  # log out in that tab
    assert again.title[0].value == "Inloggen" and team.sessie(sid2) is None
    assert not again.info and not again.warning  # a plain logout, not "expired" (its opening cookie is still the old one)
    other.run()  # the other tab, at its next action
    assert lg.UITGELOGD_ELDERS in [w.value for w in other.warning] and other.title[0].value == "Inloggen"
    other.run()  # a run the user did not ask for (the cookie script reporting back): the message stays on this page
    assert lg.UITGELOGD_ELDERS in [w.value for w in other.warning] and other.title[0].value == "Inloggen"
    other.switch_page("bronnen.py").run()  # until the user goes to another page
    assert not other.warning and not other.info
    other.switch_page("visitatie.py").run()  # and not back when the user returns
    assert not other.warning and not other.info and other.title[0].value == "Inloggen"
    assert team.sessie(sid) is not None  # the first login, in another browser, is not touched


def test_a_forged_tampered_or_expired_cookie_gets_the_login_form_with_a_dutch_message(team, cookies) -> None:
    token, sid, _ = team.start_sessie("anna", nu=datetime.now() - DUUR - timedelta(minutes=1))
    good, _, _ = team.start_sessie("anna")
    for bad in (token, good[:-1] + ("A" if good[-1] != "A" else "B"), "vervalst", "x" * 4000):
        cookies[lg.COOKIE] = bad
        at = visitaties()
        assert at.title[0].value == "Inloggen" and lg.VERLOPEN in [i.value for i in at.info]
        assert not at.exception and not at.error
        assert lg.GEBRUIKER not in at.session_state
    at.run()  # the run after (the cookie script reports that it removed the cookie): still says why
    assert lg.VERLOPEN in [i.value for i in at.info]
    login(at, "anna", "anna-wachtwoord")  # until the user logs in
    assert at.title[0].value != "Inloggen", [i.value for i in at.info]
    assert lg.VERLOPEN not in [i.value for i in at.info] and not at.warning, [i.value for i in at.info]


def test_a_changed_or_removed_account_takes_effect_in_a_cookie_session(team, cookies) -> None:
    token, sid, _ = team.start_sessie("anna")
    cookies[lg.COOKIE] = token
    at = visitaties()
    assert at.title[0].value != "Inloggen"
    team.change_account("anna", rol="gemeente", gemeente_code="GM0153")
    at.run()
    assert "u werkt nu als gemeente voor GM0153" in at.info[0].value
    team.change_account("anna", wachtwoord="nieuw-wachtwoord")  # ends the login
    at.run()
    assert lg.UITGELOGD_ELDERS in [w.value for w in at.warning] and at.title[0].value == "Inloggen"
    token, sid, _ = team.start_sessie("anna")
    cookies[lg.COOKIE] = token
    at = visitaties()
    team.remove_account("anna")
    at.run()
    assert "Uw account bestaat niet meer" in at.warning[0].value and at.title[0].value == "Inloggen"
    team.add_account("anna", "anna-wachtwoord", "visitatieteam")  # for the fixture's cleanup


def test_the_account_command_ends_all_logins_of_a_user(tmp_path, built) -> None:
    from tests.test_accounts import gebruikers

    (tmp_path / "warehouse.db").symlink_to(built)
    ud = UserData(tmp_path / "userdata.db")
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    ud.add_account("bert", "bert-wachtwoord", "beheer")
    _, s1, _ = ud.start_sessie("anna")
    _, s2, _ = ud.start_sessie("anna")
    _, sb, _ = ud.start_sessie("bert")
    r = gebruikers(tmp_path, "uitloggen", "anna")
    assert r.returncode == 0 and "2 inlog(s) van 'anna' beëindigd" in r.stdout, r.stderr
    assert ud.sessie(s1) is None and ud.sessie(s2) is None and ud.sessie(sb) is not None
    r = gebruikers(tmp_path, "uitloggen", "niemand")
    assert r.returncode == 1 and "Gebruiker 'niemand' bestaat niet." in r.stderr and "Traceback" not in r.stderr
    r = gebruikers(tmp_path, "wijzigen", "bert", "--wachtwoord", wachtwoord="nieuw-wachtwoord")
    assert r.returncode == 0 and "beëindigt al zijn inlogs" in r.stdout and ud.sessie(sb) is None
