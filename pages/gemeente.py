"""Bijstandsvolume of one gemeente over all years, each definition its own series, labelled with source and peildatum."""

import streamlit as st

from portal import metrics
from portal.benchmark import boundary_breaks, volume_series
from portal.charts import nl_number, series_chart
from portal.ui import density_toggle, gemeente_picker, indeling_picker, warehouse

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
    st.stop()

# 3. Chart ------------------------------------------------------------------------------------------------------------
unit = "per 1 000 inwoners" if density else "aantal"
st.caption(
    "Elke CBS-definitie is een eigen lijn: personen of uitkeringen (huishoudens), met of zonder IOAW/IOAZ/Bbz, "
    "eind september of 31 december. De lijnen worden niet aan elkaar geplakt."
)
breaks = []
if indeling == "eigen":
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
st.altair_chart(series_chart(series, y_title=unit, breaks=breaks, decimals=decimals), width="stretch")

# 4. Table and sources ------------------------------------------------------------------------------------------------
table = series.sort("definitie", "jaar").select("jaar", "definitie", "waarde", "bron", "peildatum", "indeling", "onderdrukt", "afgerond").to_dicts()
st.dataframe(
    [{"Jaar": r["jaar"], "Definitie": r["definitie"],
      "Waarde": "geen cijfer (onderdrukt of ontbreekt)" if r["onderdrukt"] else nl_number(r["waarde"], decimals),
      "Bron": f"CBS {r['bron']}", "Peildatum": r["peildatum"], "Indeling": r["indeling"],
      "Afgerond door bron": "ja" if r["afgerond"] else "nee"} for r in table],
    hide_index=True, width="stretch",
)
st.markdown("**Bron en definities**")
for ind_id in series["indicator"].unique(maintain_order=True):
    ind = metrics.get(ind_id)
    tables = ", ".join(sorted(set(series.filter(series["indicator"] == ind_id)["bron"])))
    formula = f" Formule: {ind.formula.text()}." if ind.formula else ""
    st.markdown(f"- **{ind.label}** ({ind.unit}). {ind.definition}{formula} Peildatum: {ind.peildatum}. "
                f"Bron: CBS, tabel {tables} (CC BY 4.0). {ind.caveats}")
build = wh.last_build()
st.caption(f"Warehouse gebouwd op {build.get('tijd', '?')} (codeversie {build.get('codeversie', '?')}).")
