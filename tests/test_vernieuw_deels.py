"""`etl vernieuw` (issue 19, the orchestration): one bad table does not hold the rest back, a bounded first run, a refused
staged copy is not silently reused (`--opnieuw`), and PORTAL_DATA_DIR takes everything a refresh writes.

All against the replay (tests/cbs_replay.py); the expected figures are the replayed CBS rows (see there). Tests about a
fault (small_snapshots) refresh a warehouse of the shipped snapshots cut down to five gemeenten (tests/conftest.py).
"""

from __future__ import annotations

import shutil

import pytest

from etl import live
from etl.cli import PARTIAL
from etl.cli import main as cli
from tests.pagetest import page
from tests.cbs_replay import WIJKBUURT_TITLE, digest, gebieden, live_folders, query, reintegratie, stromen, vorderingen, wijkbuurt

AMSTERDAM_2024_09 = ("select waarde, bron from observaties where gemeente_code='GM0363' and geharmoniseerd=0 and "
                     "indicator='bijstand_alg_personen_kwartaal' and periode='2024-09'")


def use_env(env, monkeypatch, data_folder) -> None:
    """Let the command line (`cli(["vernieuw", ...])`) refresh the test's snapshots and warehouse."""
    for name, path in (("SNAPSHOTS", env.snaps), ("WAREHOUSE", env.target)):
        monkeypatch.setattr(live, name, path)
    data_folder(env.target.parent)  # where a refresh writes: the data folder's snapshots (env.snaps)


@pytest.mark.small_snapshots
def test_one_failing_source_does_not_hold_back_the_other(env, monkeypatch, capsys, data_folder):
    use_env(env, monkeypatch, data_folder)
    fvw_before = query(env.target, "select count(*), sum(waarde) from observaties where bron='85383NED'")
    env.state.tables = {"86003NED": env.state.tables["86003NED"], "85383NED": env.state.tables["85383NED"]}
    env.state.tables["85383NED"].cap = env.state.tables["85383NED"].cut_at = 100  # CBS stops after 100 rows
    assert cli(["vernieuw", "--bron", "kwartaal,fvw"]) == PARTIAL
    err = capsys.readouterr().err
    assert "Gedeeltelijk vernieuwd: 1 tabel(len) vernieuwd en het warehouse is opnieuw gebouwd (86003NED); 1 niet" in err
    assert "  - 85383NED: Tabel 85383NED is onvolledig: CBS meldt" in err
    # the good table is installed and in the warehouse; the failed one left nothing behind and its figures are the shipped ones
    assert live_folders(env.snaps) == ["live_kwartaal_86003NED"]
    assert query(env.target, AMSTERDAM_2024_09) == [(35370.0, "86003NED")]
    assert query(env.target, "select count(*), sum(waarde) from observaties where bron='85383NED'") == fvw_before
    assert not (env.snaps / ".vernieuw").exists()
    # CBS serves it whole again: the next run fetches only that one and exits 0
    env.state.tables["85383NED"].cut_at = None
    assert cli(["vernieuw", "--bron", "kwartaal,fvw"]) == 0
    out = capsys.readouterr()
    assert "1 tabel(len) vernieuwd en het warehouse is opnieuw gebouwd: 85383NED." in out.out and not out.err
    assert live_folders(env.snaps) == ["live_fvw_85383NED", "live_kwartaal_86003NED"]


def new_code_table() -> object:
    """A 2026 table with a gemeente code nobody declared a herindeling for: the build refuses it."""
    t = wijkbuurt(2024, table="87001NED", modified="2026-11-01T02:00:00")
    t.info[0]["Title"] = f"{WIJKBUURT_TITLE} 2026"
    for r in t.rows:
        r["Perioden"] = r["Perioden"].replace("2024", "2026")
    t.rows.append({**t.rows[-1], "ID": 99999, "WijkenEnBuurten": "GM1999    "})
    return t


