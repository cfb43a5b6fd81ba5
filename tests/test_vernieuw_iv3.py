"""`etl vernieuw --bron iv3`: Iv3 gemeentefinanciën from CBS dataderden (etl/live.py, etl/sources/iv3_live.py).

The replay (tests/cbs_replay.py `iv3`) serves the real Iv3 figures we ship (2023 begroting and jaarrekening, 2024 and 2025
begroting) as dataderden cubes; their category split is reconstructed (one B row, the real L1.1 row and one L row with the
rest). So a refresh must give back exactly the shipped figures, now from the fetched tables.
"""

from __future__ import annotations

import json

import pytest

from tests.cbs_replay import intact, iv3, iv3_names, live_folders, query

IDS = {2023: "45063NED", 2024: "45067NED", 2025: "45071NED"}
COLS = "gemeente_code, indeling, periode, peildatum, indicator, waarde, bron, onderdrukt"
IV3_OWN = "indicator like 'iv3\\_%' escape '\\' and geharmoniseerd = 0"


def tables(built, years=IDS) -> dict:
    return {t: iv3(y, iv3_names(built, y), t) for y, t in years.items()}


def set_amount(table, gemeente: str, taakveld: str, categorie: str, value) -> None:
    row = next(r for r in table.rows if r["Gemeenten"].strip() == gemeente and r["TaakveldBalanspost"].strip() == taakveld
               and r["Categorie"].strip() == categorie)
    row["k_2ePlaatsing_2"] = value


def test_refresh_gives_the_shipped_iv3_figures_back_adds_2026_and_empties_geen_opgave(env, built):
    env.state.tables = tables(built)
    # CBS's next table (2026) in the catalogue with its new id; the replay fills it with the 2025 figures, relabelled
    env.state.tables["45078NED"] = iv3(2025, iv3_names(built, 2025), "45078NED", as_year=2026)
    for t in env.state.tables.values():
        t.cap, t.links = 2500, True  # several pages per table
    set_amount(env.state.tables["45071NED"], "GM0363", "6.5", "L", -99998)  # Amsterdam 2025, 6.5 lasten: geen opgave
    # a side the gemeente booked nothing on: every cell empty in the sparse cube, which sums to the shipped 0
    t24 = env.state.tables["45067NED"]
    zero = next(r for r in t24.rows if r["Categorie"].strip() == "L" and r["k_2ePlaatsing_2"] == 0 and any(
        s["Categorie"].strip() == "L1.1" and s["k_2ePlaatsing_2"] is None and s["Gemeenten"] == r["Gemeenten"]
        and s["TaakveldBalanspost"] == r["TaakveldBalanspost"] for s in t24.rows))
    zero["k_2ePlaatsing_2"] = None
    # a quarterly realisation (Verslagsoort X001–X004) is known but not used: it neither counts nor stops the build
    # (reconstructed: a copy of Amsterdam's 2024 baten row on 6.3 as the second quarter)
    q = next(r for r in t24.rows if r["Gemeenten"].strip() == "GM0363" and r["Categorie"].strip() == "B")
    t24.rows.append({**q, "ID": len(t24.rows), "Verslagsoort": "2024X002"})
    out = env.run(names=["iv3"], years="alle")
    assert out.built and not out.failed, out.failed
    assert live_folders(env.snaps) == ["live_iv3_45063NED", "live_iv3_45067NED", "live_iv3_45071NED", "live_iv3_45078NED"]
    h = json.loads((env.snaps / "live_iv3_45067NED" / "herkomst.json").read_text(encoding="utf-8"))
    assert "startswith(TaakveldBalanspost,'6.3')" in h["filter"] and h["maatstaven"][0]["sleutel"] == "k_2ePlaatsing_2"
    assert any("meegeleverde observaties vervangen door de vernieuwde CBS-tabellen" in ln for ln in env.lines)

    # the same figures as the shipped build, from the same table ids, for every gemeente (2023–2025) ...
    shipped = set(query(built, f"select {COLS} from observaties where {IV3_OWN} and gemeente_code <> 'NL01'"))
    now = set(query(env.target, f"select {COLS} from observaties where {IV3_OWN} and gemeente_code <> 'NL01' "
                    "and periode <> '2026'"))
    geen_opgave = ("GM0363", 2025, "2025", "begroting 2025", "iv3_65_lasten_begroting")
    assert len(shipped) == 342 * 12 + 342 * 6 * 2  # 2023: begroting and jaarrekening; 2024 and 2025: begroting
    assert {r for r in shipped if r[:5] != geen_opgave} == {r for r in now if r[:5] != geen_opgave}
    for code, value in (("GM0363", 879_849_000.0), ("GM0518", 537_125_000.0)):  # Amsterdam, 's-Gravenhage (x 1 000 euro)
        assert query(env.target, f"select waarde, bron, peildatum from observaties where {IV3_OWN} and gemeente_code = ? "
                     "and indicator = 'iv3_63_lasten_begroting' and periode = '2024'", code) == [(value, "45067NED", "begroting 2024")]
    zero_key = (zero["Gemeenten"].strip(), 2024, "2024", "begroting 2024", f"iv3_{zero['TaakveldBalanspost'][0]}"
                f"{zero['TaakveldBalanspost'][2]}_lasten_begroting", 0.0, "45067NED", 0)
    assert zero_key in now
    # ... except the −99998 cell: empty (onderdrukt), where the shipped build had a figure
    assert [r[5:] for r in shipped if r[:5] == geen_opgave] == [(148_975_000.0, "45071NED", 0)]
    assert [r[5:] for r in now if r[:5] == geen_opgave] == [(None, "45071NED", 1)]
    # the Nederland figures are not in the replay: they stay the shipped ones
    assert query(env.target, f"select count(*), min(bron) from observaties where {IV3_OWN} and gemeente_code = 'NL01'") == [(24, "45063NED")]

    # 2026 adds a period: on the newest gemeente list (2025), from the new table
    assert query(env.target, f"select count(distinct gemeente_code), count(*), min(indeling), max(bron) from observaties "
                 f"where {IV3_OWN} and periode = '2026'") == [(342, 342 * 6, 2025, "45078NED")]
    assert query(env.target, f"select waarde, peildatum from observaties where {IV3_OWN} and gemeente_code = 'GM0363' and "
                 "periode = '2026' and indicator = 'iv3_63_lasten_begroting'") == [(993_647_000.0, "begroting 2026")]
    assert query(built, f"select count(*) from observaties where {IV3_OWN} and periode = '2026'") == [(0,)]


