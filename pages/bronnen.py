"""Bronnen en definities: every indicator of the registry, every source with licence and checksum, the origin of every
snapshot data file (etl/herkomst.py), the last build."""

import streamlit as st

from portal import signals, views
from portal.nl import nl_datetime, nl_number
from portal.store import REBUILD
from portal.ui import data_table, warehouse

wh = warehouse()
st.title("Bronnen en definities")

st.header("Indicatoren")
data_table(views.registry_table(wh.all_observations("jaar"), views.fetched_tables(wh)),
           ["Indicatorregister van het bijstandsportaal (portal/metrics.py)."], key="indicatoren")

st.header("Bronnen")
data_table(wh.sources(), ["Bronnen van het warehouse met uitgever, licentie en controlesom van de snapshot."], key="bronnen")

st.header("Bronwaarden die de bron zelf onwaarschijnlijk maakt")
bad = views.implausible_table(wh.all_observations("jaar"), dict(wh.query("select gemeentecode, gemeentenaam from gemeente_jaar").iter_rows()))
if bad.is_empty():
    st.markdown("Geen.")
else:
    data_table(bad, ["Instroom en uitstroom die de bron (CBS 83450NED/83747NED/84066NED) onwaarschijnlijk maakt, op de grenzen "
                     "van het eigen jaar."], key="onwaarschijnlijk")
    st.caption("Deze cijfers krijgen geen signaal, tellen niet mee in de statistieken van een referentiegroep (n zonder hen) "
               "en staan in het profiel gemarkeerd als *bronwaarde onwaarschijnlijk*. Regels: uitstroom naar werk groter dan de "
               f"uitstroom, of geen instroom en geen uitstroom bij minstens {signals.LARGE_VOLUME} bijstandsontvangers.")

st.header("Herkomst van de snapshots")
herkomst = wh.herkomst()
if herkomst.is_empty():
    st.info("Dit warehouse is gebouwd vóór de herkomst per bestand werd vastgelegd. " + REBUILD)
else:
    live = herkomst.filter(herkomst["soort"] == "CBS-vernieuwing")
    st.markdown(f"{nl_number(herkomst.height, 0)} databestanden uit {nl_number(herkomst['snapshot'].n_unique(), 0)} snapshots; "
                + (f"{nl_number(live.height, 0)} daarvan opgehaald bij CBS met `python3 dev.py etl vernieuw`." if live.height
                   else "alle meegeleverd met het portaal (nog niets vernieuwd bij CBS)."))
    data_table(views.herkomst_table(herkomst), ["Herkomst per databestand van het warehouse: tabel, wijzigingsdatum bij CBS, "
                                                "moment van ophalen, aantal rijen en controlesom (SHA-256, ingekort)."],
               key="herkomst")
    st.caption("Rijen: gegevensregels zonder kopregel (alleen voor CSV-bestanden). Een meegeleverde snapshot beschrijft zijn "
               "herkomst in PROVENANCE.md in de snapshotmap; een CBS-vernieuwing in herkomst.json. `python3 dev.py etl check` "
               "controleert beide tegen hun controlesommen.")

st.header("Laatste bouw van het warehouse")
build = wh.last_build()
if build:
    st.markdown(f"Gebouwd op **{nl_datetime(build.get('tijd'))}**, codeversie `{build.get('codeversie', '?')}`, "
                f"controlesom inhoud `{str(build.get('inhoud_sha256', '?'))[:16]}…`, controlesom snapshots "
                f"`{str(build.get('snapshots_sha256', '?'))[:16]}…`.")
st.markdown(
    "**Gemeentelijke indelingen.** Cijfers staan op de grenzen van hun eigen jaar en zijn daarnaast omgerekend naar de indeling van "
    f"{wh.newest_indeling}: samengevoegde gemeenten worden opgeteld; bij een splitsing wordt verdeeld naar het bevolkingsaandeel dat "
    "elke opvolger kreeg (CBS-bevolkingscijfers). Afgeleide cijfers (dichtheid, percentages) worden na het omrekenen opnieuw berekend, "
    "nooit opgeteld. Verschillende CBS-definities zijn verschillende indicatoren en worden nooit aan elkaar geplakt.")
st.markdown("**Kaartgrenzen.** Gegeneraliseerde gemeentegrenzen 2015–2025 (CBS/Kadaster, via openbare repositories; herkomst per "
            "bestand in `data/snapshots/geo_gemeentegrenzen/PROVENANCE.md`). Alleen code en geometrie worden gebruikt.")
