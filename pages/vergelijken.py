"""Vergelijken: any set of gemeenten on one indicator, as values or as an index (base year = 100), and one period ranked."""

import streamlit as st

from portal import benchmark as bm
from portal import charts, metrics, signals
from portal.export import indicator_lines
from portal.tekst import quoted
from portal.ui import (chart, codes_param, current_group, data_table, gemeente_picker, indeling_picker, indicator_picker, url_choice,
                       warehouse)
from portal.ui.data import implausible
from portal.ui.rangschikking import ranked_view
from portal.ui.einde import stop_page

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
    chosen = [c for c in codes_param("vergelijk", names) if c != code]
else:
    chosen = current_group(wh, code, show_notes=False).members
st.session_state["vg_set"] = chosen
st.multiselect("Vergelijken met", [c for c in names if c != code], key="vg_set", format_func=lambda c: f"{names[c]} ({c})",
               on_change=lambda: st.query_params.update(vergelijk=",".join(st.session_state["vg_set"])),
               help="Standaard de leden van de referentiegroep.")
codes = [code, *chosen]

# 2. Data ------------------------------------------------------------------------------------------------------------------------
data = bm.compare_values(obs, asked, codes, names)
if data.is_empty():
    st.info(f"Geen cijfers voor {ind.label} bij de gekozen gemeenten op deze gemeentegrenzen.")
    stop_page()
periods = sorted(data["periode"].unique())
asked_index = url_choice("index", ("0", "1"), "0", "Index") == "1"
if ind.proxy and asked_index:
    st.warning(f"Index (parameter index in de link) kan niet bij {quoted(ind.short)}: {bm.NO_INDEX} Getoond worden de cijfers zelf.")
index = st.toggle("Index (basisjaar = 100)", value=asked_index and not ind.proxy, disabled=ind.proxy,
                  help=f"Niet bij deze proxy: {bm.NO_INDEX}" if ind.proxy else None)
st.query_params["index"] = "1" if index else "0"
y_title, dec = ind.unit, ind.decimals
if index:
    base = bm.base_period(st.query_params.get("basis"), periods)
    if base.message:
        st.warning(base.message)
    base = base.periode
    base = st.select_slider("Basisjaar", periods, value=base)
    st.query_params["basis"] = base
    data, missing = bm.as_index(data, base)
    if missing:
        st.caption(f"Geen cijfer in {base}, dus geen index voor: {', '.join(names[c] for c in missing)}.")
    y_title, dec = f"index ({base} = 100)", 1

# 3. Chart and table --------------------------------------------------------------------------------------------------------
order = [names[c] for c in codes]
lines = indicator_lines([asked], sorted(data["bron"].unique())) + [f"Gemeenten: {', '.join(order)}.", f"Indeling: {indeling_label[indeling]}."]
x, temporal = ("maand", True) if len(periods[0]) > 4 else ("jaar", False)
axes = dict(x=x, y_title=y_title, decimals=dec, temporal=temporal, zero=not index, x_title="Periode" if temporal else "Jaar")
if len(codes) > charts.LINES_IN_COLOUR:  # grey lines; the chosen gemeente and the group's median stand out
    spread = bm.spread_by_period(data, implausible(indeling))
    lines.append(f"Mediaan en P25–P75: over de gemeenten met een cijfer in die periode (minstens {signals.MIN_GROUP}).")
    chart(charts.group_lines_chart(data, spread, chosen=names[code], **axes), f"{ind.label}{' (index)' if index else ''}", lines,
          key=f"vergelijken-{asked}", subtitle=y_title)
    st.caption(f"{len(codes)} gemeenten: {names[code]} in kleur, de andere grijs (wijs een lijn aan voor de naam), de mediaan "
               "van alle getoonde gemeenten gestreept met P25–P75 als band.")
else:
    chart(charts.lines_chart(data, series="gemeente", order=order, many=True, **axes), f"{ind.label}{' (index)' if index else ''}",
          lines, key=f"vergelijken-{asked}", subtitle=y_title)
data_table(bm.wide_by_period(data, "waarde", order), lines, key=f"vergelijken-{asked}",
           decimals={p: dec for p in periods})
st.caption(f"{ind.definition} {ind.caveats}")

# 4. One period ranked (on the values, also when the lines show an index) --------------------------------------------------
ranked_view(indeling, asked, code, codes, periods, indeling_label[indeling])
