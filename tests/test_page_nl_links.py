"""Issue 24: proxies say what they measure and cannot be indexed; bad link values get a Dutch message naming the
parameter; every choice is kept in the link; exports carry the gemeentecode. Real numbers from the shipped data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from portal import benchmark as bm
from portal import metrics, views
from portal.export import rounded, table_csv
from portal.nl import nl_number
from tests.pagetest import chart_specs, frame, page, shown

WDEEL = "wdeel_onderbesteding_proxy_jaarrekening"


def test_proxies_are_labelled_by_what_they_measure() -> None:
    for i in metrics.REGISTRY.values():
        if "proxy" in i.id:
            assert i.proxy and "Onderbesteding" not in i.label and "proxy" in i.label, i.id
    w = metrics.get(WDEEL)
    assert w.label.startswith("IU Participatie min Iv3-lasten 6.4 + 6.5, in % van de IU") and w.unit == "% van de IU Participatie"
    assert metrics.get("ideel_resultaat_proxy_jaarrekening").label.startswith("Saldo taakveld 6.3 Inkomensregelingen")
    assert not metrics.get("dichtheid_uitkeringen_totaal").proxy


def test_a_proxy_cannot_be_indexed(built: Path) -> None:
    """Alkmaar's W-deel proxy indexed on 2023 was −12.011,8; now the toggle is disabled and the link gets a message."""
    at = page("vergelijken", gemeente="GM0361", vergelijk="GM0363", indicator="wdeel_onderbesteding_proxy_begroting",
              index="1", basis="2023")
    assert any("parameter index in de link" in w.value and "proxy" in w.value for w in at.warning)
    toggle = at.toggle[0]
    assert toggle.label == "Index (basisjaar = 100)" and toggle.proto.disabled and not toggle.value
    assert "Niet bij deze proxy" in toggle.proto.help
    assert at.query_params["index"] in ("0", ["0"])
    rows = {r["Gemeente"]: r for r in frame(at)}
    assert round(rows["Alkmaar"]["2023"], 1) == -105.1  # the figure itself, in % of the IU, not an index
    assert shown(at)[0]["2023"] == "-105,1"


def test_a_base_year_without_figures_is_named(built: Path) -> None:
    at = page("vergelijken", gemeente="GM0363", vergelijk="GM0599", indicator="bijstand_personen_tot_aow_incl_gerelateerd",
              index="1", basis="1800")
    msg = " ".join(w.value for w in at.warning)
    assert "Basisjaar '1800' (parameter basis in de link) heeft hier geen cijfers" in msg and "Getoond wordt basisjaar 2014" in msg
    assert at.query_params["basis"] in ("2014", ["2014"])
    assert all(r["2014"] == "100,0" for r in shown(at))
    assert bm.base_period(None, ["2014", "2015"]) == ("2014", "") and bm.base_period("2015", ["2014", "2015"]) == ("2015", "")


def test_vergelijken_table_and_export_carry_the_gemeentecode(built: Path) -> None:
    at = page("vergelijken", gemeente="GM0363", vergelijk="GM0599,GM0014", indicator="bijstand_personen_tot_aow_incl_gerelateerd")
    assert [(r["Gemeente"], r["Gemeentecode"]) for r in frame(at)] == [("Amsterdam", "GM0363"), ("Rotterdam", "GM0599"),
                                                                      ("Groningen", "GM0014")]


def test_the_ontleding_year_is_kept_in_the_link(built: Path) -> None:
    at = page("profiel", gemeente="GM0363", rg="g4", stromen="true", ontleding="2016")  # (the ontleding is in "stromen")
    assert at.query_params["ontleding"] in ("2016", ["2016"])
    assert any("**2016:**" in m.value for m in at.markdown)
    bad = page("profiel", gemeente="GM0363", rg="g4", stromen="true", ontleding="1900")
    assert any("(parameter ontleding in de link) is hier niet beschikbaar" in w.value for w in bad.warning)
    assert bad.query_params["ontleding"] in ("2017", ["2017"])