@pytest.mark.small_snapshots  # a warehouse of five gemeenten (tests/conftest.py): the test is about the refusal
@pytest.mark.parametrize("column, bad, expected", [
    ("Verslagsoort", "2024X009", "onbekende verslagsoort '2024X009' in de Iv3-tabel van 2024 (verwacht 2024X000 begroting of "
                                 "2024X005 jaarrekening)"),
    ("Verslagsoort", "2023X000", "onbekende verslagsoort '2023X000' in de Iv3-tabel van 2024"),
    ("TaakveldBalanspost", "6.31  ", "onbekend taakveld '6.31' (verwacht 6.3, 6.4 of 6.5)"),
])
def test_unknown_key_stops_the_build_and_keeps_the_warehouse(env, built, column, bad, expected):
    t = iv3(2024, iv3_names(built, 2024), "45067NED")
    row = next(i for i, r in enumerate(t.rows) if r["Gemeenten"].strip() == "GM0518" and r["Categorie"].strip() == "B")
    t.rows[row][column] = bad
    env.state.tables = {"45067NED": t}
    out = env.run(names=["iv3"], years="alle")
    assert not out.built and [f[0] for f in out.failed] == ["databouw"]
    msg = out.failed[0][1]
    # the CSV has a header line, so the row served at index i is line i + 2
    assert f"bestand live_iv3_45067NED/45067NED_TypedDataSet.csv, rij {row + 2}, kolom '{column}': {expected}" in msg
    assert "Het bestaande warehouse is niet gewijzigd." in msg
    intact(env)
