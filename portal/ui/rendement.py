"""The section "Rendementmeters (SRG)" of the page "Eigen bestand" (Streamlit): per type of re-integratievoorziening the
share of deelnemers that leaves the bijstand for work within 6 or 12 months after the start, against comparable
clients (portal.eigen.rendement), with the difference, its interval and a verdict only where the interval carries one.

The counts join the page's one suppression pattern (`meters(...).pattern()`, combined with the BUS tables' by `both`);
the pattern's cache key includes the SRG upload (`Meters.key`), so a new SRG never meets an old pattern."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from portal import charts
from portal.eigen import bus_store, bus_synth, rendement, store
from portal.eigen.bus import VOORZIENINGEN
from portal.eigen.maanden import _idx, _month
from portal.eigen.schema import MIN_CELL
from portal.nl import MAAND_KORT, nl_date_short, nl_number
from portal.tekst import literal
from portal.ui.render import chart

VERGELIJKING = ("**Een vergelijking, geen bewezen effect.** Cliënten krijgen een voorziening niet bij loting: een "
                "klantmanager kiest wie er een krijgt, en wat die keuze stuurde en niet in het bestand staat (motivatie, "
                "gezondheid, een baan in zicht) kan een verschil net zo goed verklaren als de voorziening zelf. De "
                "deelnemers worden vergeleken met cliënten die in dezelfde maand even lang in de bijstand zaten, even oud "
                "waren, dezelfde leefvorm hadden en op dezelfde trede van de participatieladder stonden, maar die "
                "voorziening (nog) niet kregen.")
ANKERS = ("Zo heetten ze in het WWB-kompas (APE met Den Haag, Rotterdam en Winterswijk): rendementmeters voor "
          "re-integratie-instrumenten per type klant (essay 2 'Koers zetten en houden' in de Divosa-bundel 'Op het doel "
          "af'; die rekenden met een econometrisch kansmodel, hier is het een gematchte vergelijking). Verwant is de "
          "'Benchmark jongeren in de bijstand' van SEO Economisch Onderzoek (seo.nl), die deelnemers aan een interventie "
          "naast andere bijstandsgerechtigden zet en er zelf bij zegt dat dat nog geen echte effectmeting is. Een netto "
          "effect vraagt een aselecte controlegroep, zoals de Tweede Kamer in 2011 vroeg (motie Azmani/Koşer Kaya; "
          "Kamerstuk 28 719, nr. 76).")
OORDELEN = ["hoger dan vergelijkbare cliënten", "lager dan vergelijkbare cliënten", "geen aantoonbaar verschil"]


@dataclass(frozen=True)
class Meters:
    r: rendement.Rendement | None
    reden: str | None  # Dutch: why there are no rendementmeters (no SRG, nothing linked)
    bron: str  # Dutch source line: the BUS and SRG files the meters rest on
    key: str  # cache key of the SRG side (part of the page pattern's key)
    synthetisch: bool = False

    def pattern(self):
        return None if self.r is None else rendement.pattern(self.r)


def both(*patterns):
    """One `extra` for portal.eigen.suppress.page from several (None when there is none)."""
    got = [p for p in patterns if p is not None]
    if not got:
        return None

    def add(g, cell, rows) -> None:
        for p in got:
            p(g, cell, rows)

    return add


@st.cache_resource(max_entries=8, show_spinner=False)  # immutable results, shared
def _compute(file: str, key: str, peil: dt.date, van: dt.date, _spells: pl.DataFrame, _vz: pl.DataFrame
             ) -> rendement.Rendement:  # file and key identify _spells and _vz
    return rendement.rendementmeters(_spells, _vz, peil, van)


@st.cache_resource(max_entries=8, show_spinner=False)
def _srg(gemeente: str, key: str):  # key: the SRG upload (id and time), so a new upload is read anew
    return bus_store.voorzieningen(store.default(), gemeente)


def meters(gemeente: str, naam: str, file: str, peil: dt.date, spells: pl.DataFrame) -> Meters:
    """The rendementmeters of the file the page shows: on the synthetic example with its synthetic SRG side
    (bus_synth.demo_voorzieningen), on a real upload with the gemeente's newest SRG upload."""
    if spells["synthetisch"].any():
        van = bus_synth.demo_van(peil)
        key = f"srg:synthetisch:{van}"
        vz = bus_synth.demo_voorzieningen(spells, van, peil)
        bron = (f"SYNTHETISCH BUS- en SRG-bestand voor {naam} (geen echte cliënten; de voorzieningen zijn gegenereerd, "
                "met een ingebouwd verband bij enkele typen, om te laten zien wat de meters tonen)")
        return Meters(_compute(file, key, peil, van, spells, vz), None, bron, key, True)
    up = store.current(gemeente, synthetisch=False)
    live = [u for u in bus_store.srg_uploads(store.default(), gemeente) if not u["verwijderd"]]
    if up is None:
        return Meters(None, "Rendementmeters vragen een BUS-upload (uitkeringen) en een SRG-upload "
                      "(re-integratievoorzieningen) van deze gemeente.", "", "")
    if not live:
        return Meters(None, "Nog geen SRG-bestand (re-integratievoorzieningen) voor deze gemeente. Upload de SRG-bestanden "
                      "(de maandbestanden die ook naar CBS gaan, bij voorkeur dezelfde maanden als het BUS en minstens 13 "
                      "maanden voor de meter over 12 maanden) hierboven, net als een BUS-bestand: dan staan hier per type "
                      "voorziening de rendementmeters.", "", "srg:geen")
    key = f"srg:{live[0]['id']}:{live[0]['tijd']}"
    srg_up, vz = _srg(gemeente, key)
    van = dt.date.fromisoformat(f"{up['maand_van']}-01") if up.get("maand_van") else peil.replace(day=1)
    tot = min(peil, srg_up["peildatum"])
    bron = (f"eigen BUS- en SRG-bestand van {naam}: SRG-upload {srg_up['id']} '{srg_up['bestandsnaam']}', peildatum "
            f"{nl_date_short(srg_up['peildatum'])}")
    if _idx(tot) - _idx(van) < min(rendement.HORIZONTEN):
        return Meters(None, f"Het BUS (volledig vanaf {van:{MAAND_KORT}}) en de SRG (peildatum {nl_date_short(srg_up['peildatum'])}) "
                      f"overlappen minder dan {min(rendement.HORIZONTEN)} maanden: er is nog geen start die een half jaar "
                      "te volgen is. Upload BUS- en SRG-bestanden over dezelfde maanden.", bron, key)
    r = _compute(file, key, tot, van, spells, vz)
    if r.gekoppeld == 0:
        return Meters(None, "Geen enkele voorziening uit de SRG hoort bij een persoon in het bestand met uitkeringen. "
                      "Rendementmeters koppelen SRG en BUS op het burgerservicenummer (dezelfde sleutel-hash): upload het "
                      "BUS-bestand van dezelfde gemeente, of een eigen bestand met het BSN als cliëntnummer.", bron, key)
    return Meters(r, None, bron, key)