def test_kaart_separates_gemeenten_on_a_proxy_and_has_a_table(built: Path, wh) -> None:
    """The W-deel proxy 2023 (jaarrekening) runs from −2.845,3 to 100,0 % with its middle half from −104 to −39: coloured
    by kwintiel, far-out gemeenten outlined; beneath the map a sortable table whose CSV has code, source and peildatum."""
    at = page("kaart", indicator=WDEEL, gemeente="GM0361")
    color = chart_specs(at)[0]["encoding"]["color"]["condition"]
    assert color["field"] == "klasse" and color["scale"]["domain"][0] == "van -2.845,3 tot en met -126,0"
    assert color["scale"]["domain"][-1] == "van -35,8 tot en met 100,0" and len(color["scale"]["domain"]) == 5
    assert color["title"] == ["% van de IU Participatie", "kleur: kwintielen, elk ca. 1/5 van de gemeenten",
                              "zwarte rand: 22 uitschieters"]
    rows = {r["Gemeentecode"]: r for r in frame(at)}
    assert len(rows) == 342 and round(rows["GM0361"]["Waarde (% van de IU Participatie)"], 1) == -99.6
    assert rows["GM1680"]["Uitschieter"] == "ja" and rows["GM1680"]["Gemeente"] == "Aa en Hunze"
    assert rows["GM0361"]["Peildatum"] == "circulaire M2022 / jaarrekening 2023"
    sizes = Counter(r["Kleurklasse (kwintiel)"] for r in rows.values())
    assert sorted(sizes.values()) == [68, 68, 68, 69, 69]  # five classes of (nearly) equal size
    cap = " ".join(c.value for c in at.caption)
    assert "Klik op een gemeente om haar Gemeenteprofiel te openen" in cap and "Zwarte rand: 22 uitschieter(s)" in cap
    assert [b.label for b in at.get("download_button")][-2:] == ["CSV", "Excel"]
    # the CSV download as the page builds it: gemeentecode, source table and peildatum in every row, source lines on top
    own = wh.all_observations("jaar")
    names = dict(wh.gemeenten(2023).select("gemeentecode", "gemeentenaam").rows())
    scale, data = views.map_scale(views.map_values(own, WDEEL, "2023", 2023, names), True, 1)
    table = rounded(views.map_table(data, scale, metrics.get(WDEEL).unit), {"Waarde (% van de IU Participatie)": 1})
    csv = table_csv(table, ["Bron: test"]).decode("utf-8-sig").splitlines()
    assert csv[1] == ("Gemeente;Gemeentecode;Waarde (% van de IU Participatie);Uitschieter;Kleurklasse (kwintiel);"
                      "Bron (CBS-tabel);Peildatum")
    assert "Alkmaar;GM0361;-99,6;nee;van -125,9 tot en met -74,9;45063NED + BZK-circulaires gemeentefonds;circulaire M2022 / jaarrekening 2023" in csv


def test_kaart_keeps_a_linear_scale_without_outliers(built: Path) -> None:
    """Dichtheid 2024 has no far-out gemeente: a linear blue scale, no classes, no black outlines."""
    at = page("kaart", indicator="dichtheid_uitkeringen_totaal", jaar="2024")
    color = chart_specs(at)[0]["encoding"]["color"]["condition"]
    assert color["field"] == "waarde" and color["scale"] == {"scheme": "blues"} and color["title"] == metrics.get(
        "dichtheid_uitkeringen_totaal").unit
    assert "Uitschieter" in frame(at)[0] and "Kleurklasse (kwintiel)" not in frame(at)[0]


def test_choropleth_specs_are_valid_vega_lite(wh) -> None:
    """Both colourings and the click selection pass the Vega-Lite schema (pages convert without validation)."""
    from portal import charts

    own = wh.all_observations("jaar")
    names = dict(wh.gemeenten(2023).select("gemeentecode", "gemeentenaam").rows())
    scale, data = views.map_scale(views.map_values(own, WDEEL, "2023", 2023, names), True, 1)
    topo = wh.boundaries(2023)
    spec = charts.finish(charts.choropleth(topo, data, "x", "%", 1, "GM0361", tuple(scale.classes), tuple(scale.outliers),
                                           tuple(scale.legend)), "t").to_dict()  # validates
    assert spec["params"][0]["name"] == "gemeente" and spec["params"][0]["select"]["fields"] == ["statcode"]
    charts.finish(charts.choropleth(topo, data, "x", "%", 1), "t").to_dict()


