"""Landelijk overzicht for Divosa staff: national series and flows, decliners, distributions, funnel and caterpillar plots, W-deel."""

import streamlit as st

from portal import benchmark as bm
from portal import charts, metrics, peers, views
from portal.nl import nl_number
from portal.export import indicator_lines
from portal.tekst import quoted
from portal.funnel import METHOD as FUNNEL_METHOD
from portal.funnel import POSITIONS as FUNNEL_POSITIONS
from portal.ui import (caterpillar, change, chart, data_table, distribution, funnel, national_views, url_choice, url_select,
                       warehouse, wdeel)
from portal.ui import periods as ui_periods
from portal.ui.data import signal_funnel

wh = warehouse()
names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
chosen = st.query_params.get("gemeente")
if chosen is not None and chosen not in names:
    st.warning(f"Gemeente {quoted(chosen)} (parameter gemeente in de link) bestaat niet in de indeling van {wh.newest_indeling}; "
               "er wordt geen gemeente gemarkeerd.")
    chosen = None
labels = {i: metrics.get(i).label for i in bm.VOLUME + bm.DENSITY}
st.title("Landelijk overzicht")

# 1. National series ----------------------------------------------------------------------------------------------------------
st.header("Landelijke reeksen")
national, yearly, flows = national_views()
chart(lambda: charts.lines_chart(national, x="maand", series="reeks", y_title="aantal uitkeringen of personen",
                                 temporal=True, zero=False, x_title="Peildatum (einde maand of kwartaal)"),
      "Bijstand in Nederland per maand en per kwartaal", indicator_lines(views.NATIONAL_SERIES), key="nl-maand", inputs=(),
      subtitle="Uitkeringen (CBS 37789ksz, tot 2018) en personen (wijk- en buurttabellen, 2013–2024): twee definities")
st.caption("Twee CBS-definities, twee lijnen: bijstandsuitkeringen tot AOW-leeftijd per maand (CBS 37789ksz, stopt in 2018; één "
           "uitkering per huishouden) en personen met algemene bijstand tot AOW-leeftijd aan het eind van elk kwartaal (CBS "
           "'Personen met een uitkering; soort uitkering, wijken en buurten', 2013–2024). Ze worden niet aan elkaar geplakt: "
           "een huishouden kan meer personen tellen.")
chart(lambda: charts.lines_chart(yearly, x="jaar", series="definitie", y_title="aantal", dash_by="soort"),
      "Bijstandsvolume per jaar: som over gemeenten en CBS-landcijfer", indicator_lines(bm.VOLUME), key="nl-jaar", inputs=(),
      subtitle="Personen of uitkeringen, per CBS-definitie")
st.caption("Elke CBS-definitie is een eigen reeks. De som over gemeenten kan iets afwijken van het landcijfer: CBS rondt per gemeente "
           "af op tientallen en onderdrukt kleine aantallen.")
if flows.is_empty():
    st.info("Geen landelijke in- en uitstroomcijfers (CBS 85615NED) in dit warehouse.")
else:
    chart(lambda: charts.lines_chart(flows, x="kwartaal", series="reeks", y_title="personen per kwartaal", temporal=True,
                                     order=[metrics.get(i).label for i in views.NATIONAL_FLOWS], x_title="Kwartaal"),
          "Instroom, herinstroom en uitstroom in Nederland per kwartaal", indicator_lines(views.NATIONAL_FLOWS), key="nl-stromen",
          inputs=(), subtitle="Personen met bijstand, CBS 85615NED; herinstromers zijn een deel van de instromers")
    share = views.reentry_share(flows)
    if share:
        periode, her, instr = share
        st.caption(f"In het {periode[-1]}e kwartaal van {periode[:4]} had {nl_number(100 * her / instr)} % van de instromers "
                   f"({nl_number(her)} van {nl_number(instr)}; noemer: alle instromers van het kwartaal) in het jaar ervoor ook "
                   "bijstand. Landelijk cijfer: het telt ook personen van wie de woongemeente onbekend is. Per gemeente publiceert "
                   "CBS in- en uitstroom na 2017 niet open; daarvoor is het eigen bestand van de gemeente nodig.")

# 2. Decliners ------------------------------------------------------------------------------------------------------------------
st.header("Sterkste en zwakste dalers")
a, b, c, d = st.columns([3, 1, 1, 1])
with a:
    vol_id = url_select("Definitie", bm.VOLUME, "definitie", "bijstand_personen_tot_aow_incl_gerelateerd", format_func=labels.get)
periods = ui_periods("nieuwste", vol_id)
if len(periods) < 2:
    st.info("Voor deze definitie is er maar één jaar: geen verandering te berekenen.")
