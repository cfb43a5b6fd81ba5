"""`etl vernieuw` (etl/live.py) against the local CBS replay (tests/cbs_replay.py): fetch, validate, rebuild, all or nothing.

The replay serves the real gemeente and Nederland rows of the yearly "Personen met een uitkering; soort uitkering, wijken en
buurten" tables (2013–2024; the dump we have kept 29–61 gemeenten per year). Every failure case checks that the previous
warehouse is byte-for-byte intact and that no snapshot folder was added. Tests about a fault (small_snapshots) refresh a
warehouse of the shipped snapshots cut down to five gemeenten (tests/conftest.py), which builds in a quarter of the time.
"""

from __future__ import annotations

import polars as pl
import pytest

from etl import live
from etl.cli import main as cli
from etl.sources import live_tables
from portal.store import Warehouse
from portal.views import fetched_tables, registry_table
from tests.cbs_replay import WIJKBUURT_TITLE, digest, gebieden, intact, kwb2020_gemeenten, live_folders, query, wijkbuurt
from tests.pagetest import page


def test_refresh_adds_quarterly_figures_per_gemeente_and_the_profile_shows_them(env, data_folder):
    for t in env.state.tables.values():
        t.cap, t.links = 200, True  # several pages per table, over continuation links
    out = env.run()
    assert out.built and not out.failed and len(out.fetched) == 12
    assert live_folders(env.snaps) == sorted(f"live_kwartaal_{t}" for t in live_tables.WIJKBUURT.values())
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
    data_folder(env.target.parent)
    at = page("profiel", gemeente="GM0363", maandcijfers="true")  # the section, built when opened (issue 24)
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "september 2024" in text and "35.370" in text
    assert any("maand- en kwartaalcijfers per gemeente september 2024" in c.value for c in at.sidebar.caption)
    # every page works on the refreshed warehouse, also with a monthly/quarterly indicator chosen on map and comparison
    for name in ("landelijk", "referentiegroep", "gemeente", "bronnen", "visitatie"):
        page(name, gemeente="GM0363")
    for name in ("kaart", "vergelijken"):
        at = page(name, gemeente="GM0363", indicator="bijstand_alg_personen_kwartaal")
        assert not at.warning and at.selectbox(key="kaart_indicator" if name == "kaart" else "vg_indicator").value == \
            "bijstand_alg_personen_kwartaal"


def test_dry_run_lists_newer_tables_and_changes_nothing(env):
    out = env.run(dry_run=True)
    assert [t.id for t, local in out.newer] == list(live_tables.WIJKBUURT.values()) and not out.fetched
    assert any("86003NED" in ln and "nog niet lokaal" in ln for ln in env.lines)
    intact(env)


@pytest.mark.small_snapshots
def test_newer_table_version_is_found_through_the_catalogue(env):
    env.state.tables = {"86003NED": env.state.tables["86003NED"]}
    assert env.run().built and live_folders(env.snaps) == ["live_kwartaal_86003NED"]
    newer = wijkbuurt(2024, table="86999NED", modified="2026-11-01T02:00:00")  # CBS republished 2024 under a new id
    env.state.tables = {"86999NED": newer}
    out = env.run()
    assert [t.id for t in out.fetched] == ["86999NED"] and out.built
    assert live_folders(env.snaps) == ["live_kwartaal_86999NED"]  # the older version of 2024 is replaced, not kept beside it
    assert "  live_kwartaal_86003NED vervalt: CBS publiceerde voor hetzelfde jaar een nieuwere tabel" in env.lines
    assert query(env.target, "select bron from observaties where gemeente_code='GM0363' and periode='2024-09' and "
                 "indicator='bijstand_alg_personen_kwartaal' and geharmoniseerd=0") == [("86999NED",)]


@pytest.mark.small_snapshots
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


