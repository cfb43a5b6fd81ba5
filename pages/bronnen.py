"""Bronnen en definities: every indicator of the registry, every source with licence and checksum, the last build."""

import polars as pl
import streamlit as st

from portal import metrics
from portal.ui import table, warehouse

wh = warehouse()
st.title("Bronnen en definities")

st.subheader("Indicatoren")
periods = wh.all_observations("eigen").group_by("indicator").agg(pl.col("periode").min().alias("van"), pl.col("periode").max().alias("tot"))
span = {r["indicator"]: f"{r['van']} – {r['tot']}" for r in periods.iter_rows(named=True)}
reg = pl.DataFrame([{
    "Indicator": i.label, "Code": i.id, "Eenheid": i.unit, "Definitie": i.definition,
    "Formule": i.formula.text() if i.formula else "", "Bronnen": ", ".join(i.sources), "Peildatum": i.peildatum,
    "Perioden": span.get(i.id, "geen cijfers"), "Kanttekeningen": i.caveats} for i in metrics.REGISTRY.values()])
table(reg, reg, ["Indicatorregister van het bijstandsportaal (portal/metrics.py)."], key="indicatoren")

st.subheader("Bronnen")
src = wh.sources()
table(src, src, ["Bronnen van het warehouse met uitgever, licentie en controlesom van de snapshot."], key="bronnen")

st.subheader("Laatste bouw van het warehouse")
build = wh.last_build()
if build:
    st.markdown(f"Gebouwd op **{build.get('tijd', '?')}**, codeversie `{build.get('codeversie', '?')}`, "
                f"controlesom inhoud `{str(build.get('inhoud_sha256', '?'))[:16]}…`, controlesom snapshots "
                f"`{str(build.get('snapshots_sha256', '?'))[:16]}…`.")
st.markdown(
    "**Gemeentelijke indelingen.** Cijfers staan op de grenzen van hun eigen jaar en zijn daarnaast omgerekend naar de indeling van "
    f"{wh.newest_indeling}: samengevoegde gemeenten worden opgeteld; bij een splitsing wordt verdeeld naar het bevolkingsaandeel dat "
    "elke opvolger kreeg (CBS-bevolkingscijfers). Afgeleide cijfers (dichtheid, percentages) worden na het omrekenen opnieuw berekend, "
    "nooit opgeteld. Verschillende CBS-definities zijn verschillende indicatoren en worden nooit aan elkaar geplakt.")
st.markdown("**Kaartgrenzen.** Gegeneraliseerde gemeentegrenzen 2015–2025 (CBS/Kadaster, via openbare repositories; herkomst per "
            "bestand in `data/snapshots/geo_gemeentegrenzen/PROVENANCE.md`). Alleen code en geometrie worden gebruikt.")
