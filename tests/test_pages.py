"""Every benchmark page with Streamlit's AppTest, on the real warehouse, with real numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from portal import benchmark as bm
from portal import metrics
from portal.nl import nl_number
from tests.pagetest import chart_specs, frame, page, shown

def test_referentiegroep_knn_shows_why(built: Path) -> None:
    at = page("referentiegroep", gemeente="GM0363")
    assert at.title[0].value == "Referentiegroep voor Amsterdam"
    rows = frame(at)
    assert rows[0]["Gemeente"] == "Amsterdam (GM0363)" and rows[0]["Rol"] == "gekozen" and rows[1]["Gemeente"] == "Rotterdam (GM0599)"
    assert rows[1]["Inwoners"] == 670_610 and round(rows[1]["Afstand"], 2) == 1.38  # numbers stay numbers: sorting works
    assert shown(at)[1]["Inwoners"] == "670.610" and shown(at)[1]["Afstand"] == "1,38"  # shown the Dutch way
    assert shown(at)[0]["Afstand"] == "–"  # an empty cell reads "–", never "None"
    assert len(rows) == 11 and "Aandeel inwoners (%)" in rows[1]
    assert any("Centrumfunctie" in c.value for c in at.caption)  # missing for the G4: said, not imputed


def test_referentiegroep_from_a_shared_definition(built: Path) -> None:
    at = page("referentiegroep", gemeente="GM0014", rg="kenmerk", klasse="provincie", plus="GM0080", min="GM0037")
    names = [r["Gemeente"] for r in frame(at)]
    assert "Leeuwarden (GM0080)" in names and not any("GM0037" in n for n in names)
    assert len(names) == 1 + 9 + 1 - 1


def test_save_reopen_and_share_a_group(built: Path) -> None:
    at = page("referentiegroep", gemeente="GM0153", rg="knn", k="5")  # Enschede
    at.text_input[0].input("Twentse vergelijkers")
    at.button[0].click().run()  # the form's submit button
    assert not at.error, [e.value for e in at.error]
    gid = at.query_params["groep"]
    gid = gid[0] if isinstance(gid, list) else gid
    members = [r["Gemeente"] for r in frame(at)][1:]
    reopened = page("referentiegroep", gemeente="GM0153", groep=gid)
    assert [r["Gemeente"] for r in frame(reopened)][1:] == members
    assert any("Twentse vergelijkers" in i.value for i in reopened.info)
    # A second save with the same name is refused in Dutch, and the first group is kept.
    at.text_input[0].input("Twentse vergelijkers")
    at.button[0].click().run()
    assert any("al een referentiegroep" in e.value for e in at.error)


def test_unknown_saved_group_id(built: Path) -> None:
    at = page("profiel", gemeente="GM0363", groep="99999")
    assert any("bestaat niet (meer)" in e.value for e in at.error)


def test_profiel_cards_reduction_and_decomposition(built: Path, wh) -> None:
    # the older figures and how the verdict is reached sit in expanders built only when opened (issue 24); the link opens them
    at = page("profiel", gemeente="GM0363", rg="g4", oudere="true", oordeel="true")
    assert at.title[0].value == "Gemeenteprofiel Amsterdam"
    metrics_by_label = {m.label: m.value for m in at.metric}
    assert metrics_by_label["2024 · Uitkeringen per 1 000"] == "51,9"  # 35 420 / 681 982 × 1 000
    assert metrics_by_label["2017 · Instroom CBS-%"] == "18,0 %"  # CBS 84066NED, as published
    cards = " ".join(m.value for m in at.markdown)
    assert "cijfer uit 2017 (verouderd)" in cards and "op de grenzen van 2017, vóór de samenvoeging met Weesp (24 maart 2022)" in cards
    notes = " ".join(c.value for c in at.caption)
    assert "Geen signaal: het cijfer is uit 2017" in notes and "Geen signaal: een proxy" in notes
    # Handhaving sits in an expander built only when opened (issue 24: the first screen first); the link opens it.
    assert "komen er zodra de beheerder die tabel ophaalt" not in notes
    tab = " ".join(c.value for c in page("profiel", gemeente="GM0363", rg="g4", handhaving="true").caption)
    assert "komen er zodra de beheerder die tabel ophaalt (`python3 dev.py etl vernieuw --bron vorderingen`)" in tab
    harm = wh.all_observations("nieuwste")
    rp = bm.reduction_potential(harm, "GM0363", ["GM0599", "GM0518", "GM0344"], "dichtheid_uitkeringen_totaal")
    assert metrics_by_label["Bij het gemiddelde van de referentiegroep (2024)"] == f"{nl_number(rp['bij_gemiddelde'])} minder"
    text = " ".join(m.value for m in page("profiel", gemeente="GM0363", rg="g4", stromen="true").markdown)
    assert "**2017:** dichtheid" in text and "dan de referentiegroep" in text and "logpunten" not in text
    assert any("Een signaal (hoger of lager dan verwacht) betekent" in c.value and "Spiegelhalter" in c.value for c in at.caption)
    # The G4 gives Amsterdam three comparators: no expectation from the group, the characteristics model stands beside it.
    assert "Verwacht uit de referentiegroep: geen verwachting" in cards and "Verwacht op grond van de kenmerken van de gemeente: " in cards
    # Nederland beside a flow rate: CBS counts persons with an unknown woongemeente only there (uitstroom 3,8–4,2 %).
    assert "woongemeente niet kent" in notes and "3,8–4,2 % van het landcijfer, 2015–2017" in notes


def test_profiel_card_of_rozendaal_has_no_impossible_expectation(built: Path) -> None:
    """Rozendaal (GM0277, 10 uitkeringen): the kenmerken model predicts −9,2 per 1 000; the card says why there is no
    expectation instead of showing "-9,2 (95 %: 0,0 – -0,9)"."""
    cards = " ".join(m.value for m in page("profiel", gemeente="GM0277").markdown)
    assert ("Verwacht op grond van de kenmerken van de gemeente: geen verwachting (het model komt voor deze gemeente uit op "
            "-9,2, wat niet kan") in cards
    assert "– -" not in cards and "-9,2 (95 %" not in cards


def test_profiel_card_verdict_from_the_funnel(built: Path) -> None:
    """Groningen 2024 (default group): 53,3 per 1 000 within the funnel around its group, however many neighbours."""
    for k in ("8", "10", "12"):
        at = page("profiel", gemeente="GM0014", k=k)
        cards = " ".join(m.value for m in at.markdown)
        assert "binnen de normale spreiding" in cards and "Verwacht uit de referentiegroep (dit oordeel): " in cards
        assert "in het hoogste kwart van de groep (P75 = " in cards or "in de middelste helft" in cards


def test_profiel_own_boundaries_marks_breaks(built: Path) -> None:
    at = page("profiel", gemeente="GM0080", indeling="eigen", maat="dichtheid")  # Leeuwarden, herindeling 2018
    assert any("breuk in definitie of gemeentegrenzen" in c.value for c in at.caption)


def test_bad_and_merged_codes_in_a_link(built: Path) -> None:
    at = page("profiel", gemeente="GM9999")
    assert any("onbekend" in e.value for e in at.error)
    assert at.query_params["gemeente"] in ("GM9999", ["GM9999"])  # the link is not silently rewritten
    merged = page("vergelijken", gemeente="GM0457")  # Weesp, merged into Amsterdam in 2022
    assert any("Amsterdam" in w.value for w in merged.warning)
    assert any("Toon Amsterdam" in b.label for b in merged.button)


def test_vergelijken_index(built: Path, wh) -> None:
    at = page("vergelijken", gemeente="GM0363", vergelijk="GM0599,GM0014", indicator="bijstand_personen_tot_aow_incl_gerelateerd",
              index="1", basis="2015")
    rows = {r["Gemeente"]: r for r in shown(at)}
    assert list(rows) == ["Amsterdam", "Rotterdam", "Groningen"]
    assert all(r["2015"] == "100,0" for r in rows.values())
    plain = page("vergelijken", gemeente="GM0363", vergelijk="GM0599", indicator="bijstand_personen_tot_aow_incl_gerelateerd")
    ams = frame(plain)[0]
    raw = wh.observations("GM0363", ["bijstand_personen_tot_aow_incl_gerelateerd"]).filter(pl.col("periode") == "2014")["waarde"][0]
    assert ams["Gemeente"] == "Amsterdam" and ams["2014"] == raw and shown(plain)[0]["2014"] == nl_number(raw, 0) and raw > 40_000
    assert ams["Gemeentecode"] == "GM0363"  # the export names the gemeente by its CBS code too
    assert list(ams)[2:] == sorted(list(ams)[2:])  # year columns in time order (they were shuffled)


def test_vergelijken_unknown_indicator(built: Path) -> None:
    at = page("vergelijken", gemeente="GM0363", indicator="schoenmaat")
    assert any("schoenmaat" in w.value for w in at.warning)


def test_landelijk_decliners_funnel_wdeel(built: Path) -> None:
    at = page("landelijk")
    top = frame(at, 0)
    assert top[0]["Gemeente"] == "Montferland" and round(top[0]["Verschil (%)"], 1) == -32.9 and shown(at)[0]["Verschil (%)"] == "-32,9"
    assert len(top) == 10 and len(frame(at, 1)) == 10
    text = " ".join(c.value for c in at.caption)
    assert "Spiegelhalter" in text and "overdispersie" in text
    assert "aan het eind van elk kwartaal" in text and "niet aan elkaar geplakt" in text  # the series past 2018
    # 85615NED 2024 3e kwartaal: 4 970 of 21 520 instromers had bijstand in the year before
    assert "In het 3e kwartaal van 2024 had 23 % van de instromers (4.970 van 21.520; noemer: alle instromers" in text
    wd = {r["Grootteklasse"]: r for r in frame(at, 2)}
    assert wd["Alle gemeenten"]["Gemeenten met cijfer"] == 342


def test_kaart_uses_the_data_boundaries(built: Path) -> None:
    at = page("kaart", indicator="bijstand_alg_personen_15_aow", jaar="2016")
    cap = " ".join(c.value for c in at.caption)
    assert "Periode 2016 op de gemeentegrenzen van 1 januari 2016 (390 gemeenten" in cap


def test_bronnen_lists_every_indicator(built: Path, wh) -> None:
    at = page("bronnen")
    assert len(frame(at, 0)) == len(metrics.REGISTRY)
    assert len(frame(at, 1)) == wh.sources().height
    assert {"Gemeente": "Meierijstad", "Code": "GM1948", "Jaar": "2017", "Leeftijdsgroep": "15 jaar tot AOW-leeftijd",
            "Waarom onwaarschijnlijk": "uitstroom naar werk (120 personen) groter dan de uitstroom (0 personen)"} in frame(at, 2)
    assert any("Gebouwd op" in m.value for m in at.markdown)


def test_empty_group_is_said_plainly(built: Path) -> None:
    at = page("profiel", gemeente="GM0363", rg="lijst")
    assert any("referentiegroep is leeg" in w.value for w in at.warning)
    ref = page("referentiegroep", gemeente="GM0363", rg="lijst")
    assert any("leeg" in i.value for i in ref.info)


def test_referentiegroep_edit_by_hand_writes_the_link(built: Path) -> None:
    at = page("referentiegroep", gemeente="GM0363", rg="g4")
    at.selectbox(key="rg_add").set_value("GM0014").run()
    assert at.query_params["plus"] in ("GM0014", ["GM0014"])
    assert "Groningen (GM0014)" in [r["Gemeente"] for r in frame(at)]
    at.selectbox(key="rg_remove").set_value("GM0599").run()
    names = [r["Gemeente"] for r in frame(at)]
    assert "Rotterdam (GM0599)" not in names and len(names) == 1 + 3
    at.radio(key="rg_kind").set_value("knn").run()
    assert at.query_params["rg"] in ("knn", ["knn"]) and "plus" not in at.query_params


def test_profiel_in_counts(built: Path) -> None:
    at = page("profiel", gemeente="GM0363", rg="g4", maat="aantal")
    assert at.header[1].value == "Bijstandsvolume"
    assert any("volume dat Amsterdam bij het niveau van de groep zou hebben" in c.value for c in at.caption)


def test_profiel_says_why_a_card_has_no_figure(built: Path) -> None:
    """Meierijstad 2017 (84066NED): CBS left instroom and uitstroom % empty beside an implausible uitstroom naar werk."""
    at = page("profiel", gemeente="GM1948", oudere="true")  # its 2017 cards sit in the group of older figures
    notes = " ".join(c.value for c in at.caption)
    assert "Geen cijfer: CBS liet het cijfer voor 2017 leeg; bronwaarde onwaarschijnlijk: uitstroom naar werk (120 personen)" in notes
    werk = next(m for m in at.metric if m.label == "2017 · Naar werk CBS-%")
    assert werk.value == "0,0 %" and not werk.delta  # no comparison with the group for an implausible source value
    assert "Geen signaal: uitstroom naar werk (120 personen) groter dan de uitstroom (0 personen)." in notes


def test_profiel_new_gemeente_has_no_cbs_rate_and_says_why(built: Path) -> None:
    at = page("profiel", gemeente="GM1949", oudere="true")  # Waadhoeke, formed 1 January 2018
    notes = " ".join(c.value for c in at.caption)
    assert "CBS publiceerde dit percentage voor de gemeenten van 2015–2017; Waadhoeke had toen andere grenzen" in notes


def test_kaart_opens_on_the_newest_year_and_outlines_the_gemeente(built: Path) -> None:
    at = page("kaart", gemeente="GM0153")
    assert at.query_params["jaar"] in ("2024", ["2024"])  # it opened on 2021 before
    cap = " ".join(c.value for c in at.caption)
    assert "Periode 2024" in cap and "Enschede heeft een oranje rand" in cap


def test_shared_link_records_the_build(built: Path, wh) -> None:
    at = page("referentiegroep", gemeente="GM0153", rg="knn", k="5")
    link = at.code[-1].value
    current = wh.last_build()["inhoud_sha256"][:10]
    assert "gemeente=GM0153" in link and "rg=knn" in link and f"bouw={current}" in link
    assert not any("eerdere databouw" in i.value for i in at.info)
    old = page("profiel", gemeente="GM0153", bouw="0123456789")  # a link made on another build
    assert any("eerdere databouw (0123456789)" in i.value for i in old.info)


def test_landelijk_caterpillar_and_the_profile_position(built: Path) -> None:
    """Issue 20: the caterpillar next to the funnel on Landelijk, and a gemeente's place in both on its profile."""
    at = page("landelijk", gemeente="GM0599", verwachting="kenmerken")
    text = " ".join(c.value for c in at.caption)
    assert "Raakt de streep de nullijn niet, dan ligt het cijfer buiten de trechter" in text
    assert ("lager dan verwacht: 13; binnen de normale spreiding: 308; hoger dan verwacht: 17; te klein om te beoordelen: 3. "
            "Zonder verwachting, en dus niet in de rupsplot: Rozendaal.") in text  # its model prediction is -9,2 per 1 000
    assert at.radio(key="rups_soort").value == "kenmerken"
    at = page("profiel", gemeente="GM0599")
    line = next(m.value for m in at.markdown if "in het landelijk beeld" in m.value)
    assert line.startswith("**Rotterdam in het landelijk beeld, Uitkeringen per 1 000 2024:** in de trechter tegen het landelijke cijfer")
    assert "70,2, hoog, buiten 99,8 %" in line
    assert "in de rupsplot tegen de standaardreferentiegroep plaats 342 van 342" in line and "hoger dan verwacht" in line


