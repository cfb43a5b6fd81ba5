"""Kaart: a choropleth of one indicator per gemeente for one year, on the boundaries that year's figures use."""

import streamlit as st

from portal import charts, metrics, views
from portal.views import period_nl
from portal.export import indicator_lines
from portal.ui import chart, data_table, gemeente_picker, indicator_picker, local_indicators, map_data, url_select, warehouse
from portal.ui import periods as ui_periods
from portal.ui.einde import stop_page

wh = warehouse()
code = gemeente_picker(wh)  # search or pick a gemeente in the sidebar: it is outlined on the map
st.title("Kaart")
asked = indicator_picker(local_indicators("jaar"), key="kaart_indicator")
ind = metrics.get(asked)
periods = ui_periods("jaar", asked, local=True)
year = url_select("Jaar" if all(len(p) == 4 for p in periods) else "Periode", periods, "jaar", periods[-1],
                  format_func=period_nl)  # opens on the newest period with data
data, indeling, names = map_data(asked, year)
topo = wh.boundaries(indeling)
if topo is None:
    st.info(f"Voor de gemeentelijke indeling van {indeling} zijn geen kaartgrenzen meegeleverd (wel 2015–2025). "
            "De cijfers staan in de tabel op de pagina Vergelijken.")
    stop_page()
no_value = data.filter(data["waarde"].is_null()).height
lines = indicator_lines([asked], sorted(data["bron"].drop_nulls().unique())) + [
    f"Periode {year}, gemeentegrenzen van 1 januari {indeling}. Kaartgrenzen: CBS/Kadaster gegeneraliseerd (zie bronnen)."]
outlined = code if code in names else None
scale, data = views.map_scale(data, ind.proxy, ind.decimals)
picked = chart(lambda: charts.choropleth(topo, data, ind.label, ind.unit, ind.decimals, outlined, tuple(scale.classes),
                                         tuple(scale.outliers), tuple(scale.legend)),
               f"{ind.label}, {year}", lines, key=f"kaart-{asked}-{year}", subtitle=ind.unit, inputs=(outlined,), select="gemeente",
               widget=f"kaart-klik-{st.session_state.get('kaart_klikken', 0)}")
clicked = next((p.get("statcode") for p in picked or [] if isinstance(p, dict)), None)
if clicked in names:  # a click on a gemeente opens its profile (a gemeente of an older indeling: its successor's, see there)
    # Back on the Kaart, the click is not made again: the browser keeps the chart and its selection, and may send it once
    # more; every click that opens a profile gives the map a new name, so that it comes back as a new chart without one
    st.session_state["kaart_klikken"] = st.session_state.get("kaart_klikken", 0) + 1
    st.switch_page("profiel.py", query_params={"gemeente": clicked})
st.caption(f"Periode {year} op de gemeentegrenzen van 1 januari {indeling} ({data.height} gemeenten"
           + (f", waarvan {no_value} zonder cijfer: grijs" if no_value else "") + f"). {ind.definition} "
           + (f"{names[code]} heeft een oranje rand; kies een andere gemeente links. " if code in names
              else f"{wh.name(code)} bestond niet in de indeling van {indeling}. ")
           + "Klik op een gemeente om haar Gemeenteprofiel te openen."
           + (f" Kleur per kwintiel: elke kleur staat voor ongeveer een vijfde van de gemeenten, zodat een paar extreme "
              f"waarden niet alle andere gemeenten dezelfde kleur geven." if scale.quantile else "")
           + (f" Zwarte rand: {len(scale.outliers)} uitschieter(s), meer dan 3 × de interkwartielafstand onder het "
              f"eerste of boven het derde kwartiel: {', '.join(names.get(c, c) for c in scale.outliers[:12])}"
              + (f" en nog {len(scale.outliers) - 12}" if len(scale.outliers) > 12 else "") + "." if scale.outliers else ""))
if ind.proxy:
    st.caption(f"Beschrijvend, zonder oordeel: {ind.no_signal}.")

st.header("Tabel")
data_table(views.map_table(data, scale, ind.unit), lines, key=f"kaart-{asked}-{year}", decimals={f"Waarde ({ind.unit})": ind.decimals})
if code in names:
    st.page_link("profiel.py", label=f"Gemeenteprofiel van {names[code]}", query_params={"gemeente": code},
                 icon=":material/arrow_forward:")