@pytest.mark.small_snapshots
@pytest.mark.parametrize("case", ["500x3", "cut", "json", "timeout", "429"])
def test_fetch_faults(env, case):
    t = env.state.tables["86003NED"]
    env.state.catalogue = []  # the catalogue finds nothing: the known ids are used
    if case == "500x3":
        t.fail_pages_after = 0
    elif case == "cut":
        t.cap, t.cut_at = 100, 100
    elif case == "json":
        t.fail = [(200, {}, b'{"value": [{"ID": 0, "Key": "Wijk')] * 3  # cut mid-JSON on every try (one cut is retried)
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
    # one bad table does not hold the rest back: the other 11 are installed and built, 86003NED is reported
    assert out.partial and [f[0] for f in out.failed] == ["86003NED"] and expected in out.failed[0][1]
    assert len(out.installed) == 11 and "live_kwartaal_86003NED" not in live_folders(env.snaps)
    assert any("86003NED" in ln and expected in ln for ln in env.lines)  # said when it happened
    assert not (env.snaps / ".vernieuw" / "live_kwartaal_86003NED").exists()  # nothing half-fetched stays staged
    assert query(env.target, "select waarde from observaties where gemeente_code='GM0363' and geharmoniseerd=0 and "
                 "indicator='bijstand_alg_personen_kwartaal' and periode='2024-09'") == []  # only in 86003NED
    # the next run fetches only the failed one; the 11 installed are unchanged at CBS
    t.fail_pages_after, t.cut_at, t.fail, t.slow_pages = None, None, [], 0
    again = env.run()
    assert again.built and [x.id for x in again.installed] == ["86003NED"] and len(live_folders(env.snaps)) == 12
    assert sum("ongewijzigd sinds" in ln for ln in env.lines) == 11


@pytest.mark.small_snapshots
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
    assert "Geen verbinding met CBS (127.0.0.1:9): de verbinding werd geweigerd; er is niets veranderd." in capsys.readouterr().err
    assert cli(["vernieuw", "--bron", ""]) == 2
    assert "Onbekende bron(nen): (leeg)." in capsys.readouterr().err
    assert cli(["vernieuw", "--bron", "onbekend"]) == 2
    assert f"Onbekende bron(nen): onbekend. Kies uit: {', '.join(live_tables.BY_NAME)}." in capsys.readouterr().err


def test_refreshed_fvw_table_replaces_the_shipped_copy_with_the_same_figures(env):
    sql = ("select gemeente_code, indeling, periode, indicator, waarde, voorlopig from observaties where bron='85383NED' and "
           "geharmoniseerd=0 order by 1, 2, 3, 4")
    derived = "select count(*) from observaties where indicator='reintegratie_voorz_per_1000_inw_15_65' and geharmoniseerd=0"
    before, n_derived = query(env.target, sql), query(env.target, derived)
    assert n_derived[0][0] > 300
    out = env.run(names=["fvw"])
    assert out.built and live_folders(env.snaps) == ["live_fvw_85383NED"]
    assert query(env.target, sql) == before  # the same table again: the same figures (all years, same indeling), once
    assert query(env.target, derived) == n_derived  # so what is derived from them with other tables survives
    # Amsterdam, maatstafjaar 2024 (definitief): 35 420 bijstandsuitkeringen (the shipped file)
    assert ("GM0363", 2024, "2024", "bijstand_uitkeringen_totaal", 35420.0, 0) in before
    assert any("meegeleverde observaties vervangen" in ln for ln in env.lines)


