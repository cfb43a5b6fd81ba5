"""Kaart: a choropleth of one indicator per gemeente for one year, on the boundaries that year's figures use."""

import streamlit as st

from portal import charts, metrics
from portal.views import period_nl
from portal.export import indicator_lines
from portal.ui import chart, gemeente_picker, indicator_picker, local_indicators, map_data, url_select, warehouse
from portal.ui import periods as ui_periods

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
    st.stop()
no_value = data.filter(data["waarde"].is_null()).height
lines = indicator_lines([asked], sorted(data["bron"].drop_nulls().unique())) + [
    f"Periode {year}, gemeentegrenzen van 1 januari {indeling}. Kaartgrenzen: CBS/Kadaster gegeneraliseerd (zie bronnen)."]
outlined = code if code in names else None
chart(lambda: charts.choropleth(topo, data, ind.label, ind.unit, ind.decimals, outlined),
      f"{ind.label}, {year}", lines, key=f"kaart-{asked}-{year}", subtitle=ind.unit, inputs=(outlined,))
st.caption(f"Periode {year} op de gemeentegrenzen van 1 januari {indeling} ({data.height} gemeenten"
           + (f", waarvan {no_value} zonder cijfer: grijs" if no_value else "") + f"). {ind.definition} "
           + (f"{names[code]} heeft een oranje rand; kies een andere gemeente links." if code in names
              else f"{wh.name(code)} bestond niet in de indeling van {indeling}."))