def test_profiel_first_screen_leads_with_current_figures(built: Path) -> None:
    """Issue 24: the current key figures come first (Groningen 2024, 53,3 per 1 000, with its verdict from the funnel);
    the figures from 2017 and the proxies sit in a collapsed group whose line says why they carry no signal; the lower
    sections are built only when opened, so the first screen has the trend chart and no table."""
    from portal.ui.profiel import DELEN, OUDER

    closed = page("profiel", gemeente="GM0014", k="10")
    older = next(e for e in closed.expander if e.label.startswith(OUDER))
    assert older.label == f"{OUDER} (6 kerncijfers zonder signaal)"
    # closed, the group and the explanation of the verdict are not built (the browser draws the trend chart sooner);
    # opened (kept in the link) they have all their cards
    assert not older.metric and not older.caption
    assert not any(c.value for e in closed.expander if e.label == "Hoe het oordeel tot stand komt" for c in e.caption)
    at = page("profiel", gemeente="GM0014", k="10", oudere="true")
    older = next(e for e in at.expander if e.label.startswith(OUDER))
    assert older.label == f"{OUDER} (6 kerncijfers zonder signaal)"
    old_labels = [m.label for m in older.metric]
    assert sorted(old_labels) == sorted(["2017 · Dichtheid CBS", "2017 · Instroom CBS-%", "2017 · Uitstroom CBS-%",
                                         "2017 · Naar werk CBS-%", "2023 · IU min lasten 6.4 + 6.5 (proxy)",
                                         "2023 · Saldo taakveld 6.3 (proxy)"])
    first = [m for m in at.metric if m.label not in old_labels]
    assert [m.label for m in first[:2]] == ["2024 · Uitkeringen per 1 000", "2023 · Re-integratie /1 000"]
    assert first[0].value == "53,3" and at.metric[0].label == "2024 · Uitkeringen per 1 000"  # the very first card
    first_card = next(m.value for m in at.markdown if "cijfer uit 2024" in m.value)
    assert "binnen de normale spreiding" in first_card and "Verwacht uit de referentiegroep (dit oordeel): " in first_card
    # the line above the group names each figure in it and why it has no signal
    why = next(c.value for c in at.caption if c.value.startswith(OUDER + ", zonder signaal"))
    assert "Dichtheid CBS 2017, Instroom CBS-% 2017, Uitstroom CBS-% 2017, Naar werk CBS-% 2017 (meer dan 3 jaar oud)" in why
    assert "IU min lasten 6.4 + 6.5 (proxy) 2023, Saldo taakveld 6.3 (proxy) 2023 (proxy, meet niet wat de naam zegt)" in why
    # inside the group each card still says why
    assert sum("Geen signaal: het cijfer is uit 2017, meer dan 3 jaar oud." in c.value for c in older.caption) == 4
    assert sum("Geen signaal: een proxy" in c.value for c in older.caption) == 2
    # first screen: the trend chart, no table; the lower sections closed, each named
    assert len(chart_specs(closed)) == 1 and not closed.dataframe
    assert [e.label for e in closed.expander if e.label in {t for t, _ in DELEN.values()}] == [t for t, _ in DELEN.values()]
    assert [m.label for m in closed.metric][:len(first)] == [m.label for m in first]  # the same current cards, in order
    opened = page("profiel", gemeente="GM0014", k="10", stromen="true", financien="true")
    assert len(opened.dataframe) == 2 and "stromen" in opened.query_params  # kept in the link
    bad = page("profiel", gemeente="GM0014", stromen="ja")
    assert any("parameter stromen" in w.value and "'ja'" in w.value for w in bad.warning) and not bad.dataframe
    bad = page("profiel", gemeente="GM0014", oudere="ja")
    assert any("parameter oudere" in w.value and "'ja'" in w.value for w in bad.warning)
    assert not next(e for e in bad.expander if e.label.startswith(OUDER)).metric


