"""Accounts: Argon2id hashes with rehash of older ones, the login throttle, equal work for unknown names, revoked or
changed accounts in an open session, local mode on this machine only, and the account command's refusals."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st

from portal.paths import ROOT
from portal.userdata import UserData
from portal.userdata import accounts as acc
from portal.userdata.accounts import TeVeelPogingen
from tests.pagetest import page as open_page

GOKKER, ANNA = "203.0.113.9", "198.51.100.7"  # a stranger guessing, and the user's own address


def old_scrypt_hash(password: str) -> str:
    """How the portal stored passwords before Argon2 (scrypt, N = 2^14)."""
    salt = secrets.token_bytes(16)
    return f"scrypt$16384$8$1${salt.hex()}${hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()}"


def stored_hash(ud: UserData, naam: str) -> str:
    with sqlite3.connect(ud.path) as conn:
        return conn.execute("select wachtwoord_hash from accounts where naam = ?", [naam]).fetchone()[0]


@pytest.mark.argon2_echt
def test_argon2id_hashes_and_older_hashes_are_replaced_at_the_next_good_login(ud: UserData) -> None:
    ud.add_account("anna", "geheim-wachtwoord", "visitatieteam")
    assert stored_hash(ud, "anna").startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106's low-memory profile
    with sqlite3.connect(ud.path) as conn:
        conn.execute("update accounts set wachtwoord_hash = ? where naam = 'anna'", [old_scrypt_hash("geheim-wachtwoord")])
    assert ud.login("anna", "fout-wachtwoord") is None
    assert stored_hash(ud, "anna").startswith("scrypt$")  # a wrong password changes nothing
    assert ud.login("anna", "geheim-wachtwoord").naam == "anna"
    new = stored_hash(ud, "anna")
    assert new.startswith("$argon2id$") and not acc.needs_rehash(new)
    assert ud.login("anna", "geheim-wachtwoord").rol == "visitatieteam"  # and the new hash verifies


@pytest.mark.argon2_echt
def test_unknown_and_known_names_cost_the_same_work(ud: UserData, monkeypatch) -> None:
    """An unknown name is checked against a real hash too, so the time taken does not reveal which names exist
    (the benchmark prints the timings)."""
    ud.add_account("anna", "geheim-wachtwoord", "visitatieteam")
    calls = []
    check = acc.check_password
    monkeypatch.setattr(acc, "check_password", lambda p, h: calls.append(h) or check(p, h))
    assert ud.login("anna", "fout-wachtwoord") is None
    assert ud.login("niemand", "fout-wachtwoord") is None
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_repeated_failures_are_throttled_per_address_and_name_across_sessions(ud: UserData) -> None:
    ud.add_account("anna", "geheim-wachtwoord", "visitatieteam")
    for _ in range(acc.VRIJE_POGINGEN):
        assert ud.login("anna", "fout-wachtwoord", GOKKER) is None
    with pytest.raises(TeVeelPogingen, match="Te veel mislukte inlogpogingen. Probeer het over 30 seconden opnieuw"):
        ud.login("anna", "geheim-wachtwoord", GOKKER)  # even the right password waits
    with pytest.raises(TeVeelPogingen):
        UserData(ud.path).login(" ANNA ", "geheim-wachtwoord", GOKKER)  # another session, another spelling of the name
    for _ in range(acc.VRIJE_POGINGEN):  # unknown names are throttled the same way: no hint that they do not exist
        assert ud.login("niemand", "fout-wachtwoord", GOKKER) is None
    with pytest.raises(TeVeelPogingen):
        ud.login("niemand", "fout-wachtwoord", GOKKER)
    # After the wait: one more try; a failure doubles the wait, a good login clears the count.
    with sqlite3.connect(ud.path) as conn:
        conn.execute("update inlogpogingen set laatste = ?", [(datetime.now() - timedelta(seconds=31)).isoformat()])
    assert ud.login("anna", "fout-wachtwoord", GOKKER) is None
    with pytest.raises(TeVeelPogingen) as e:
        ud.login("anna", "geheim-wachtwoord", GOKKER)
    assert 59 < e.value.seconden <= 60
    with sqlite3.connect(ud.path) as conn:
        conn.execute("update inlogpogingen set laatste = ?", [(datetime.now() - timedelta(seconds=61)).isoformat()])
    assert ud.login("anna", "geheim-wachtwoord", GOKKER).naam == "anna"
    assert ud.login("anna", "fout-wachtwoord", GOKKER) is None and ud.login("anna", "geheim-wachtwoord", GOKKER).naam == "anna"


def test_a_stranger_who_knows_the_name_locks_out_only_himself(ud: UserData, monkeypatch) -> None:
    """Failures from one address lock that address out (for the name, and after more for every name), never the user
    at another address; many failures of one name from many addresses only slow its check down."""
    sleeps: list[float] = []
    monkeypatch.setattr(acc.time, "sleep", sleeps.append)
    ud.add_account("anna", "geheim-wachtwoord", "visitatieteam")
    ud.add_account("bert", "bert-wachtwoord", "visitatieteam")
    for _ in range(3 * acc.VRIJE_POGINGEN):
        try:
            ud.login("anna", "fout-wachtwoord", GOKKER)
        except TeVeelPogingen:
            pass
    with pytest.raises(TeVeelPogingen, match="vraag de beheerder uw wachtwoord opnieuw in te stellen"):
        ud.login("anna", "geheim-wachtwoord", GOKKER)
    assert ud.login("anna", "geheim-wachtwoord", ANNA).naam == "anna"  # anna herself is not locked out
    assert ud.login("bert", "bert-wachtwoord", GOKKER).naam == "bert"  # nor is another name from that address, yet
    # one address guessing many names: after VRIJE_POGINGEN_ADRES failures in all it waits for every name
    for n in range(acc.VRIJE_POGINGEN_ADRES - acc.VRIJE_POGINGEN):
        assert ud.login(f"gok{n}", "fout-wachtwoord", GOKKER) is None
    with pytest.raises(TeVeelPogingen, match="^Te veel mislukte inlogpogingen vanaf dit netwerkadres. Probeer het over "
                                             "30 seconden opnieuw.$"):
        ud.login("bert", "bert-wachtwoord", GOKKER)
    assert ud.login("bert", "bert-wachtwoord", ANNA).naam == "bert"
    ud.change_account("anna", wachtwoord="nieuw-wachtwoord")  # lifts the locks for anna's name, not the address's
    with pytest.raises(TeVeelPogingen, match="vanaf dit netwerkadres"):
        ud.login("anna", "nieuw-wachtwoord", GOKKER)
    assert sleeps == []
    # many addresses, each under its own limit: the name's failures add up and only slow every check of it down
    for i in range(acc.VERTRAAG_NAAM_NA):
        assert ud.login("anna", "fout-wachtwoord", f"10.0.1.{i // (acc.VRIJE_POGINGEN - 1)}") is None
    assert sleeps == []
    assert ud.login("anna", "nieuw-wachtwoord", ANNA).naam == "anna"  # now slowed, never refused
    assert sleeps == [acc.VERTRAGING]
    assert ud.login("anna", "fout-wachtwoord", "10.0.2.1") is None  # a new address too, and a good login cleared nothing
    assert sleeps == [acc.VERTRAGING] * 2 and ud.login("bert", "bert-wachtwoord", ANNA) and len(sleeps) == 2


def test_wait_doubles_up_to_fifteen_minutes() -> None:
    assert [acc.wachttijd(n) for n in (0, 4, 5, 6, 7, 20)] == [0, 0, 30, 60, 120, 900]
    assert [acc.wachttijd(n, acc.VRIJE_POGINGEN_ADRES) for n in (19, 20, 21)] == [0, 30, 60]
    assert acc.nog_wachten(5, datetime(2026, 1, 1, 12, 0, 0), datetime(2026, 1, 1, 12, 0, 20)) == 10


# ---- in the portal ------------------------------------------------------------------------------------------------------
@pytest.fixture
def team(built):
    from portal.paths import USERDATA
    ud = UserData(USERDATA)
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    ud.add_account("beheerder", "beheer-wachtwoord", "beheer")
    yield ud
    ud.remove_account("anna")
    ud.remove_account("beheerder")
    with sqlite3.connect(ud.path) as conn:
        conn.execute("delete from inlogpogingen")


def visitaties(**params):
    return open_page("visitatie", **params)


def login(at, naam: str, wachtwoord: str):
    at.text_input[0].input(naam)
    at.text_input[1].input(wachtwoord)
    return at.button[0].click().run()


def test_a_session_is_throttled_after_repeated_failures(team) -> None:
    at = visitaties()
    for n in range(acc.VRIJE_POGINGEN):  # a different name each time: only the session's own count can stop this
        login(at, f"gok{n}", "fout-wachtwoord")
        assert [e.value for e in at.error] == ["Onbekende gebruikersnaam of onjuist wachtwoord."]
    login(at, "anna", "anna-wachtwoord")
    assert "Te veel mislukte inlogpogingen" in at.error[0].value and at.title[0].value == "Inloggen"


def test_the_login_form_locks_out_the_guessing_address_not_the_user(team, monkeypatch) -> None:
    address = {"ip": GOKKER}
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: address["ip"]))
    for _ in range(acc.VRIJE_POGINGEN):  # a new session each time: only the count per address and name can stop this
        login(visitaties(), "anna", "fout-wachtwoord")
    at = login(visitaties(), "anna", "anna-wachtwoord")
    assert "Te veel mislukte inlogpogingen" in at.error[0].value and at.title[0].value == "Inloggen"
    address["ip"] = ANNA
    at = login(visitaties(), "anna", "anna-wachtwoord")
    assert not at.error and at.title[0].value != "Inloggen"


def test_removed_or_changed_account_takes_effect_at_the_next_action(team) -> None:
    vid = team.create_visitatie("anna", "GM0153", "Visitatie Enschede", "2026", {"naam": "g", "leden": ["GM0164"]},
                                team=[{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}])
    at = login(visitaties(visitatie=str(vid)), "anna", "anna-wachtwoord")
    assert at.title[0].value == "Visitatie Enschede" and at.button(key="volgende-fase")
    with sqlite3.connect(team.path) as conn:  # the beheerder makes anna a reader for Enschede
        conn.execute("update accounts set rol = 'gemeente', gemeente_code = 'GM0153' where naam = 'anna'")
    at.run()
    assert "u werkt nu als gemeente voor GM0153" in at.info[0].value
    assert not [b for b in at.button if b.key == "volgende-fase"]  # reads, no longer edits
    team.remove_account("anna")
    at.run()
    assert "Uw account bestaat niet meer" in at.warning[0].value and at.title[0].value == "Inloggen"
    assert not at.tabs


def test_without_accounts_only_this_machine_may_use_the_visitaties(built, monkeypatch) -> None:
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: "192.168.1.20"))
    monkeypatch.delenv("PORTAL_OPENBAAR", raising=False)
    at = visitaties()
    assert "alleen te gebruiken op de computer waarop het draait" in at.error[0].value
    monkeypatch.setenv("PORTAL_OPENBAAR", "1")  # the explicit, documented choice (dev.py start --openbaar)
    assert not visitaties().error


def test_dev_start_listens_on_localhost_without_accounts(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(ROOT))
    import dev
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    assert dev.server_args([]) == (["--server.address", "127.0.0.1"], {})
    assert dev.server_args(["--openbaar"]) == ([], {"PORTAL_OPENBAAR": "1"})
    assert dev.server_args(["--processen", "2"], "--adres") == (["--adres", "127.0.0.1", "--processen", "2"], {})
    UserData(tmp_path / "userdata.db").add_account("anna", "anna-wachtwoord", "visitatieteam")
    assert dev.server_args(["--server.port", "8600"]) == (["--server.port", "8600"], {})


def gebruikers(tmp_path: Path, *args: str, wachtwoord: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("PORTAL_WACHTWOORD", None)
    if wachtwoord:
        env["PORTAL_WACHTWOORD"] = wachtwoord
    return subprocess.run([sys.executable, "-m", "portal.gebruikers", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_account_command_refuses_unknown_gemeente_and_handles_end_of_input(tmp_path: Path, built: Path) -> None:
    (tmp_path / "warehouse.db").symlink_to(built)
    for code in ("FOO", "GM9999", "GM١٢٣٤"):
        r = gebruikers(tmp_path, "toevoegen", "ams", "--rol", "gemeente", "--gemeente", code, wachtwoord="geheim-wachtwoord")
        assert r.returncode == 1 and "Onbekende gemeentecode" in r.stderr and "Traceback" not in r.stderr
    r = gebruikers(tmp_path, "toevoegen", "anna", "--rol", "visitatieteam")  # no terminal, no input
    assert r.returncode == 1 and "Geen wachtwoord ingevoerd; niets opgeslagen." in r.stderr and "Traceback" not in r.stderr
    r = gebruikers(tmp_path, "toevoegen", "ams", "--rol", "gemeente", "--gemeente", "GM0363", wachtwoord="geheim-wachtwoord")
    assert r.returncode == 0, r.stderr
    assert UserData(tmp_path / "userdata.db").account("ams").gemeente_code == "GM0363"


def test_account_command_changes_role_and_resets_a_blocked_password(tmp_path: Path, built: Path) -> None:
    (tmp_path / "warehouse.db").symlink_to(built)
    ud = UserData(tmp_path / "userdata.db")
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    for _ in range(acc.VRIJE_POGINGEN):
        ud.login("anna", "fout-wachtwoord")
    r = gebruikers(tmp_path, "wijzigen", "anna", "--rol", "gemeente", "--gemeente", "GM0153", "--wachtwoord",
                   wachtwoord="nieuw-wachtwoord")
    assert r.returncode == 0, r.stderr
    assert ud.account("anna").rol == "gemeente" and ud.account("anna").gemeente_code == "GM0153"
    assert ud.login("anna", "nieuw-wachtwoord").rol == "gemeente"  # no longer blocked, and the new password works
    r = gebruikers(tmp_path, "wijzigen", "anna", "--rol", "visitatieteam")
    assert r.returncode == 0 and ud.account("anna").gemeente_code is None
    r = gebruikers(tmp_path, "wijzigen", "niemand", "--rol", "beheer")
    assert r.returncode == 1 and "Gebruiker 'niemand' bestaat niet." in r.stderr


def test_account_command_with_a_damaged_warehouse(tmp_path: Path) -> None:
    (tmp_path / "warehouse.db").write_bytes(b"geen database" * 100)
    r = gebruikers(tmp_path, "toevoegen", "ams", "--rol", "gemeente", "--gemeente", "GM0363", wachtwoord="geheim-wachtwoord")
    assert r.returncode == 0 and "Traceback" not in r.stderr  # only the code's form can be checked then