@pytest.mark.small_snapshots
def test_refused_table_is_left_out_told_on_the_next_run_and_fetched_afresh_with_opnieuw(env):
    env.state.tables = {"86003NED": env.state.tables["86003NED"], "87001NED": new_code_table()}
    out = env.run()
    # the build named 87001NED: it is left out and the build retried with the rest
    assert out.partial and [t.id for t in out.installed] == ["86003NED"]
    assert [f[0] for f in out.failed] == ["87001NED"] and "nieuwe gemeentecode 'GM1999'" in out.failed[0][1]
    assert "Opnieuw bouwen zonder 87001NED." in env.lines
    assert live_folders(env.snaps) == ["live_kwartaal_86003NED"] and query(env.target, AMSTERDAM_2024_09) == [(35370.0, "86003NED")]
    built = digest(env.target)
    # the next run finds the refused copy staged: it says so (not the silent reuse) and the build refuses it again
    env.lines.clear()
    out = env.run()
    assert any(ln.startswith("  LET OP 87001NED: de klaarstaande kopie (zelfde CBS-versie) is bij de vorige poging door de "
                             "databouw afgekeurd") and "--opnieuw" in ln for ln in env.lines)
    assert not any("hergebruikt" in ln for ln in env.lines)
    assert not out.built and out.failed[-1][0] == "databouw" and digest(env.target) == built
    # --opnieuw fetches it from CBS again instead of reusing the staged copy
    pages = sum("TypedDataSet?" in p for p in env.state.tables["87001NED"].log)
    env.lines.clear()
    out = env.run(fresh=True)
    assert sum("TypedDataSet?" in p for p in env.state.tables["87001NED"].log) == pages + 1
    assert not any("LET OP" in ln or "hergebruikt" in ln for ln in env.lines) and "  87001NED opgehaald in" in \
        "\n".join(env.lines)
    # CBS corrects the table (a new version without the unknown code): accepted, the refusal is forgotten
    t = env.state.tables["87001NED"]
    t.rows.pop()
    t.info[0]["Modified"] = "2026-12-01T02:00:00"
    assert env.run().built and live_folders(env.snaps) == ["live_kwartaal_86003NED", "live_kwartaal_87001NED"]
    assert not (env.snaps / ".vernieuw").exists()


@pytest.mark.small_snapshots
def test_first_run_against_twenty_years_of_a_series_is_bounded(env, monkeypatch, capsys, data_folder):
    use_env(env, monkeypatch, data_folder)
    # the catalogue lists "Gebieden in Nederland" 2007–2026; the shipped gemeente list covers up to 2025
    env.state.tables = {"86200NED": gebieden(2026, "86200NED", of_year=2025),
                        "86100NED": gebieden(2025, "86100NED"), "86000NED": gebieden(2024, "86000NED")}
    env.state.catalogue = [{"Identifier": f"86{y - 2024}00NED" if y >= 2024 else f"7{y - 2000:02d}01NED",
                            "Title": f"Gebieden in Nederland {y}" + (" " if y % 2 else ""),  # titles can end in a space
                            "Modified": f"{y}-01-05T02:00:00", "RecordCount": 400} for y in range(2007, 2027)]
    out = env.run(names=["gebieden"])
    assert [t.id for t in out.installed] == ["86200NED"] and out.skipped == 19
    assert "  19 andere jaargang(en) overgeslagen (2007–2025); ophalen met --jaren (bijv. --jaren 2007-2025 of --jaren alle)" \
        in env.lines
    assert not [p for p in env.state.log if "/7" in p or "86100NED" in p]  # not even asked about the other years
    # the dry run says how many tables (and rows, from the catalogue) a wider run would fetch
    assert cli(["vernieuw", "--bron", "gebieden", "--droog", "--jaren", "2024-2026"]) == 0
    text = capsys.readouterr().out
    assert "Droog: een vernieuwing zou 2 tabel(len) ophalen; van 2 daarvan geeft de CBS-catalogus het aantal rijen: samen 800" \
        in text and "86000NED (Gebieden in Nederland 2024): bij CBS gewijzigd op 5 januari 2024, nog niet lokaal" in text
    assert cli(["vernieuw", "--jaren", "2026-2024"]) == 2
    assert "--jaren '2026-2024' begrijp ik niet" in capsys.readouterr().err
    assert live.parse_years("alle") == live.ALL and live.parse_years("2019 - 2024") == (2019, 2024)