def test_profiel_definitions_one_click_away_and_in_every_export(built: Path, monkeypatch) -> None:
    """Issue 24: under each chart and table one short line with source and peildatum; the definitions in an expander
    "Definitie en bron" on the page, and in full in the CSV/Excel and PNG/SVG downloads."""
    from portal import export
    from portal.ui import profiel as profiel_ui
    from portal.ui import render

    tables: list[list[str]] = []
    charts_made: list[tuple] = []
    real_downloads, real_chart = render.downloads, profiel_ui.chart
    monkeypatch.setattr(render, "downloads", lambda frame, lines, key: (tables.append(list(lines)), real_downloads(frame, lines, key)))
    monkeypatch.setattr(profiel_ui, "chart", lambda c, title, lines, key, **kw: (charts_made.append((c, title, lines, kw)),
                                                                                  real_chart(c, title, lines, key, **kw)))
    at = page("profiel", gemeente="GM0363", stromen="true", financien="true", oordeel="true")
    dens = metrics.get("dichtheid_uitkeringen_totaal")
    captions = [c.value for c in at.caption]
    short = next(c for c in captions if c.startswith("Bron en peildatum: ") and "85383NED (maatstafjaar)" in c)
    assert dens.definition not in short and "lijn = gemiddelde, band = P25–P75" in short
    boxes = [e for e in at.expander if e.label == "Definitie en bron"]
    assert len(boxes) == 4  # trend chart, reductiepotentieel, flows table, finance table
    inside = " ".join(c.value for e in boxes for c in e.caption)
    for text in (dens.definition, "Lijn van de referentiegroep: ongewogen gemiddelde van de leden",
                 "Reductiepotentieel = werkelijk aantal", profiel_ui.FLOW_DEFINITION, profiel_ui.FIN_DEFINITION):
        assert text in inside, text
    assert not any(profiel_ui.FLOW_DEFINITION in c for c in captions if c not in inside)  # only one click away
    assert any("Spiegelhalter" in c.value for e in at.expander if e.label == "Hoe het oordeel tot stand komt" for c in e.caption)
    # exports: the tables' CSV/Excel carry the definitions, the chart's PNG/SVG its lines and how to read it
    assert any(profiel_ui.FLOW_DEFINITION in lines and any(metrics.get("cbs_instroom_pct_15_aow").definition in x for x in lines)
               for lines in tables)
    assert any(profiel_ui.FIN_DEFINITION in lines for lines in tables)
    c, title, lines, kw = charts_made[0]
    svg = export.chart_svg(c(), title, lines + kw["notes"], kw["subtitle"])
    assert "80860ned" in svg and "Lijn van de referentiegroep" in svg