@pytest.mark.small_snapshots
def test_gemeente_list_of_a_new_year_is_checked_against_declared_herindelingen(env):
    # 2025 as CBS lists it equals our list of 2025 (342 gemeenten); 2026 unchanged: accepted and kept
    env.state.tables = {"86100NED": gebieden(2025, "86100NED"), "86200NED": gebieden(2026, "86200NED", of_year=2025)}
    out = env.run(names=["gebieden"], years="alle")
    assert out.built and live_folders(env.snaps) == ["live_gebieden_86100NED", "live_gebieden_86200NED"]
    assert any("86200NED: lijst RegioS opgehaald" in ln for ln in env.lines)
    # a 2026 list with a code we do not know (a herindeling nobody declared) stops the build; nothing changes
    env.before = digest(env.target)
    t = gebieden(2026, "86200NED", extra={"GM1999": "Nieuwgemeente"}, of_year=2025)
    t.info[0]["Modified"] = "2026-02-01T02:00:00"
    env.state.tables["86200NED"] = t
    out = env.run(names=["gebieden"], years="alle")
    assert not out.built and out.failed[-1][0] == "databouw"
    msg = out.failed[-1][1]
    assert "de gemeentelijst van 2026 van CBS (86200NED) wijkt af van onze nieuwste gemeentelijst (2025)" in msg
    assert "nieuw bij CBS: GM1999 (Nieuwgemeente)" in msg and "Er is geen herindeling voor vastgelegd" in msg
    assert digest(env.target) == env.before
    assert (env.snaps / "live_gebieden_86200NED" / "herkomst.json").read_text(encoding="utf-8").count("2026-01-05") == 1


def test_kwb_of_any_year_is_read_by_title_despite_new_key_suffixes(env):
    sql = ("select gemeente_code, indicator, waarde from observaties where periode='2020' and geharmoniseerd=0 and "
           "indicator like '%_kwb' order by 1, 2")
    before = query(env.target, sql)
    shipped = registry_table(Warehouse(env.target).all_observations("jaar"), fetched_tables(Warehouse(env.target)))
    assert shipped.row(by_predicate=pl.col("Code") == "bijstand_alg_personen_kwb", named=True)["Bronnen"] == \
        "84799NED, andere jaren na etl vernieuw"  # the shipped table: the registry's text only
    assert ("GM0363", "bijstand_alg_personen_kwb", 39780.0) in before and ("GM0363", "inwoners_kwb", 872757.0) in before
    t = kwb2020_gemeenten()
    t.rename("PersonenPerSoortUitkeringBijstand_83", "PersonenPerSoortUitkeringBijstand_94")  # the 2024 numbering
    t.rename("HuishoudensTotaal_28", "HuishoudensTotaal_29")
    env.state.tables = {"84799NED": t}
    out = env.run(names=["kwb"])
    assert out.built and live_folders(env.snaps) == ["live_kwb_84799NED"]
    assert query(env.target, sql) == before  # the same figures, now from the fetched table, once
    # what the shipped table said about the figure stays: provisional, end of March 2020
    assert query(env.target, "select distinct bron, peildatum, voorlopig from observaties where "
                 "indicator='bijstand_alg_personen_kwb' and geharmoniseerd=0") == [("84799NED", "eind maart 2020 (afgeleid)", 1)]
    # the indicator's source text names the table the figures now come from
    wh = Warehouse(env.target)
    row = registry_table(wh.all_observations("jaar"), fetched_tables(wh)).row(
        by_predicate=pl.col("Code") == "bijstand_alg_personen_kwb", named=True)
    assert row["Bronnen"] == "84799NED, andere jaren na etl vernieuw; cijfers nu uit: 84799NED (opgehaald bij CBS)"
    assert fetched_tables(wh) == {"84799NED"}


def test_a_second_refresh_at_the_same_time_is_refused_and_touches_nothing(env):
    from etl.build import BuildBusy, build_lock

    with build_lock(env.target, env.snaps / ".vernieuw.lock", "vernieuwing van de CBS-tabellen"):  # another run holds it
        with pytest.raises(BuildBusy) as exc:
            env.run()
    assert exc.value.dutch().startswith("Er loopt al een vernieuwing van de CBS-tabellen (proces ")
    intact(env)
    assert not (env.snaps / ".vernieuw").exists() or not any((env.snaps / ".vernieuw").iterdir())