def test_with_a_data_folder_a_refresh_writes_nothing_into_the_checkout(env, tmp_path, data_folder):
    data = tmp_path / "data" / "snapshots"
    data_folder(data.parent)
    env.state.tables = {"86003NED": env.state.tables["86003NED"], "86999NED": wijkbuurt(2023, table="86999NED")}
    env.state.tables["86999NED"].cap = env.state.tables["86999NED"].cut_at = 50  # a partial download stays for a resume
    checkout = live.SNAPSHOTS

    def tree() -> dict:
        return {str(p): p.stat().st_mtime_ns for p in checkout.parent.rglob("*") if not p.is_symlink()}

    before = tree()
    out = live.refresh(["kwartaal"], snapshots=checkout, target=env.target, log=env.lines.append, years=(2023, 2024))
    assert out.partial and [t.id for t in out.installed] == ["86003NED"]
    assert tree() == before and not list(checkout.glob(f"{live.PREFIX}*"))
    assert live_folders(data) == ["live_kwartaal_86003NED"]
    assert (data / ".vernieuw.lock").exists() and list((data / ".gedeeltelijk" / "86999NED").glob("page_*.json"))
    # `etl build` and `etl check` read the shipped snapshots plus the data folder's live tables
    with live.snapshots_root() as root:
        assert root.parent == data and (root / "live_kwartaal_86003NED").is_dir() and (root / "gemeente_herindelingen").is_dir()
    assert not root.exists()
    shutil.rmtree(data)


