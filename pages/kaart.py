"""Kaart: a choropleth of one indicator per gemeente for one year, on the boundaries that year's figures use."""

import json
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from portal.paths import SNAPSHOTS
from portal import benchmark as bm
from portal import metrics
from portal.charts import NL_LOCALE, PALETTE
from portal.export import indicator_lines
from portal.ui import chart, indicator_picker, warehouse

GEO = SNAPSHOTS / "geo_gemeentegrenzen"


@st.cache_resource(show_spinner=False)
def topology(year: int) -> dict | None:
    path = GEO / f"gemeente_{year}.topojson"
    return json.loads(Path(path).read_text()) if path.exists() else None


wh = warehouse()
own = wh.all_observations("eigen")
st.title("Kaart")
present = set(own.filter(pl.col("gemeente_code") != "NL01")["indicator"].unique())
available = [i for i in metrics.REGISTRY if i in present]
asked = indicator_picker(available, key="kaart_indicator")
ind = metrics.get(asked)
vals = bm.values(own, [asked]).filter(pl.col("gemeente_code") != "NL01")
periods = sorted(vals["periode"].unique())
year = st.query_params.get("jaar", periods[-1])
year = year if year in periods else periods[-1]
year = st.select_slider("Jaar", periods, value=year)
st.query_params["jaar"] = year
# The figures of one period may sit on a later indeling (e.g. the maatstaven tables); draw the boundaries they use.
rows = own.filter((pl.col("indicator") == asked) & (pl.col("periode") == year) & (pl.col("gemeente_code") != "NL01"))
indeling = int(rows["indeling"].max())
rows = rows.filter(pl.col("indeling") == indeling)
topo = topology(indeling)
if topo is None:
    st.info(f"Voor de gemeentelijke indeling van {indeling} zijn geen kaartgrenzen meegeleverd (wel 2015–2025). "
            "De cijfers staan in de tabel op de pagina Vergelijken.")
    st.stop()
names = dict(wh.gemeenten(indeling).select("gemeentecode", "gemeentenaam").rows())
data = rows.select(pl.col("gemeente_code").alias("statcode"), "waarde", "bron", "peildatum").with_columns(
    pl.col("statcode").replace_strict(names, default=None).alias("naam"))
obj = next(iter(topo["objects"]))
no_value = data.filter(pl.col("waarde").is_null()).height
geo = {"values": topo, "format": {"type": "topojson", "feature": obj}}  # a plain dict: alt.InlineData validates 150 kB each run
dec = 1 if ind.unit.startswith(("per", "%")) else 0
chosen = st.query_params.get("gemeente")
is_chosen = f"datum.properties.statcode == '{chosen if chosen in names else ''}'"  # only a known code enters the expression
# One layer over the boundaries (the geometry travels to the browser once): grey without a value, orange edge for the
# gemeente from the URL.
choro = alt.Chart(geo).mark_geoshape().encode(
    color=alt.condition("isValid(datum.waarde)", alt.Color("waarde:Q", title=ind.unit, scale=alt.Scale(scheme="blues"),
                                                          legend=alt.Legend(format=f",.{dec}f")), alt.value("#e5e5e5")),
    stroke=alt.condition(is_chosen, alt.value(PALETTE[1]), alt.value("white")),
    strokeWidth=alt.condition(is_chosen, alt.value(2.5), alt.value(0.3)),
    tooltip=[alt.Tooltip("naam:N", title="Gemeente"), alt.Tooltip("waarde:Q", title=ind.label, format=f",.{dec}f"),
             alt.Tooltip("bron:N", title="Bron"), alt.Tooltip("peildatum:N", title="Peildatum")],
).transform_lookup(lookup="properties.statcode", from_=alt.LookupData(data.to_pandas(), "statcode", ["waarde", "naam", "bron", "peildatum"])
                   ).project("mercator")
m = choro.properties(height=640).configure(locale={"number": NL_LOCALE}).configure_view(stroke=None)
lines = indicator_lines([asked], sorted(data["bron"].drop_nulls().unique())) + [
    f"Periode {year}, gemeentegrenzen van 1 januari {indeling}. Kaartgrenzen: CBS/Kadaster gegeneraliseerd (zie bronnen)."]
chart(m, f"{ind.label}, {year}", lines, key=f"kaart-{asked}-{year}")
st.caption(f"Periode {year} op de gemeentegrenzen van 1 januari {indeling} ({data.height} gemeenten"
           + (f", waarvan {no_value} zonder cijfer: grijs" if no_value else "") + f"). {ind.definition} "
           + (f"Uw gemeente ({names[chosen]}) heeft een oranje rand." if chosen in names else ""))
