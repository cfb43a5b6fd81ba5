"""Vergelijken: any set of gemeenten on one indicator, as values or as an index (base year = 100)."""

import altair as alt
import polars as pl
import streamlit as st

from portal import benchmark as bm
from portal import metrics
from portal.charts import NL_LOCALE, reeks_scale
from portal.export import indicator_lines
from portal.ui import chart, codes_param, current_group, data_table, gemeente_picker, indeling_picker, indicator_picker, warehouse

wh = warehouse()
code = gemeente_picker(wh)
names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
st.title("Vergelijken")

# 1. Selection: indicator, indeling, gemeenten ----------------------------------------------------------------------------------
indeling, indeling_label = indeling_picker(wh)
obs = wh.all_observations(indeling)
present = set(obs["indicator"].unique())
# A series over years by default (the newest dichtheid, 85383NED, has one year only).
asked = indicator_picker([i for i in metrics.REGISTRY if i in present], key="vg_indicator",
                         default="dichtheid_tot_aow_incl_gerelateerd")
ind = metrics.get(asked)

if "vergelijk" in st.query_params:
    chosen = [c for c in codes_param("vergelijk") if c in names and c != code]
else:
    chosen = current_group(wh, code, show_notes=False).members
st.session_state["vg_set"] = chosen
st.multiselect("Vergelijken met", [c for c in names if c != code], key="vg_set", format_func=lambda c: f"{names[c]} ({c})",
               on_change=lambda: st.query_params.update(vergelijk=",".join(st.session_state["vg_set"])),
               help="Standaard de leden van de referentiegroep.")
codes = [code, *chosen]

# 2. Data ------------------------------------------------------------------------------------------------------------------------
data = bm.values(obs, [asked]).filter(pl.col("gemeente_code").is_in(codes)).with_columns(
    pl.col("gemeente_code").replace_strict(names).alias("gemeente"))
if data.is_empty():
    st.info(f"Geen cijfers voor {ind.label} bij de gekozen gemeenten op deze gemeentegrenzen.")
    st.stop()
periods = sorted(data["periode"].unique())
index = st.toggle("Index (basisjaar = 100)", value=st.query_params.get("index") == "1")
st.query_params["index"] = "1" if index else "0"
value_col, y_title, dec = "waarde", ind.unit, 1
if index:
    base = st.query_params.get("basis", periods[0])
    base = base if base in periods else periods[0]
    base = st.select_slider("Basisjaar", periods, value=base)
    st.query_params["basis"] = base
    base_vals = data.filter(pl.col("periode") == base).select("gemeente_code", pl.col("waarde").alias("basis"))
    missing = [names[c] for c in codes if c not in set(base_vals["gemeente_code"])]
    if missing:
        st.caption(f"Geen cijfer in {base}, dus geen index voor: {', '.join(missing)}.")
    data = data.join(base_vals, on="gemeente_code", how="inner").with_columns((pl.col("waarde") / pl.col("basis") * 100).alias("index"))
    value_col, y_title, dec = "index", f"index ({base} = 100)", 1

# 3. Chart and table --------------------------------------------------------------------------------------------------------
order = [names[c] for c in codes]
monthly = len(periods[0]) > 4
x = alt.X("periode:T" if monthly else "jaar:Q", title="Periode" if monthly else "Jaar",
          axis=alt.Axis(format="%Y" if monthly else "d", tickMinStep=1))
plot = data.with_columns(pl.col("periode").str.slice(0, 4).cast(pl.Int32).alias("jaar"))
base_chart = alt.Chart(plot.to_pandas()).encode(
    x=x, y=alt.Y(f"{value_col}:Q", title=y_title, axis=alt.Axis(format=f",.{dec}f")),
    color=alt.Color("gemeente:N", title="Gemeente", scale=reeks_scale(order), sort=order, legend=alt.Legend(orient="bottom", columns=4)),
    tooltip=[alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("periode:N", title="Periode"),
             alt.Tooltip(f"{value_col}:Q", title=y_title, format=f",.{dec}f"), alt.Tooltip("bron:N", title="Bron"),
             alt.Tooltip("peildatum:N", title="Peildatum")])
ch = alt.layer(base_chart.mark_line(), base_chart.mark_point(filled=True, size=40)).properties(height=400).configure(locale={"number": NL_LOCALE})
lines = indicator_lines([asked], sorted(data["bron"].unique())) + [
    f"Indeling: {indeling_label[indeling]}."]
chart(ch, f"{ind.label}{' (index)' if index else ''}", lines, key=f"vergelijken-{asked}")
wide = bm.wide_by_period(data, value_col, order)
data_table(wide, lines, key=f"vergelijken-{asked}", decimals={c: dec for c in wide.columns[1:]})
st.caption(f"{ind.definition} {ind.caveats}")