def maanden(r: rendement.Rendement) -> int:
    """How many months the meters rest on: from the first month of the BUS to the peildatum (the earlier of BUS and SRG)."""
    return _idx(r.peil) - _idx(r.van) + 1


def te_kort(r: rendement.Rendement, h: int) -> str | None:
    """Dutch: why there is no meter over h months when the file is too short for one (a start needs h whole months to
    the peildatum, so at least h + 1 months), else None."""
    n = maanden(r)
    if n >= h + 1:
        return None
    return (f"Het bestand beslaat {n} {'maand' if n == 1 else 'maanden'}; de meter over {h} maanden vraagt er minstens "
            f"{h + 1}. Een start telt pas als er {h} hele maanden van BUS en SRG na liggen. Upload BUS- en SRG-bestanden "
            "over meer maanden om deze meter te zien.")


def _methode(m: Meters, h: int) -> str:
    r = m.r
    last = _month(_idx(r.peil) - h)
    return (f"Rendementmeter: van de cliënten die een voorziening van dit type begonnen terwijl ze algemene bijstand "
            f"hadden (de eerste start van dat type per persoon, {r.van:{MAAND_KORT}} t/m {last:{MAAND_KORT}}), het aandeel "
            f"dat binnen {h} maanden na de maand van de start uitstroomde naar werk (BUS-reden 11 of 13), tegen vergelijkbare "
            "cliënten: in de bijstand aan het eind van dezelfde maand, die voorziening nog niet begonnen (een andere mag, "
            "en wie later begint telt tot dan mee), gelijk in duur van de uitkering (banden van 6 maanden tot 2 jaar, daarna "
            "2–3, 3–5, 5–7½, 7½–10 en ≥ 10 jaar), leeftijdsgroep, leefvorm en trede op de participatieladder. De trede staat alleen in de SRG "
            "en geldt vanaf de maand waarin hij én de voorziening die hem meldt begonnen zijn: van cliënten zonder "
            "voorziening is hij onbekend ('onbekend' telt als eigen groep). Een deelnemer met een bekende trede wordt "
            "dus vergeleken met cliënten op dezelfde trede die een andere voorziening hebben of hadden. Per cel het "
            "aandeel naar werk van de vergelijkbare cliënten, gewogen naar het aantal deelnemers in die cel; het verschil "
            "in procentpunten met een 95 %-interval (geclusterd per persoon, bij benadering). 'Hoger' of 'lager' alleen "
            "als het interval 0 niet bevat, anders 'geen aantoonbaar verschil'. Alleen starts met "
            f"{h} hele maanden tot de peildatum ({nl_date_short(r.peil)}; de vroegste van BUS en SRG) tellen "
            f"(gecensureerd). Uitstroom in de maand van de start zelf telt niet. Gestart = deelnemers in de bijstand; "
            "vergeleken = met minstens één vergelijkbare cliënt in hun cel; vergelijkbare cliënten = verschillende "
            "personen in die cellen. Voorzieningen van een partner (niet de eerste persoon op de uitkering) worden niet "
            f"gekoppeld: {_gekoppeld(r)}.")


