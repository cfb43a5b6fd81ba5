"""The BUS and SRG parts of the page "Eigen bestand" (Streamlit): a recognised BUS or SRG upload (no mapping step), the
uitstroom by reden beëindiging, the IOAW/IOAZ/Bbz series, the SRG uploads and the synthetic example files.

Everything shown from an own file passes the page's one suppression pattern: `extra` gives portal.eigen_ui the tables
and the function that adds their cells to it (portal.eigen.redenen.pattern)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from portal.nl import nl_number
from portal.eigen import bus, bus_store, bus_synth, kenmerken, redenen, store, suppress
from portal.tekst import literal
from portal.userdata.errors import UserDataError


# ---- upload ----------------------------------------------------------------------------------------------------------
def kenmerken_text(h: bus.Herkenning) -> tuple[str, str]:
    """(found, missed) in Dutch: 'kenmerk 8 (statistiekcode) in kolom …'."""
    found = "; ".join(f"{h.label(k)} in kolom '{c}'" for k, c in h.kolommen.items())
    missed = "; ".join(h.label(k) + (" (verplicht)" if k in h.ontbrekend else "") for k in h.niet_gevonden)
    return found, missed


def upload_section(gemeente: str, user, b: bus.Bestand, filename: str, on_saved) -> None:
    """A recognised BUS or SRG file: what was found and missed, then check and store without a mapping step."""
    h = b.herkenning
    soort = "BUS-bestand (bijstandsuitkeringenstatistiek)" if h.soort == "bus" else "SRG-bestand (re-integratievoorzieningen)"
    st.caption(literal(b.beschrijving))
    st.success(f"Herkend als {soort} volgens de Regeling statistiek Participatiewet, IOAW en IOAZ (BWBR0031830, bijlage "
               f"{1 if h.soort == 'bus' else 2}): de kenmerken en codes van de regeling worden gelezen, zonder koppeling.")
    found, missed = kenmerken_text(h)
    st.markdown(f"**Gevonden kenmerken ({len(h.kolommen)}):** {literal(found)}")
    st.markdown(f"**Niet gevonden ({len(h.niet_gevonden)}):** {literal(missed) if missed else 'geen'}")
    if h.overig:
        st.caption(literal("Kolommen die geen kenmerk zijn en niet worden gelezen: " + ", ".join(f"'{c}'" for c in h.overig)))
    if h.ontbrekend:
        st.error("Het bestand mist verplichte kenmerken en kan niet worden opgeslagen: "
                 + literal(", ".join(h.label(k) for k in h.ontbrekend)) + ".")
        return
    if bus.synthetisch(b):
        st.warning("Dit is een synthetisch voorbeeldbestand van het portaal (kolom 'synthetisch'): het wordt niet als echt "
                   "bestand opgeslagen.")
        return
    if not st.button("Controleren en opslaan", type="primary", key=f"opslaan-{gemeente}"):
        return
    if h.soort == "bus":
        got, problems = bus.lees_bus(b, gemeente)
    else:
        got, problems = bus.lees_srg(b, gemeente)
    if problems.aantal:
        st.error("Het bestand is niet opgeslagen:\n\n" + "\n".join(f"- {literal(m)}" for m in problems.berichten()))
        return
    try:
        if h.soort == "bus":
            uid = bus_store.save_bus(store.default(), gemeente, filename, got, user)
        else:
            uid = bus_store.save_srg(store.default(), gemeente, filename, got.voorzieningen, got.peildatum, user)
    except UserDataError as exc:
        st.error(str(exc))
        return
    if h.soort == "bus":
        per = ", ".join(f"{bus.STATISTIEKCODES[c]} {nl_number(n)}" for c, n in sorted(got.per_regeling.items()))
        text = (f"Opgeslagen als upload {uid}: {nl_number(got.records)} records, peildatum {got.peildatum:%d-%m-%Y}; "
                f"uitkeringsperioden per regeling: {per}. De monitors tellen algemene bijstand (statistiekcode 01).")
        if got.bijzondere_bijstand:
            text += (f" {nl_number(got.bijzondere_bijstand)} records bijzondere bijstand (11, 12) zijn geen bijstandsvolume en "
                     "niet opgeslagen.")
        if got.zonder_einddatum:
            text += (f" {nl_number(got.zonder_einddatum)} uitkeringen verdwijnen uit het bestand zonder einddatum: beëindigd "
                     "op de laatste dag van hun laatste maand, zonder reden.")
    else:
        text = (f"SRG opgeslagen als SRG-upload {uid}: {nl_number(got.voorzieningen.height)} voorzieningen uit "
                f"{nl_number(got.records)} records, peildatum {got.peildatum:%d-%m-%Y}.")
    st.success(text)
    on_saved()


# ---- the tables and their part of the suppression pattern ---------------------------------------------------------------
@st.cache_resource(max_entries=8, show_spinner=False)
def _regelingen(file: str, upload_id: int) -> pl.DataFrame:  # file (path, id and time of the upload): the cache key
    return bus_store.regelingen(store.default(), upload_id)


@st.cache_resource(max_entries=8, show_spinner=False)
def _tabellen(file: str, peil: dt.date, _regs: pl.DataFrame | None, _spells: pl.DataFrame):
    if _regs is None:  # the synthetic example: reden codes drawn from werk / overig (bus_synth, fixed seed)
        codes = _spells.select("client", "begin", "einde").with_columns(reden_code=bus_synth._codes(_spells, 1))
        return redenen.uitstroom_redenen(codes, peil), None
    return redenen.tabellen(_regs, peil)


@st.cache_resource(max_entries=8, show_spinner=False)
def _kenmerken(file: str, peil: dt.date, upload_id: int | None, _spells: pl.DataFrame) -> pl.DataFrame | None:
    """The monthly counts by kenmerk of the months the page shows (portal.eigen.kenmerken.tabel): stored with the
    upload, or for the synthetic example counted from the BUS records of its spells (bus_synth.indicatoren)."""
    if upload_id is None:  # the records bus_synth.met_kenmerken would write, counted without writing them as text
        counts = bus_synth.indicatoren(_spells, kenmerken.periode(peil, suppress.PAGE_MONTHS), peil)
    else:
        counts = bus_store.indicatoren(store.default(), upload_id)
    return kenmerken.tabel(counts, peil, suppress.PAGE_MONTHS)


class Extra:
    """The BUS tables of the file the page shows (None where the file has none) and their part of the pattern."""

    def __init__(self, redenen_: pl.DataFrame | None, reeksen: pl.DataFrame | None, kenmerken_: pl.DataFrame | None = None):
        self.redenen, self.reeksen, self.kenmerken = redenen_, reeksen, kenmerken_

    def pattern(self):
        return kenmerken.combine(
            None if self.redenen is None and self.reeksen is None else redenen.pattern(self.redenen, self.reeksen),
            None if self.kenmerken is None else kenmerken.pattern(self.kenmerken))


def extra(gemeente: str, file: str, peil: dt.date, spells: pl.DataFrame) -> Extra:
    if spells["synthetisch"].any():
        return Extra(*_tabellen(file, peil, None, spells), _kenmerken(file, peil, None, spells))
    up = store.current(gemeente, synthetisch=False)
    if up is None:
        return Extra(None, None)
    return Extra(*_tabellen(file, peil, _regelingen(file, up["id"]), spells), _kenmerken(file, peil, up["id"], spells))



def redenen_section(gemeente: str, ex: Extra, peil: dt.date, line: str, pagina: suppress.Pagina, table) -> None:
    if ex.redenen is None:
        st.info("Uitstroom naar reden beëindiging (BUS kenmerk 34) is er bij een BUS-bestand. Een bestand in de eigen opbouw kent "
                "alleen werk en overig.")
        return
    res = pagina.tabel(ex.redenen.drop("per_100", "aandeel"), redenen.TABEL, "rij", ["aantal"])
    frame = redenen.rates(res.frame.with_columns(pl.col("aantal")))
    # a rate with a hidden denominator would reveal it: no rates then
    frame = frame.with_columns(pl.when(pl.col("rij") == redenen.PERSONEN).then(None).otherwise(pl.col("per_100")).alias("per_100"))
    van, tot = redenen.periode(peil)
    shown = frame.select(pl.col("reden").alias("Reden beëindiging (BUS kenmerk 34)"), pl.col("aantal").alias("Uitstromers"),
                         pl.col("per_100").alias("Per 100 personen met bijstand (CBS)"),
                         pl.col("aandeel").alias("Aandeel van alle uitstroom, % (Divosa)"))
    werk = frame.filter(pl.col("rij") == redenen.WERK).row(0, named=True)
    method = (f"Uitstroom uit de algemene bijstand (statistiekcode 01) van {van:%m-%Y} t/m {tot:%m-%Y}, naar de reden "
              "beëindiging van het BUS (kenmerk 34). Naar werk telt 11 (inkomsten uit arbeid in dienstbetrekking) en 13 "
              "(inkomsten uit zelfstandig beroep of bedrijf). Twee definities: CBS — uitstroom per 100 personen met bijstand "
              "in de periode (iedereen die op enig moment in de periode bijstand had, ieder één keer); Divosa — aandeel van "
              f"alle uitstroom (landelijk 2023: {redenen.DIVOSA_2023_PCT} % naar werk). Een terugkeer binnen 31 dagen telt "
              "niet als uitstroom.")
    if werk["per_100"] is not None and werk["aandeel"] is not None:
        c = st.columns(2)
        c[0].metric("Naar werk per 100 personen met bijstand (CBS)", nl_number(werk["per_100"], 1))
        c[1].metric("Naar werk als aandeel van alle uitstroom (Divosa)", f"{nl_number(werk['aandeel'], 1)} %",
                    help=f"Divosa landelijk 2023: {redenen.DIVOSA_2023_PCT} %")
    table(shown, [line, method, *res.note()], key=f"redenen-{gemeente}")
    st.caption(method)


def reeksen_section(gemeente: str, ex: Extra, peil: dt.date, line: str, pagina: suppress.Pagina, table) -> None:
    if ex.reeksen is None:
        return
    res = pagina.tabel(ex.reeksen, redenen.REEKSEN, "rij", list(redenen.REEKS_KOLOMMEN))
    van, tot = redenen.periode(peil)
    voor = van - dt.timedelta(days=1)
    shown = res.frame.select(pl.col("regeling").alias("Regeling"), pl.col("bestand_voor").alias(f"Bestand {voor:%d-%m-%Y}"),
                             pl.col("instroom").alias("Instroom"), pl.col("uitstroom").alias("Uitstroom"),
                             pl.col("bestand").alias(f"Bestand {tot:%d-%m-%Y}"))
    method = (f"IOAW (statistiekcode 02), IOAZ (03) en Bbz (14) als eigen reeksen, niet in het bijstandsvolume: uitkeringen, "
              f"instroom en uitstroom van {van:%m-%Y} t/m {tot:%m-%Y}. Bijzondere bijstand (11, 12) is geen bijstandsvolume en "
              "wordt niet opgeslagen.")
    table(shown, [line, method, *res.note()], key=f"regelingen-{gemeente}")
    st.caption(method)


def srg_section(gemeente: str, user, may_upload: bool) -> None:
    rows = bus_store.srg_uploads(store.default(), gemeente)
    if not rows:
        st.caption("Nog geen SRG-bestand (re-integratievoorzieningen) voor deze gemeente. Upload het hierboven, net als een "
                   "BUS-bestand; voorzieningen worden per persoon bewaard met dezelfde sleutel-hash als in het BUS.")
        return
    st.caption("SRG-uploads (re-integratievoorzieningen per persoon: type, begin en einde, reden einde, participatieladder, "
               "arbeidsvermogen, loonwaarde). De nieuwste SRG-upload voedt de rendementmeters verderop op deze pagina.")
    st.dataframe(pl.DataFrame([{"SRG-upload": r["id"], "Bestand": r["bestandsnaam"], "Peildatum": f"{r['peildatum']:%d-%m-%Y}",
                                "Voorzieningen": r["rijen"], "Status": "verwijderd" if r["verwijderd"] else "in gebruik"}
                               for r in rows]).to_pandas(), hide_index=True)
    live = {r["id"]: f"SRG-upload {r['id']}: {r['bestandsnaam']}" for r in rows if not r["verwijderd"]}
    if live and may_upload:
        with st.expander("Een SRG-upload verwijderen"):
            pick = st.selectbox("SRG-upload", list(live), format_func=live.get, key=f"srg-weg-{gemeente}")
            if st.button("Verwijderen", key=f"srg-verwijder-{gemeente}"):
                try:
                    bus_store.delete_srg(store.default(), gemeente, pick, getattr(user, "naam", ""))
                except UserDataError as exc:
                    st.error(literal(str(exc)))
                    return
                st.rerun()


@st.cache_data(max_entries=4, show_spinner=False)
def _voorbeeld(gemeente: str, peil: dt.date, file: str, _spells: pl.DataFrame) -> tuple[bytes, bytes]:
    """The synthetic example as BUS and SRG zips of twelve monthly files (file: the cache key of _spells)."""
    return bus_synth.voorbeeld(_spells, peil, gemeente)


def voorbeeld_section(gemeente: str, peil: dt.date, file: str, spells: pl.DataFrame) -> None:
    """Download buttons for the synthetic BUS and SRG example files (labelled SYNTHETISCH in name and a column)."""
    if not st.toggle("Synthetische BUS- en SRG-voorbeeldbestanden maken", key=f"voorbeeld-{gemeente}"):
        return
    bus_zip, srg_zip = _voorbeeld(gemeente, peil, file, spells)
    st.caption("SYNTHETISCH: twaalf maandbestanden gemaakt uit het synthetische voorbeeld (geen echte personen; de "
               "burgerservicenummers halen de elfproef niet). Elk bestand heeft een kolom 'synthetisch' en wordt bij uploaden "
               "herkend maar niet opgeslagen.")
    row = st.container(horizontal=True)
    row.download_button("BUS (synthetisch)", bus_zip, file_name=f"SYNTHETISCH_BUS_{gemeente}.zip", mime="application/zip",
                        key=f"bus-voorbeeld-{gemeente}", on_click="ignore")
    row.download_button("SRG (synthetisch)", srg_zip, file_name=f"SYNTHETISCH_SRG_{gemeente}.zip", mime="application/zip",
                        key=f"srg-voorbeeld-{gemeente}", on_click="ignore")