def test_etl_build_and_check_through_the_command_with_the_shipped_snapshots(tmp_path) -> None:
    """What `dev.py start` runs on a fresh machine: `etl build` (and `etl check`) on the shipped snapshots, with a data
    folder and without live tables (a name clash once made this crash before any test noticed)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PORTAL_DATA_DIR=str(tmp_path), PYTHONPATH=str(root))
    for cmd in ("build", "check"):
        done = subprocess.run([sys.executable, "-m", "etl.cli", cmd], cwd=root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "warehouse.db").stat().st_size > 1_000_000


@pytest.mark.small_snapshots
def test_refreshed_flows_replace_the_shipped_national_figures(env):
    """85615NED is shipped (national totals 2012–2024) and a live source: a refresh installs CBS's table and its figures
    replace the shipped ones (same table, same indicators), herinstromers included, without doubling any quarter."""
    env.state.tables = {"85615NED": stromen()}
    out = env.run(names=["stromen"])
    assert out.built and not out.failed and live_folders(env.snaps) == ["live_stromen_85615NED"]
    assert query(env.target, "select indicator, count(*), max(periode) from observaties where indicator like 'bijstand_%stromers_nl_kwartaal' "
                 "and geharmoniseerd=0 group by indicator order by indicator") == [
        ("bijstand_herinstromers_nl_kwartaal", 51, "2024-Q3"), ("bijstand_instromers_nl_kwartaal", 51, "2024-Q3"),
        ("bijstand_uitstromers_nl_kwartaal", 51, "2024-Q3")]
    assert query(env.target, "select waarde, peildatum from observaties where indicator='bijstand_herinstromers_nl_kwartaal' "
                 "and periode='2024-Q3' and geharmoniseerd=0") == [(4970.0, "3e kwartaal 2024")]
    assert any("vervangen door de vernieuwde CBS-tabellen" in ln for ln in env.lines)


def test_vorderingen_per_gemeente_from_the_refresh(env, data_folder):
    """82020NED (handhaving): a refresh adds the open bijstandsvorderingen per gemeente and month; the replay serves real
    rows of a StatLine dump (tests/fixtures/cbs/PROVENANCE_82020NED.md)."""
    env.state.tables = {"82020NED": vorderingen()}
    out = env.run(names=["vorderingen"])
    assert out.built and not out.failed and live_folders(env.snaps) == ["live_vorderingen_82020NED"]
    sql = ("select waarde, peildatum, bron from observaties where gemeente_code=? and indicator=? and periode=? "
           "and geharmoniseerd=0")
    # dump rows 9164 (Alkmaar 2024 september: 2 430 vorderingen, 6,9 mln) and 140 (Nederland: 399 500, 1 176,2 mln)
    assert query(env.target, sql, "GM0361", "bijstandsvorderingen_aantal", "2024-09") == [(2430.0, "september 2024", "82020NED")]
    assert query(env.target, sql, "GM0361", "bijstandsvorderingen_saldo", "2024-09") == [(6.9, "september 2024", "82020NED")]
    assert query(env.target, sql, "NL01", "bijstandsvorderingen_aantal", "2024-09") == [(399500.0, "september 2024", "82020NED")]
    # a small gemeente: Ameland 2023 oktober, 30 vorderingen (rounded to tens by CBS: marked as rounded)
    assert query(env.target, "select waarde, afgerond from observaties where gemeente_code='GM0060' and periode='2023-10' and "
                 "indicator='bijstandsvorderingen_aantal' and geharmoniseerd=0") == [(30.0, 1)]
    # no denominator of the same month fetched (80794ned): no ratio is made up
    assert query(env.target, "select count(*) from observaties where indicator='bijstandsvorderingen_per_1000_bijstand'") == [(0,)]
    # the profile describes them (no verdict) and Vergelijken offers them
    data_folder(env.target.parent)
    at = page("profiel", gemeente="GM0361", handhaving="true")  # built when opened (issue 24)
    text = " ".join(m.value for m in at.markdown)
    assert "**Openstaande bijstandsvorderingen (maandcijfer)**: 2.430 vorderingen, september 2024 (CBS 82020NED)" in text
    assert "**Openstaand saldo bijstandsvorderingen (maandcijfer)**: 6,9 mln euro, september 2024" in text
    assert any("Beschrijvend, zonder oordeel" in c.value for c in at.caption)
    at = page("vergelijken", gemeente="GM0361", indicator="bijstandsvorderingen_aantal", gemeenten="GM0613,GM0060")
    assert not at.warning and at.selectbox(key="vg_indicator").value == "bijstandsvorderingen_aantal"


@pytest.mark.small_snapshots
def test_reintegratie_tables_fill_the_gap_2015_2022_as_their_own_definitions(env):
    """83062NED (2015–2018) and 84510NED (2019–2022) come in as their own indicators (other definitions than 85588NED),
    and a refreshed 85588NED replaces the shipped figures, its December again as the yearly figure."""
    env.state.tables = {t: reintegratie(t) for t in ("85588NED", "84510NED", "83062NED")}
    out = env.run(names=["reintegratie", "reintegratie_2019", "reintegratie_2015"])
    assert out.built and not out.failed
    assert live_folders(env.snaps) == ["live_reintegratie_2015_83062NED", "live_reintegratie_2019_84510NED",
                                       "live_reintegratie_85588NED"]
    sql = ("select waarde, bron from observaties where gemeente_code=? and indicator=? and periode=? and geharmoniseerd=0")
    # dump rows: 83062NED Nederland 2018 december 269 590; 84510NED Nederland 2022 december 228 320
    assert query(env.target, sql, "NL01", "reintegratie_voorz_eind_maand_2015", "2018-12") == [(269590.0, "83062NED")]
    assert query(env.target, sql, "NL01", "reintegratie_voorz_lopend_beeindigd_maand", "2022-12") == [(228320.0, "84510NED")]
    # 85588NED: Amsterdam 2023 januari 13 670 (shipped and refreshed: one figure, not two); December 2023 as the year 2023
    assert query(env.target, sql, "GM0363", "reintegratie_voorz_lopend_maand", "2023-01") == [(13670.0, "85588NED")]
    dec = query(env.target, "select waarde, peildatum from observaties where gemeente_code='GM0363' and indicator="
                "'reintegratie_voorz_lopend_dec' and periode='2023' and geharmoniseerd=0")
    assert len(dec) == 1 and dec[0][1] == "31 december 2023"
    assert dec[0][0] == query(env.target, sql, "GM0363", "reintegratie_voorz_lopend_maand", "2023-12")[0][0]
