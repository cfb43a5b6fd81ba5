"""Provenance of every snapshot: the warehouse table `herkomst`, the Bronnen page, `etl check` on a fetched folder, and the
"Cijfers tot en met" line in the menu of every page."""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from etl import cbs, cli
from etl.build import build
from etl import herkomst
from etl.herkomst import LIVE, SHIPPED
from etl.validate import BuildError
from portal import views
from portal.paths import SNAPSHOTS
from portal.store import Warehouse
from portal.nl import MAANDEN
from tests.pagetest import frame, page, shown

FVW = "cbs_85383NED_maatstaven_fvw_2023_2025"
FVW_FILE = "85383NED_gemeenten_bijstand_inwoners.csv"
LIVE_FOLDER = "live_kwartaal_86003NED"
KWARTAAL = SNAPSHOTS / "cbs_uitkeringen_wijkbuurt_kwartaal_2013_2024_partial" / "uitkeringen_soort_nederland_kwartaal_2013_2024.csv"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def write_live(snaps: Path) -> Path:
    """A folder as `etl vernieuw` leaves it (etl.cbs.write_snapshot, CBS's keys), holding the three 2024 national rows of
    the shipped quarterly file; no network."""
    with KWARTAAL.open(encoding="utf-8", newline="") as f:
        quarter = {"maart": "01", "juni": "02", "september": "03"}
        rows = [{"WijkenEnBuurten": "NL00      ", "Perioden": f"2024KW{quarter[r['perioden'].split()[1]]}",
                 "Bijstandsuitkering_6": r["Bijstandsuitkering_6"]} for r in csv.DictReader(f) if r["tabeljaar"] == "2024"]
    columns = ["WijkenEnBuurten", "Perioden", "Bijstandsuitkering_6"]
    h = {"url": "https://opendata.cbs.nl/ODataApi/odata/86003NED/TypedDataSet?$format=json", "tabel": "86003NED",
         "titel": "Personen met een uitkering; soort uitkering, wijken en buurten 2024", "cbs_gewijzigd": "2024-11-28T02:00:00",
         "opgehaald": "2026-11-30T13:05:00Z", "licentie": cbs.LICENCE, "filter": "startswith(WijkenEnBuurten,'NL')",
         "kolommen": columns, "maatstaven": [{"prefix": "Bijstandsuitkering", "sleutel": "Bijstandsuitkering_6",
                                              "titel": "Bijstandsuitkering"}], "bron": "kwartaal", "jaar": 2024}
    return cbs.write_snapshot(snaps / LIVE_FOLDER, h, columns, rows)


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped snapshots plus one fetched folder, built into a warehouse of its own."""
    root = tmp_path_factory.mktemp("live")
    snaps = root / "snapshots"
    shutil.copytree(SNAPSHOTS, snaps)
    write_live(snaps)
    return build(root / "warehouse.db", snaps, log=lambda _: None).path


def herkomst_rows(at) -> tuple[list[dict], list[dict]]:
    """The herkomst table of the Bronnen page: its data and what the user reads."""
    i = next(i for i in range(len(at.dataframe)) if "Controlesom (SHA-256)" in at.dataframe[i].value.columns)
    return frame(at, i), shown(at, i)


def test_warehouse_herkomst_of_the_shipped_snapshots(wh: Warehouse) -> None:
    h = wh.herkomst()
    fvw = h.filter((h["snapshot"] == FVW) & (h["bestand"] == FVW_FILE)).row(0, named=True)
    path = SNAPSHOTS / FVW / FVW_FILE
    assert fvw["rijen"] == data_rows(path) == 1372 and fvw["sha256"] == sha(path)
    assert fvw["tabel"] == "85383NED" and fvw["titel"].startswith('CBS 85383NED "Maatstaven Financiële-verhoudingswet')
    assert fvw["soort"] == SHIPPED and fvw["cbs_gewijzigd"] is None and fvw["opgehaald"] is None
    assert not h.filter(h["bestand"].str.ends_with(".md")).height  # documentation is no data file
    topo = h.filter(h["bestand"] == "gemeente_2024.topojson").row(0, named=True)
    assert topo["rijen"] is None and topo["sha256"] == sha(SNAPSHOTS / "geo_gemeentegrenzen" / "gemeente_2024.topojson")
    assert set(h["soort"]) == {SHIPPED}


def test_older_warehouse_without_herkomst(tmp_path: Path, built: Path, data_folder) -> None:
    old = tmp_path / "warehouse.db"
    shutil.copy2(built, old)
    conn = sqlite3.connect(old)
    conn.execute("drop table herkomst")
    conn.commit()
    conn.close()
    wh = Warehouse(old)  # the probe does not require the table
    assert wh.herkomst().is_empty() and "bestand" in wh.herkomst().columns
    wh.close()
    data_folder(old.parent)
    at = page("bronnen")  # the page says to rebuild and shows everything else
    assert any("gebouwd vóór de herkomst per bestand" in i.value and "python3 dev.py etl build" in i.value for i in at.info)
    assert len(at.dataframe) == 3 and any("Gebouwd op" in m.value for m in at.markdown)


def test_bronnen_shows_shipped_provenance(built: Path) -> None:
    at = page("bronnen")
    rows, texts = herkomst_rows(at)
    i = next(i for i, r in enumerate(rows) if r["Bestand"] == FVW_FILE)
    path = SNAPSHOTS / FVW / FVW_FILE
    assert rows[i]["Rijen"] == 1372 and texts[i]["Rijen"] == "1.372"
    assert rows[i]["Controlesom (SHA-256)"] == sha(path)[:12] + "…"
    assert rows[i]["Tabel"].startswith('CBS 85383NED "Maatstaven Financiële-verhoudingswet') and rows[i]["Soort"] == "meegeleverd"
    assert rows[i]["Gewijzigd door CBS"] == rows[i]["Opgehaald"] == "meegeleverde snapshot (zie PROVENANCE.md)"
    assert any("nog niets vernieuwd bij CBS" in m.value for m in at.markdown)


def test_bronnen_shows_a_fetched_table(live_warehouse: Path, data_folder) -> None:
    data_folder(live_warehouse.parent)
    at = page("bronnen")
    rows, texts = herkomst_rows(at)
    live = [r for r in rows if r["Snapshot"] == LIVE_FOLDER]
    assert len(live) == 1, live  # the CSV; PROVENANCE.md is documentation
    row, data = live[0], live_warehouse.parent / "snapshots" / LIVE_FOLDER / "86003NED_TypedDataSet.csv"
    assert row["Tabel"] == "86003NED — Personen met een uitkering; soort uitkering, wijken en buurten 2024"
    assert row["Soort"] == LIVE and row["Rijen"] == 3 == data_rows(data)
    assert row["Controlesom (SHA-256)"] == sha(data)[:12] + "…"
    assert row["Gewijzigd door CBS"] == "28 november 2024, 02:00"
    fetched = datetime(2026, 11, 30, 13, 5, tzinfo=timezone.utc).astimezone()  # shown in the server's time, like build times
    assert row["Opgehaald"] == f"{fetched.day} {MAANDEN[fetched.month - 1]} {fetched.year}, {fetched:%H:%M}"
    assert rows.index(row) == 0  # fetched tables first
    assert any("1 daarvan opgehaald bij CBS" in m.value for m in at.markdown)
    # the shipped files are still listed with their own figures
    assert any(r["Bestand"] == FVW_FILE and r["Rijen"] == 1372 for r in rows)


def test_etl_check_fails_in_dutch_on_a_tampered_fetched_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture, small_snapshots: Path) -> None:
    """Beside the small snapshot set (tests/conftest.py): every `check` reads all of it, and what is asserted are the
    problems of the fetched folder."""
    snaps = tmp_path / "snapshots"
    shutil.copytree(small_snapshots, snaps, symlinks=True)  # the folders kept whole stay links to the shipped ones
    folder = write_live(snaps)
    monkeypatch.setattr(cli, "SNAPSHOTS", snaps)
    assert cli.main(["check"]) == 0
    assert f"Vernieuwde snapshots in orde: {LIVE_FOLDER}." in capsys.readouterr().out

    data = folder / "86003NED_TypedDataSet.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("2024KW02", "2024KW04"), encoding="utf-8")
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert "2 problemen in de bij CBS vernieuwde snapshots" in err
    assert f"{LIVE_FOLDER}/86003NED_TypedDataSet.csv: checksum wijkt af van herkomst.json (gewijzigd of beschadigd)" in err
    assert f"{LIVE_FOLDER}/86003NED_TypedDataSet.csv: klopt niet met SHA256SUMS" in err
    assert "Traceback" not in err

    (folder / "SHA256SUMS").write_text("afgekapt\n", encoding="utf-8")  # malformed: a Dutch problem, no traceback
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert f"{LIVE_FOLDER}/SHA256SUMS: onleesbare regel 'afgekapt'" in err and "Traceback" not in err

    (folder / "herkomst.json").unlink()  # no longer a fetched folder: `check` no longer sees it, the build neither
    assert cli.main(["check"]) == 0


def test_unreadable_herkomst_stops_the_build_in_dutch(tmp_path: Path) -> None:
    folder = write_live(tmp_path)
    (folder / "herkomst.json").write_text('{"tabel": "86003NED", "bestanden": ', encoding="utf-8")  # cut off
    with pytest.raises(BuildError) as exc:
        herkomst.rows(tmp_path, [LIVE_FOLDER])
    assert f"{LIVE_FOLDER}/herkomst.json" in exc.value.dutch() and "onleesbaar" in exc.value.dutch()
    assert "Het bestaande warehouse is niet gewijzigd." in exc.value.dutch()


def test_period_order_and_dutch_names() -> None:
    order = ["2014-H1", "2014", "2017", "2024-06", "2024-Q3", "2024"]
    assert sorted(reversed(order), key=views.period_key) == ["2014-H1", "2014", "2017", "2024-06", "2024-Q3", "2024"]
    assert views.period_key("2024-09") < views.period_key("2024") and views.period_key("2024-09") > views.period_key("2017")
    assert [views.period_nl(p) for p in ("2024", "2024-09", "2014-H2", "2024KW03", "2024MM01")] == [
        "2024", "september 2024", "2e halfjaar 2014", "3e kwartaal 2024", "januari 2024"]


def newest(wh: Warehouse, where: str) -> str:
    return max((r[0] for r in wh.conn.execute(f"select distinct periode from observaties where geharmoniseerd = 0 and {where}")),
               key=views.period_key)


@pytest.mark.parametrize("name", ["profiel", "landelijk", "visitatie"])
def test_through_line_on_every_page(built: Path, wh: Warehouse, name: str) -> None:
    at = page(name, gemeente="GM0363")
    lines = [c.value for c in at.sidebar.caption if c.value.startswith("Cijfers tot en met: ")]
    assert len(lines) == 1, [c.value for c in at.caption]
    volume = newest(wh, "indicator = 'bijstand_uitkeringen_totaal' and gemeente_code != 'NL01'")
    flows = newest(wh, "indicator like 'bijstand_alg_instroom%' and gemeente_code != 'NL01'")
    national = newest(wh, "indicator = 'bijstand_alg_personen_nl_kwartaal' and gemeente_code = 'NL01'")
    assert (volume, flows, national) == ("2024", "2017", "2024-09")
    built_on = datetime.fromisoformat(wh.last_build()["tijd"]).astimezone()
    assert lines[0] == ("Cijfers tot en met: bijstandsvolume per gemeente 2024 · in- en uitstroom per gemeente 2017 · "
                        f"landelijk september 2024 · databouw {built_on.day} {MAANDEN[built_on.month - 1]} {built_on.year}")