def _gekoppeld(r: rendement.Rendement) -> str:
    """How many voorzieningen belong to a person in the BUS, without revealing a count under MIN_CELL."""
    los = r.voorzieningen - r.gekoppeld
    if los == 0 and r.gekoppeld < MIN_CELL:
        return "alle voorzieningen in de SRG horen bij een persoon in het BUS"
    if r.gekoppeld >= MIN_CELL and (los == 0 or los >= MIN_CELL):
        return (f"{nl_number(r.gekoppeld)} van de {nl_number(r.voorzieningen)} voorzieningen in de SRG horen bij een persoon "
                "in het BUS")
    return f"niet elke voorziening in de SRG hoort bij een persoon in het BUS (aantallen onder de {MIN_CELL} worden niet genoemd)"


def _frame(shown: pl.DataFrame, first: str) -> pl.DataFrame:
    return shown.select(
        pl.col("label").alias(first), pl.col("gestart").alias("Gestart in de bijstand"),
        pl.col("vergeleken").alias("Vergeleken deelnemers"), pl.col("aandeel").alias("Naar werk: deelnemers (%)"),
        pl.col("aandeel_vergelijking").alias("Naar werk: vergelijkbare cliënten (%)"),
        pl.col("verschil").alias("Verschil (procentpunt)"), pl.col("onder").alias("95 %-interval van"),
        pl.col("boven").alias("95 %-interval tot"), pl.col("oordeel").fill_null("–").alias("Uitkomst"),
        pl.col("vergelijking").alias("Vergelijkbare cliënten (personen)"))


def section(gemeente: str, naam: str, m: Meters, line: str, pagina, table) -> None:  # noqa: ANN001 - suppress.Pagina
    if m.r is None:
        st.info(m.reden or "")
        return
    st.markdown(VERGELIJKING)
    h = st.radio("Uitstroom naar werk binnen", rendement.HORIZONTEN, format_func=lambda x: f"{x} maanden", horizontal=True,
                 key=f"rendement-h-{gemeente}")
    if kort := te_kort(m.r, h):  # no start can be followed for h months: say so, and print no empty period
        st.info(kort)
        return
    frame, note = rendement.toon(m.r, pagina, h)
    frame = frame.with_columns(label=pl.format("{} {}", "type", "voorziening"))
    method = _methode(m, h)
    lines = [f"{m.bron}. {line}", method, ANKERS, *note]
    table(_frame(frame, "Voorziening (SRG-type)"), lines, key=f"rendement-{gemeente}-{h}")
    points = frame.filter(pl.col("verschil").is_not_null())
    if points.height:
        chart(lambda: charts.rendement_chart(points.select("label", "verschil", "onder", "boven", "oordeel"), OORDELEN),
              f"Rendementmeters: uitstroom naar werk binnen {h} maanden", lines, key=f"rendement-grafiek-{gemeente}-{h}",
              subtitle="verschil deelnemers min vergelijkbare cliënten, procentpunt, met 95 %-interval",
              inputs=(m.key, h, points.height, tuple(points["verschil"].round(6).to_list())))
    else:
        st.caption(f"Geen rendementmeter te tonen: bij geen enkel type zijn er genoeg deelnemers en vergelijkbare cliënten "
                   f"(elk aantal onder de {MIN_CELL} personen wordt niet getoond, en ook wat het zou verraden).")
        # the chart shows the source and definition lines under it; without a chart they are said here, once
        st.caption(literal(" ".join(f"Bron en definitie: {x}" if i == 0 else x for i, x in enumerate(lines))))
    c = st.columns(2)
    types = [t for t in VOORZIENINGEN]
    t = c[0].selectbox("Per cliëntgroep, voor de voorziening", types, format_func=lambda x: f"{x} {VOORZIENINGEN[x]}",
                       key=f"rendement-type-{gemeente}")
    ind = c[1].radio("Groep", [i for i in rendement.INDELINGEN if i != "totaal"], format_func=rendement.INDELINGEN.get,
                     horizontal=True, key=f"rendement-groep-{gemeente}")
    sub, sub_note = rendement.toon(m.r, pagina, h, ind, t)
    table(_frame(sub.with_columns(label=pl.col("groep")), rendement.INDELINGEN[ind].capitalize()),
          [f"{m.bron}. {line}", f"{VOORZIENINGEN[t]} (SRG-type {t}) per {rendement.INDELINGEN[ind]}. " + method,
           ANKERS, *sub_note], key=f"rendement-{gemeente}-{t}-{ind}-{h}")


__all__ = ["meters", "section", "both", "Meters", "te_kort", "maanden"]