else:
    with b:
        van = url_select("Van", periods[:-1], "van", periods[0])
    with c:
        tot = url_select("Tot", [p for p in periods if p > van], "tot", periods[-1])
    min_base = d.number_input("Minimaal aantal in beginjaar", 0, 10000, 100, step=50,
                              help="Kleine aantallen zijn door CBS-afronding op tientallen onzeker in procenten.")
    ch = change(vol_id, van, tot, float(min_base))
    if ch.is_empty():
        st.info("Geen gemeenten met een cijfer in beide jaren.")
    else:
        lines = indicator_lines([vol_id]) + [f"Verandering {van}–{tot} op de indeling van {wh.newest_indeling}; gemeenten met minstens "
                                             f"{min_base} in {van}; {ch.height} gemeenten."]
        left, right = st.columns(2)
        with left:
            st.markdown(f"**Tien sterkste dalers {van}–{tot}**")
            data_table(views.decliners(ch.head(10), names, van, tot), lines, key=f"dalers-{vol_id}-{van}-{tot}",
                       decimals={van: 0, tot: 0, "Verschil": 0, "Verschil (%)": 1})
        with right:
            st.markdown(f"**Tien zwakste dalers (of stijgers) {van}–{tot}**")
            data_table(views.decliners(ch.tail(10).reverse(), names, van, tot), lines, key=f"stijgers-{vol_id}-{van}-{tot}",
                       decimals={van: 0, tot: 0, "Verschil": 0, "Verschil (%)": 1})
        st.caption(f"Op de gemeentegrenzen van {wh.newest_indeling} (geharmoniseerd), zodat herindelingen geen schijnbare daling geven. "
                   f"Landelijk: {nl_number(ch['van'].sum())} → {nl_number(ch['tot'].sum())} over deze {ch.height} gemeenten.")

# 3. Distributions by class ------------------------------------------------------------------------------------------------------
st.header("Verdeling naar grootteklasse en provincie")
newest = max(bm.DENSITY, key=lambda i: (ui_periods("nieuwste", i) or [""])[-1])  # open on the newest period with data
dens_id = url_select("Definitie van de dichtheid", bm.DENSITY, "dichtheid", newest, format_func=labels.get)
dens = metrics.get(dens_id)
dens_periods = ui_periods("nieuwste", dens_id)
year = url_select("Jaar", dens_periods, "jaar", dens_periods[-1])
dist = distribution(dens_id, year)
if dist.is_empty():
    st.info("Geen dichtheidscijfers voor dit jaar.")
else:
    for klasse, title, order in (("gemeentegrootte", "Gemeentegrootteklasse", views.SIZE_ORDER),
                                 ("provincie", "Provincie", sorted(dist["provincie"].unique()))):
        chart(lambda klasse=klasse, title=title, order=order: charts.distribution_chart(dist, klasse, title, order, dens.unit, chosen),
              f"{dens.label}, {year}, naar {title.lower()}", indicator_lines([dens_id]) + [
                  f"Klassen {peers.CLASS_YEAR}; indeling {wh.newest_indeling}; {dist.height} gemeenten. Doos = P25–mediaan–P75, "
                  "snorren = min–max."], key=f"verdeling-{klasse}-{dens_id}-{year}", subtitle=dens.unit, inputs=(chosen,))
    st.caption(f"Doos: P25, mediaan en P75; snorren: minimum en maximum; streepjes: de gemeenten ({dist.height}); ruit: de gekozen "
               f"gemeente. Klassen van {peers.CLASS_YEAR}.")

# 4. Funnel plot -----------------------------------------------------------------------------------------------------------------
st.header("Trechterplot: dichtheid tegen inwonertal, tegen het landelijke cijfer")
points, limits, info = funnel(dens_id, year)
if points.is_empty():
    st.info("Geen cijfers voor de trechterplot in dit jaar.")
else:
    points = points.with_columns(gemeente=points["gemeente_code"].replace_strict(names, default="?"))
    lines = indicator_lines([dens_id]) + [
        f"Landelijke dichtheid {nl_number(info['p'], 1)}; grenzen p ± z·√(p(1−p)/n + τ²), τ = {nl_number(info['tau'], 1)} "
        f"(overdispersie, Spiegelhalter 2005), z = 1,96 (95 %) en 3,09 (99,8 %), niet onder nul; {year}."]
    chart(lambda: charts.funnel_chart(points, limits, dens.unit, chosen), f"Trechterplot {dens.label}, {year}", lines,
          key=f"trechter-{dens_id}-{year}", subtitle=dens.unit, inputs=(chosen,))
    out = dict(points.group_by("positie").len().iter_rows())
    st.caption(f"Middenlijn: de dichtheid van alle gemeenten samen ({nl_number(info['p'], 1)}). Binnen de trechter wijkt een gemeente "
               "niet meer af dan te verwachten is; kleine gemeenten krijgen een bredere marge. Gemeenten verschillen veel meer dan "
               f"binomiaal toeval (overdispersie φ = {nl_number(info['phi'], 0)}); daarom zijn de grenzen verbreed met een vaste "
               f"spreiding τ = {nl_number(info['tau'], 1)} per 1 000 (Spiegelhalter 2005, random effects, z-scores gewinsoriseerd op "
               "P10/P90). " + "; ".join(f"{p}: {out[p]}" for p in charts.FUNNEL_POSITIONS if p in out) + ".")

