"""Bronnen en definities: every indicator of the registry, every source with licence and checksum, the last build."""

import polars as pl
import streamlit as st

from portal import metrics, signals
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

st.subheader("Bronwaarden die de bron zelf onwaarschijnlijk maakt")
bad = signals.implausible(wh.all_observations("eigen"))
if bad.is_empty():
    st.markdown("Geen.")
else:
    names = dict(wh.query("select gemeentecode, gemeentenaam from gemeente_jaar").iter_rows())
    shown = bad.select(pl.col("gemeente_code").replace_strict(names, default=pl.col("gemeente_code")).alias("Gemeente"),
                       pl.col("gemeente_code").alias("Code"), pl.col("periode").alias("Jaar"),
                       pl.col("leeftijd").alias("Leeftijdsgroep"), pl.col("reden").alias("Waarom onwaarschijnlijk"))
    table(shown, shown, ["Instroom en uitstroom die de bron (CBS 83450NED/83747NED/84066NED) onwaarschijnlijk maakt, op de "
                         "grenzen van het eigen jaar."], key="onwaarschijnlijk")
    st.caption("Deze cijfers krijgen geen signaal, tellen niet mee in de statistieken van een referentiegroep (n zonder hen) "
               "en staan in het profiel gemarkeerd als *bronwaarde onwaarschijnlijk*. Regels: uitstroom naar werk groter dan de "
               f"uitstroom, of geen instroom en geen uitstroom bij minstens {signals.LARGE_VOLUME} bijstandsontvangers.")

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
