"""Kaart: a choropleth of one indicator per gemeente for one year, on the boundaries that year's figures use."""

import streamlit as st

from portal import charts, metrics, views
from portal.export import indicator_lines
from portal.ui import chart, gemeente_picker, indicator_picker, url_select, warehouse

wh = warehouse()
own = wh.all_observations("eigen")
code = gemeente_picker(wh)  # search or pick a gemeente in the sidebar: it is outlined on the map
st.title("Kaart")
present = set(own.filter(own["gemeente_code"] != "NL01")["indicator"].unique())
asked = indicator_picker([i for i in metrics.REGISTRY if i in present], key="kaart_indicator")
ind = metrics.get(asked)
periods = views.periods(own.filter(own["gemeente_code"] != "NL01"), asked)
year = url_select("Jaar", periods, "jaar", periods[-1])  # opens on the newest year with data
indeling = views.map_indeling(own, asked, year)
names = dict(wh.gemeenten(indeling).select("gemeentecode", "gemeentenaam").rows())
data = views.map_values(own, asked, year, indeling, names)
topo = wh.boundaries(indeling)
if topo is None:
    st.info(f"Voor de gemeentelijke indeling van {indeling} zijn geen kaartgrenzen meegeleverd (wel 2015–2025). "
            "De cijfers staan in de tabel op de pagina Vergelijken.")
    st.stop()
no_value = data.filter(data["waarde"].is_null()).height
lines = indicator_lines([asked], sorted(data["bron"].drop_nulls().unique())) + [
    f"Periode {year}, gemeentegrenzen van 1 januari {indeling}. Kaartgrenzen: CBS/Kadaster gegeneraliseerd (zie bronnen)."]
chart(charts.choropleth(topo, data, ind.label, ind.unit, ind.decimals, code if code in names else None),
      f"{ind.label}, {year}", lines, key=f"kaart-{asked}-{year}", subtitle=ind.unit)
st.caption(f"Periode {year} op de gemeentegrenzen van 1 januari {indeling} ({data.height} gemeenten"
           + (f", waarvan {no_value} zonder cijfer: grijs" if no_value else "") + f"). {ind.definition} "
           + (f"{names[code]} heeft een oranje rand; kies een andere gemeente links." if code in names
              else f"{wh.name(code)} bestond niet in de indeling van {indeling}."))
