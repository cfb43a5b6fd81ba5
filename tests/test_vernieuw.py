"""`etl vernieuw` (etl/live.py) against the local CBS replay (tests/cbs_replay.py): fetch, validate, rebuild, all or nothing.

The replay serves the real gemeente and Nederland rows of the yearly "Personen met een uitkering; soort uitkering, wijken en
buurten" tables (2013–2024; the dump we have kept 29–61 gemeenten per year). Every failure case checks that the previous
warehouse is byte-for-byte intact and that no snapshot folder was added.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from etl import cbs, live
from etl.cli import main as cli
from portal.paths import SNAPSHOTS
from tests.cbs_replay import WIJKBUURT_TITLE, FakeCbs, Server, wijkbuurt
from tests.pagetest import page

YEARS = range(2013, 2025)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def env(tmp_path, built, monkeypatch):
    """A snapshots root (links to the shipped folders), a copy of the shipped warehouse and a replay with all 12 tables."""
    snaps = tmp_path / "snapshots"
    snaps.mkdir()
    for f in SNAPSHOTS.iterdir():
        if f.is_dir() and not f.name.startswith((".", live.PREFIX)):
            (snaps / f.name).symlink_to(f)
    target = tmp_path / "warehouse.db"
    shutil.copy2(built, target)
    state = FakeCbs({wijkbuurt(y).info[0]["Identifier"]: wijkbuurt(y) for y in YEARS})
    srv = Server(state)
    for host in ("ODATA", "DATADERDEN"):  # one replay answers for both CBS hosts
        monkeypatch.setenv(f"CBS_{host}_URL", srv.base)
    monkeypatch.setenv("CBS_CATALOGUS_URL", srv.catalogue)
    monkeypatch.setenv("CBS_DATADERDEN_CATALOGUS_URL", srv.catalogue)
    lines: list[str] = []

    def run(**kw) -> live.Outcome:
        clients = {h: cbs.Client(timeout=kw.get("timeout", 5), retries=2, backoff=0, sleep=lambda s: None, host=h)
                   for h in cbs.HOSTS}
        kw.pop("timeout", None)
        return live.refresh(kw.pop("names", ["kwartaal"]), snapshots=snaps, target=target, clients=clients, log=lines.append, **kw)

    yield type("Env", (), {"snaps": snaps, "target": target, "state": state, "run": staticmethod(run), "lines": lines,
                           "before": digest(target)})
    srv.close()


def live_folders(snaps: Path) -> list[str]:
    return sorted(p.name for p in snaps.iterdir() if p.name.startswith(live.PREFIX))


def intact(e) -> None:
    assert digest(e.target) == e.before
    assert live_folders(e.snaps) == []
    assert not (e.snaps / ".vernieuw-bouw").exists()


def query(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def test_refresh_adds_quarterly_figures_per_gemeente_and_the_profile_shows_them(env, monkeypatch):
    for t in env.state.tables.values():
        t.cap, t.links = 200, True  # several pages per table, over continuation links
    out = env.run()
    assert out.built and not out.failed and len(out.fetched) == 12
    assert live_folders(env.snaps) == sorted(f"live_kwartaal_{t}" for t in live.WIJKBUURT.values())
    n = len(env.state.tables["86003NED"].rows)  # 147: Nederland and 48 gemeenten × 3 quarters (all CBS had for 2024)
    assert [ln for ln in env.lines if ln.startswith("    86003NED:")] == [f"    86003NED: {n} van {n} rijen, pagina 1/1"]
    assert "    83618NED: 248 van 248 rijen, pagina 2/2" in env.lines and "    83618NED: 200 van 248 rijen, pagina 1/2" in "\n".join(env.lines)
    # Amsterdam, end of September 2024: 35 370 persons (CBS 86003NED, in the dump we replay)
    assert query(env.target, "select waarde, peildatum, bron from observaties where gemeente_code='GM0363' and geharmoniseerd=0 "
                 "and indicator='bijstand_alg_personen_kwartaal' and periode='2024-09'") == [(35370.0, "eind september 2024", "86003NED")]
    n_gm = query(env.target, "select count(distinct gemeente_code), count(*), min(periode), max(periode) from observaties "
                 "where indicator='bijstand_alg_personen_kwartaal' and geharmoniseerd=0")[0]
    assert n_gm[2:] == ("2013-03", "2024-09") and n_gm[0] >= 100
    # the national series is the same figure from the same tables: replaced, not doubled
    assert query(env.target, "select count(*), max(periode) from observaties where indicator='bijstand_alg_personen_nl_kwartaal' "
                 "and geharmoniseerd=0") == [(47, "2024-09")]
    # second run: CBS has nothing newer, nothing is fetched and the warehouse stays as it is
    rebuilt = digest(env.target)
    again = env.run()
    assert not again.newer and not again.fetched and digest(env.target) == rebuilt
    # the profile of Amsterdam on this warehouse shows the refreshed quarter
    monkeypatch.setattr("portal.ui.WAREHOUSE", env.target)
    at = page("profiel", gemeente="GM0363")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "september 2024" in text and "35.370" in text


def test_dry_run_lists_newer_tables_and_changes_nothing(env):
    out = env.run(dry_run=True)
    assert [t.id for t, local in out.newer] == list(live.WIJKBUURT.values()) and not out.fetched
    assert any("86003NED" in ln and "nog niet lokaal" in ln for ln in env.lines)
    intact(env)


def test_newer_table_version_is_found_through_the_catalogue(env):
    newer = wijkbuurt(2024, table="86999NED", modified="2026-11-01T02:00:00")  # CBS republished 2024 under a new id
    env.state.tables["86999NED"] = newer
    del env.state.tables["86003NED"]
    out = env.run()
    assert out.built and "live_kwartaal_86999NED" in live_folders(env.snaps)
    assert "live_kwartaal_86003NED" not in live_folders(env.snaps)
    assert query(env.target, "select bron from observaties where gemeente_code='GM0363' and periode='2024-09' and "
                 "indicator='bijstand_alg_personen_kwartaal' and geharmoniseerd=0") == [("86999NED",)]


def test_new_gemeente_code_without_herindeling_stops_the_build(env):
    t = wijkbuurt(2024, table="87001NED", modified="2026-11-01T02:00:00")
    t.info[0]["Title"] = f"{WIJKBUURT_TITLE} 2026"
    for r in t.rows:
        r["Perioden"] = r["Perioden"].replace("2024", "2026")
    t.rows.append({**t.rows[-1], "ID": 99999, "WijkenEnBuurten": "GM1999    "})
    env.state.tables = {"87001NED": t}
    out = env.run()
    assert not out.built and out.failed[-1][0] == "databouw"
    msg = out.failed[-1][1]
    assert "nieuwe gemeentecode 'GM1999'" in msg and "geen herindeling" in msg and "De bouw stopt" in msg
    intact(env)


@pytest.mark.parametrize("case", ["500x3", "cut", "json", "timeout", "429"])
def test_fetch_faults(env, case):
    t = env.state.tables["86003NED"]
    env.state.catalogue = []  # the catalogue finds nothing: the known ids are used
    if case == "500x3":
        t.fail_pages_after = 0
    elif case == "cut":
        t.cap, t.cut_at = 100, 100
    elif case == "json":
        t.fail = [(200, {}, b'{"value": [{"ID": 0, "Key": "Wijk')]
    elif case == "timeout":
        t.slow_pages = 5
    else:
        t.fail = [(429, {"Retry-After": "0"})]
    out = env.run(timeout=0.5)
    if case == "429":  # one refusal, then success
        assert out.built and len(live_folders(env.snaps)) == 12
        return
    expected = {"500x3": "CBS gaf 3 keer een fout (laatste: 500)", "cut": "86003NED is onvolledig: CBS meldt 147 rijen, er zijn er 100",
                "json": "onleesbaar antwoord (geen geldige JSON)", "timeout": "CBS antwoordde niet na 3 pogingen"}[case]
    assert not out.built and [f[0] for f in out.failed] == ["86003NED"] and expected in out.failed[0][1]
    assert any("niets vervangen, snapshots en warehouse zijn niet veranderd" in ln for ln in env.lines)
    intact(env)
    # the next run reuses the 11 tables already fetched and fetches only the failed one
    t.fail_pages_after, t.cut_at, t.fail, t.slow_pages = None, None, [], 0
    again = env.run()
    assert again.built and sum("al opgehaald bij een eerdere poging" in ln for ln in env.lines) == 11 and len(live_folders(env.snaps)) == 12


def test_renamed_measure_suffix_is_followed_and_a_retitled_measure_refused(env):
    env.state.tables = {"86003NED": env.state.tables["86003NED"]}
    env.state.catalogue = None
    env.state.tables["86003NED"].rename("Bijstandsuitkering_6", "Bijstandsuitkering_16")
    out = env.run()
    assert out.built
    assert query(env.target, "select waarde from observaties where gemeente_code='GM0363' and periode='2024-09' and "
                 "indicator='bijstand_alg_personen_kwartaal' and geharmoniseerd=0") == [(35370.0,)]
    env.before = digest(env.target)
    t = env.state.tables["86003NED"]
    t.info[0]["Modified"] = "2026-12-01T02:00:00"
    next(p for p in t.props if p["Key"] == "Bijstandsuitkering_16")["Title"] = "Bijstandsuitkering incl. IOAW"
    out = env.run()
    assert not out.built and "heet nu 'Bijstandsuitkering incl. IOAW' in plaats van 'Bijstandsuitkering'" in out.failed[0][1]
    assert digest(env.target) == env.before and live_folders(env.snaps) == ["live_kwartaal_86003NED"]


def test_without_connection_the_command_says_so_in_dutch(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CBS_ODATA_URL", "http://127.0.0.1:9/ODataApi/odata")
    monkeypatch.setenv("CBS_CATALOGUS_URL", "http://127.0.0.1:9/ODataCatalog")
    assert cli(["vernieuw", "--bron", "kwartaal", "--droog"]) == 2
    assert "Geen verbinding met CBS" in capsys.readouterr().err
    assert cli(["vernieuw", "--bron", "onbekend"]) == 2
    assert "Onbekende bron(nen): onbekend. Kies uit: kwartaal, maand, regio, stromen, iv3." in capsys.readouterr().err