def test_downloads_of_the_synthetic_example_say_so_and_no_command_for_users(built: Path, monkeypatch) -> None:
    """Eigen bestand of Amsterdam without an upload: the synthetic example. Every download's file name contains
    "synthetisch"; no command line is shown to the user (only what the beheerder can do)."""
    from portal.eigen import store
    from portal.ui import render

    assert store.current("GM0363", synthetisch=False) is None
    names: list[str] = []
    real = render.file_name
    monkeypatch.setattr(render, "file_name", lambda key, ext: names.append(real(key, ext)) or names[-1])
    at = page("eigen_bestand", gemeente="GM0363")
    assert any(w.value.startswith("**Synthetisch voorbeeld.**") for w in at.warning)
    monitors = [n for n in names if not n.startswith("uploads-")]  # the upload history is about real files
    assert len(monitors) >= 10 and all("synthetisch" in n for n in monitors), names
    assert "bestandsmonitor-GM0363-synthetisch.csv" in monitors
    text = " ".join(e.value for k in ("caption", "markdown", "info", "warning") for e in getattr(at, k))
    assert "dev.py" not in text and "zodra de beheerder van het portaal de nieuwste CBS-tabellen ophaalt" in text
    with render.file_tag("synthetisch"):
        assert render.file_name("kaart-x", "csv") == "kaart-x-synthetisch.csv"
    assert render.file_name("kaart-x", "csv") == "kaart-x.csv"


def test_dalers_csv_writes_whole_numbers_as_the_screen_shows(built: Path) -> None:
    """Landelijk, the strongest decliners: Montferland's counts read without decimals on screen and in the CSV."""
    from portal.export import table_csv

    at = page("landelijk")
    top = frame(at, 0)
    first = top[0]
    years = [c for c in first if c.isdigit()]
    assert first["Gemeente"] == "Montferland" and all(isinstance(first[y], int) for y in years)
    rounded_frame = rounded(__import__("polars").DataFrame(top), {})
    csv = table_csv(rounded_frame, []).decode("utf-8-sig").splitlines()
    assert csv[1].startswith(f"Montferland;{first[years[0]]};{first[years[1]]};")
    assert shown(at, 0)[0][years[0]] == nl_number(first[years[0]], 0)


def test_exported_legends_show_every_entry() -> None:
    import altair as alt
    import polars as pl

    from portal.export import export_spec

    frame = pl.DataFrame({"x": list(range(30)), "g": [f"gemeente {i}" for i in range(30)]})
    spec = export_spec(alt.Chart(frame.to_pandas()).mark_point().encode(x="x:Q", color="g:N"), "t", "", ["Bron: test"])
    assert spec["config"]["legend"]["symbolLimit"] == 0 and spec["config"]["legend"]["aria"] is False


def test_no_iso_dates_on_screen(built: Path) -> None:
    """The peildatum CBS gives as 2014-12-31 reads 31 december 2014 in the Reeksen table (and the Kaart's table)."""
    from portal.nl import nl_dates_in

    assert nl_dates_in("2014-12-31 (afgeleid)") == "31 december 2014 (afgeleid)" and nl_dates_in(None) is None
    assert nl_dates_in("circulaire M2022 / jaarrekening 2023") == "circulaire M2022 / jaarrekening 2023"
    at = page("gemeente", gemeente="GM0363")
    rows = [r for r in shown(at) if r["Jaar"] == "2014" and r["Bron"] == "CBS 83440NED"]
    assert rows and rows[0]["Peildatum"] == "31 december 2014 (afgeleid)"
    kaart = page("kaart", indicator="bijstand_personen_tot_aow_incl_gerelateerd", jaar="2014")
    assert {r["Peildatum"] for r in frame(kaart)} == {"31 december 2014 (afgeleid)"}


def test_streamlits_own_words_are_translated() -> None:
    """The patterns the page script applies (JavaScript RegExp, same syntax here) on Streamlit's own words; checked in
    Chromium on 7 December 2026: the uploader showed "0,5 MB", the share link's button "Kopiëren naar klembord"."""
    import re

    from portal.ui.theme import NL_PATTERNS, NL_TEXT

    def dutch(v: str) -> str | None:
        if v in NL_TEXT:
            return NL_TEXT[v]
        for pattern, nl in NL_PATTERNS:
            if re.search(pattern, v):
                return re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", nl), v)
        return None

    assert dutch("0.7MB") == "0,7 MB" and dutch("12KB") == "12 KB" and dutch("100MB per file") == "100 MB per bestand"
    assert dutch("Copy to clipboard") == "Kopiëren naar klembord" and dutch("Selected values") == "Gekozen waarden"
    assert dutch("Choose date, december 2026") == "Kies een datum, december 2026" and dutch("day, Bezoek") == "dag, Bezoek"
    assert dutch("2024") is None and dutch("Montferland") is None