# 4b. Caterpillar plot: every gemeente against its own expected value -----------------------------------------------------------
st.subheader("Rupsplot: elke gemeente tegen haar eigen verwachting")
soort = url_choice("verwachting", ("referentiegroep", "kenmerken"), "referentiegroep", "Verwachting")
soort = st.radio("Verwachting", ["referentiegroep", "kenmerken"], index=["referentiegroep", "kenmerken"].index(soort), horizontal=True,
                 format_func={"referentiegroep": "uit de referentiegroep (10 meest gelijkende gemeenten)",
                              "kenmerken": "op grond van de kenmerken van de gemeente"}.get, key="rups_soort")
st.query_params["verwachting"] = soort
cat = caterpillar(dens_id, year, soort)
if cat.is_empty():
    st.info(f"Geen verwachtingen voor {dens.label} in {year}: er is geen telling achter dit cijfer of te weinig gemeenten met een cijfer.")
else:
    cat = cat.with_columns(gemeente=cat["gemeente_code"].replace_strict(names, default="?"))
    counts = dict(cat.group_by("positie").len().iter_rows())
    # gemeenten with a figure but no expectation (too few group members; a kenmerken prediction outside 0 – maximum)
    zonder = sorted(set(signal_funnel(dens_id, year).table["gemeente_code"]) - set(cat["gemeente_code"]))
    lines = indicator_lines([dens_id]) + [
        f"Verwachting: {'de referentiegroep van elke gemeente (10 meest gelijkende, standaard)' if soort == 'referentiegroep' else 'een model over alle gemeenten op hun kenmerken'}; "
        f"{year}, indeling {wh.newest_indeling}; {cat.height} gemeenten. {FUNNEL_METHOD}"]
    chart(lambda: charts.caterpillar_chart(cat, dens.unit, FUNNEL_POSITIONS, chosen), f"Rupsplot {dens.label}, {year}", lines,
          key=f"rups-{dens_id}-{year}-{soort}", subtitle=f"Verschil met de verwachting ({dens.unit}) met het 95 %-interval",
          inputs=(chosen, soort))
    st.caption("Elke streep is een gemeente: de stip is haar cijfer min haar verwachting, de streep het 95 %-interval van toeval, "
               "afronding en de normale spreiding tussen vergelijkbare gemeenten. Raakt de streep de nullijn niet, dan ligt het cijfer "
               "buiten de trechter (hoger of lager dan verwacht); dat is hetzelfde oordeel als op het gemeenteprofiel. De trechter "
               "hierboven vergelijkt met het landelijke cijfer, de rupsplot met de eigen verwachting: een grote stad kan in de "
               "trechter hoog liggen en in de rupsplot binnen de normale spreiding. "
               + "; ".join(f"{p}: {counts[p]}" for p in FUNNEL_POSITIONS if p in counts) + "."
               + (f" Zonder verwachting, en dus niet in de rupsplot: {', '.join(names.get(c, c) for c in zonder)}." if zonder else ""))

# 5. W-deel ------------------------------------------------------------------------------------------------------------------------
st.header("W-deel: integratie-uitkering tegen Iv3-lasten 6.4 + 6.5 naar grootteklasse (proxy, beschrijvend)")
WD = ["wdeel_onderbesteding_proxy_begroting", "wdeel_onderbesteding_proxy_jaarrekening"]
e, f = st.columns([3, 1])
with e:
    wd_id = url_select("Proxy", WD, "wdeel", WD[0], format_func=lambda i: metrics.get(i).label)
with f:
    wd_periods = ui_periods("nieuwste", wd_id)
    wd_year = url_select("Jaar ", wd_periods, "wdeel_jaar", wd_periods[-1])
data_table(wdeel(wd_id, wd_year), indicator_lines([wd_id]) + [f"Jaar {wd_year}; grootteklassen {peers.CLASS_YEAR}."],
           key=f"wdeel-{wd_id}-{wd_year}", decimals={"Aandeel IU hoger (%)": 0})
st.caption("Beschrijvend, geen oordeel: deze proxy meet geen onderbesteding van het W-deel. De Iv3-lasten op 6.4 en 6.5 omvatten veel "
           "meer dan het re-integratiebudget (Wsw-bedrijven, eigen middelen, uitvoeringskosten); de tabel laat zien hoe de uitgaven op "
           "deze taakvelden zich verhouden tot de IU. IU Participatie (gemeentefonds) minus Iv3-lasten 6.4 en 6.5, als % van de IU. "
           "De IU dekt ook Wsw en beschut werk; Iv3 is ongecontroleerde aanlevering door gemeenten (nullen kunnen 'nog niet "
           "aangeleverd' betekenen).")
