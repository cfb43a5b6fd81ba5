"""A login in real Chromium: it survives a reload, a new tab and a dossier link; logging out in one tab logs out the
other at its next action; a forged, tampered or expired cookie gets the login form with a Dutch message. The token is in
a SameSite=Strict cookie and nowhere in the page or its URL."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta

import pytest

from portal.ui import login as lg
from portal.userdata import UserData
from portal.userdata.sessies import DUUR
from tests.test_browser import chromium_page, shared_chromium, wait_until_rendered  # noqa: F401 (the module's Chromium)


@pytest.fixture
def team(server: str):
    """anna in a visitatie's team, and a beheerder (so accounts remain); removed again afterwards: the other browser
    tests use the portal without accounts."""
    from portal.paths import USERDATA

    ud = UserData(USERDATA)
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    ud.add_account("beheerder", "beheer-wachtwoord", "beheer")
    vid = ud.create_visitatie("anna", "GM0153", "Visitatie Enschede", "2026", {"naam": "g", "leden": ["GM0164"]},
                              team=[{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}])
    yield ud, vid
    ud.remove_account("anna")
    ud.remove_account("beheerder")
    with sqlite3.connect(ud.path) as conn:
        conn.execute("delete from inlogpogingen")
        conn.execute("delete from inlogsessies")
        conn.execute("delete from visitaties where id = ?", [vid])


def signed_in_as(page, naam: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("section[data-testid=stSidebar]").get_by_text(f"Ingelogd als {naam}")).to_be_visible(timeout=30_000)


def login_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == lg.COOKIE), None)


def test_login_survives_reload_new_tab_and_dossier_link_and_logout_ends_it_everywhere(server: str, team) -> None:
    from playwright.sync_api import expect

    ud, vid = team
    with chromium_page(1000) as page:
        page.goto(f"{server}/visitatie")
        expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
        sidebar = page.locator("section[data-testid=stSidebar]")
        expect(sidebar.get_by_role("link", name="Gemeenteprofiel")).to_be_visible()  # the menu, not an empty sidebar
        page.get_by_label("Gebruikersnaam").fill("anna")
        page.get_by_label("Wachtwoord", exact=True).fill("anna-wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        signed_in_as(page, "anna")
        deadline = time.monotonic() + 10
        while login_cookie(page.context) is None and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        cookie = login_cookie(page.context)
        assert cookie is not None, "het inlogcookie is niet gezet"
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and not cookie["secure"]  # http here
        assert abs(cookie["expires"] - (time.time() + DUUR.total_seconds())) < 120  # a working day
        token = cookie["value"]
        assert ud.sessie_van_token(token)[1].naam == "anna"
        wait_until_rendered(page)
        assert token not in page.content() and token not in page.url  # never in the page or its address

        page.reload()  # F5
        signed_in_as(page, "anna")
        expect(page.get_by_role("heading", name="Inloggen")).to_have_count(0)

        other = page.context.new_page()  # a new tab in the same browser: a dossier link
        other.goto(f"{server}/visitatie?visitatie={vid}")
        expect(other.get_by_role("heading", name="Visitatie Enschede")).to_be_visible(timeout=30_000)
        signed_in_as(other, "anna")
        assert token not in other.content() and token not in other.url

        other.locator("section[data-testid=stSidebar]").get_by_role("button", name="Uitloggen").click()
        expect(other.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
        expect(other.get_by_text("Uw inlog is verlopen", exact=False)).to_have_count(0)  # a plain logout
        deadline = time.monotonic() + 10
        while login_cookie(page.context) is not None and time.monotonic() < deadline:
            other.wait_for_timeout(200)
        assert login_cookie(page.context) is None  # removed from the browser
        assert ud.sessie_van_token(token) is None  # and ended on the server

        sidebar.get_by_role("link", name="Visitaties").click()  # the first tab, at its next action
        expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("U bent uitgelogd", exact=False)).to_be_visible(timeout=30_000)  # (the next action runs the page first)
        page.reload()
        expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)


def test_forged_tampered_and_expired_cookies_are_refused_in_dutch(server: str, team) -> None:
    from playwright.sync_api import expect

    ud, vid = team
    expired, _, _ = ud.start_sessie("anna", nu=datetime.now() - DUUR - timedelta(minutes=5))
    good, _, _ = ud.start_sessie("anna")
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    for value in (expired, tampered, "vervalst-cookie", "a" * 3000):
        with chromium_page(900) as page:
            page.context.add_cookies([{"name": lg.COOKIE, "value": value, "url": server, "sameSite": "Strict"}])
            page.goto(f"{server}/visitatie?visitatie={vid}")
            expect(page.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Uw inlog is verlopen of beëindigd", exact=False)).to_be_visible()
            wait_until_rendered(page)
            text = page.locator("body").inner_text()
            assert "Traceback" not in text and "Error" not in text and "Visitatie Enschede" not in text
            deadline = time.monotonic() + 10
            while login_cookie(page.context) is not None and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert login_cookie(page.context) is None  # the bad cookie is removed
            # and the message stays after the run that the cookie script's report starts (it once vanished with it)
            page.wait_for_timeout(1000)
            expect(page.get_by_text("Uw inlog is verlopen of beëindigd", exact=False)).to_be_visible()


def test_logging_out_an_older_login_keeps_a_newer_one_of_the_same_browser(server: str, team) -> None:
    """Two tabs that each showed the login form (the second one opened while the browser had no login cookie): both log
    in, the second login's token is the cookie now. Logging out the first login in its tab ends that login only; the
    cookie of the newer one stays, and a new tab uses it."""
    from playwright.sync_api import expect

    ud, vid = team

    def log_in(tab) -> None:
        tab.goto(f"{server}/visitatie")
        expect(tab.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
        tab.get_by_label("Gebruikersnaam").fill("anna")
        tab.get_by_label("Wachtwoord", exact=True).fill("anna-wachtwoord")
        tab.get_by_role("button", name="Inloggen").click()
        signed_in_as(tab, "anna")

    def cookie_becomes(context, test) -> str | None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            value = (login_cookie(context) or {}).get("value")
            if test(value):
                return value
            time.sleep(0.2)
        raise AssertionError(f"inlogcookie: {login_cookie(context)}")

    with chromium_page(900) as first:
        context = first.context
        log_in(first)
        older = cookie_becomes(context, bool)
        newer_tab = context.new_page()
        context.clear_cookies(name=lg.COOKIE)  # a tab that opened while logged out (its own login form)
        log_in(newer_tab)
        newer = cookie_becomes(context, lambda v: bool(v) and v != older)
        assert ud.sessie_van_token(older) and ud.sessie_van_token(newer)  # two logins

        first.locator("section[data-testid=stSidebar]").get_by_role("button", name="Uitloggen").click()
        expect(first.get_by_role("heading", name="Inloggen")).to_be_visible(timeout=30_000)
        first.wait_for_timeout(2000)  # time for the cookie script, if it were to remove the cookie
        assert ud.sessie_van_token(older) is None and login_cookie(context)["value"] == newer
        third = context.new_page()
        third.goto(f"{server}/visitatie?visitatie={vid}")
        expect(third.get_by_role("heading", name="Visitatie Enschede")).to_be_visible(timeout=30_000)
