"""Bijstandsvolume of one gemeente over all years, each definition its own series, labelled with source and peildatum."""

import streamlit as st

from portal import metrics
from portal.benchmark import boundary_breaks, series_table, volume_series
from portal.charts import series_chart
from portal.export import indicator_lines
from portal.ui import chart, data_table, density_toggle, gemeente_picker, indeling_picker, warehouse
from portal.ui.einde import stop_page

# 1. Selection --------------------------------------------------------------------------------------------------
wh = warehouse()
code = gemeente_picker(wh)
naam = wh.name(code)
newest = wh.newest_indeling
indeling, indeling_label = indeling_picker(wh)
density = density_toggle(default=False)

# 2. Data -----------------------------------------------------------------------------------------------------------
st.title(f"Bijstand in {naam}")
series = volume_series(wh, code, indeling, density=density)
if series.is_empty():
    st.info(f"Voor {naam} zijn op deze gemeentegrenzen geen bijstandscijfers beschikbaar.")
    stop_page()

# 3. Chart ------------------------------------------------------------------------------------------------------------
unit = "per 1 000 inwoners" if density else "aantal"
st.caption(
    "Elke CBS-definitie is een eigen lijn: personen of uitkeringen (huishoudens), met of zonder IOAW/IOAZ/Bbz, "
    "eind september of 31 december. De lijnen worden niet aan elkaar geplakt."
)
breaks = []
if indeling == "jaar":
    changes = wh.boundary_changes(code)
    breaks = boundary_breaks(series, changes["indeling_jaar"].to_list())
    if changes.height:
        told = "; ".join(f"{y}: {', '.join(wh.name(o) for o in changes.filter(changes['indeling_jaar'] == y)['oude_code'])}"
                         for y in sorted(set(changes["indeling_jaar"])))
        st.caption(f"Grenswijzigingen van {naam} per 1 januari ({told}). Gestippelde lijn: vanaf dit punt staat een reeks "
                   "op de nieuwe grenzen; cijfers ervoor en erna zijn niet zonder meer vergelijkbaar.")
else:
    st.caption(f"Alle jaren omgerekend naar de gemeentegrenzen van 1 januari {newest}: samengevoegde gemeenten opgeteld, "
               "gesplitste gemeenten verdeeld naar bevolkingsaandeel (CBS-bevolkingscijfers; zie de bronnen hieronder).")
decimals = 1 if density else 0
ids = list(series["indicator"].unique(maintain_order=True))
lines = indicator_lines(ids, sorted(series["bron"].unique())) + [f"Indeling: {indeling_label[indeling]}."]
chart(series_chart(series, y_title=unit, breaks=breaks, decimals=decimals),
      f"{'Bijstandsdichtheid' if density else 'Bijstandsvolume'} {naam}, per CBS-definitie", lines, key=f"reeksen-{code}",
      subtitle=unit)

# 4. Table and sources ------------------------------------------------------------------------------------------------
data_table(series_table(series), lines, key=f"reeksen-{code}", decimals={"Waarde": decimals})
st.markdown("**Bron en definities**")
for ind_id in series["indicator"].unique(maintain_order=True):
    ind = metrics.get(ind_id)
    tables = ", ".join(sorted(set(series.filter(series["indicator"] == ind_id)["bron"])))
    formula = f" Formule: {ind.formula.text()}." if ind.formula else ""
    st.markdown(f"- **{ind.label}** ({ind.unit}). {ind.definition}{formula} Peildatum: {ind.peildatum}. "
                f"Bron: CBS, tabel {tables} (CC BY 4.0). {ind.caveats}")
build = wh.last_build()
st.caption(f"Warehouse gebouwd op {build.get('tijd', '?')} (codeversie {build.get('codeversie', '?')}).")
