"""The section "Kenmerken van de uitkeringen (BUS)" of the page "Eigen bestand" (issue 22, part 2): per indicator of
portal.eigen.kenmerken the newest month's share with its denominator in words, the shares per month as a chart (with
the participant benchmark's P25–P75 and median where there are enough participants) and a table of the counts, all
through the page's one suppression pattern. The benchmark is the viewer's frozen release (`publiceer` of
portal.eigen.kenmerken, stored by portal.eigen.bus_store), and the page says from when it is."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from portal import charts
from portal.eigen import bus_store, kenmerken, pseudo, store, suppress
from portal.eigen.schema import MIN_CELL, MIN_PARTICIPANTS
from portal.nl import MAAND_KORT, nl_date_short, nl_month, nl_number
from portal.tekst import literal
from portal.ui.render import chart, data_table
from portal.userdata.db import now

GROEP = "alle andere deelnemers"


@st.cache_data(max_entries=64, show_spinner=False)
def _counts(gemeente: str, upload_id: int, db: str) -> pl.DataFrame:  # db: part of the cache key
    return bus_store.indicatoren(store.default(), upload_id)


def benchmark(gemeente: str, van: dt.date, tot: dt.date) -> tuple[pl.DataFrame, str | None]:
    """The frozen release of the participant benchmark this gemeente is shown (portal.eigen.kenmerken.publiceer over
    the other participants' current real uploads, their stored counts), as (its table over van to tot, empty without
    one; the line that says which release it is). A new release is stored before it is shown."""
    db = store.default()
    path = str(db.path)
    uploads = {c: u for c in db.participants() if c != gemeente and (u := db.current(c, synthetisch=False)) is not None}
    for _ in range(3):  # another session of this gemeente may store a release in between: check again against it
        rows = bus_store.kenmerken_releases(db, gemeente)
        earlier = [kenmerken.from_row(r) for r in rows]
        stand, wacht, nieuw = kenmerken.publiceer(uploads, gemeente, van, tot, earlier,
                                                  lambda g, u: _counts(g, u, path), now(), pseudo.key())
        na = rows[-1]["id"] if rows else None
        if nieuw is None or bus_store.add_kenmerken_release(db, gemeente, kenmerken.to_row(nieuw), na):
            break
    else:
        stand, wacht = None, False
    cijfers = pl.DataFrame(schema=kenmerken.BENCHMARK_SCHEMA) if stand is None else stand.cijfers
    return cijfers.filter(pl.col("maand").is_between(van, tot)), kenmerken.toelichting(stand, wacht)


def _cap(text: str) -> str:
    """The first letter a capital, the rest as written (Participatiewet keeps its capital)."""
    return text[:1].upper() + text[1:]


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{nl_number(v, 1)} %"


def section(naam: str, gemeente: str, t: pl.DataFrame | None, peil: dt.date, line: str, pagina: suppress.Pagina, table,
            synthetisch: bool) -> None:
    """t: portal.ui.bus.Extra.kenmerken (None: the file is no BUS file). table: the page's table function."""
    if t is None:
        st.info("De kenmerken van de uitkeringen (inkomsten uit werk, ontheffing van de arbeidsverplichting, verminderingen, "
                "huisvesting, kostendelers) komen uit een BUS-bestand (kenmerken 11, 21, 24–33). Het huidige bestand is in de "
                "eigen opbouw of is opgeslagen voordat het portaal ze las; upload het BUS-bestand (opnieuw) om ze te zien.")
        return
    bron = f"eigen BUS-bestand van {naam}" + (" (SYNTHETISCH: gemaakt uit het synthetische voorbeeld)" if synthetisch else "")
    st.caption(f"Per maand, van de {kenmerken.NOEMER}. Cellen met minder dan {MIN_CELL} personen zijn onderdrukt, en cellen "
               "die die zouden verraden (ook via het bestand en de instroom van de bestandsmonitor). Een aandeel staat er "
               "alleen als het aantal en de noemer allebei zichtbaar zijn.")
    st.info(kenmerken.IN_BALANS)
    van = kenmerken.periode(peil, suppress.PAGE_MONTHS)
    bench, stand = (None, None) if synthetisch else benchmark(gemeente, van, peil)
    if synthetisch:
        st.caption("Geen vergelijking met andere deelnemers op een synthetisch bestand.")
    elif stand:
        st.caption(f"Vergelijking met {GROEP}: {stand[:1].lower()}{stand[1:]}")
    for key, ind in kenmerken.INDICATOREN.items():
        st.subheader(ind.titel)
        _indicator(key, ind, t, pagina, peil, line, bron, bench, table, gemeente, stand)


def _indicator(key: str, ind: kenmerken.Indicator, t: pl.DataFrame, pagina: suppress.Pagina, peil: dt.date, line: str,
               bron: str, bench: pl.DataFrame | None, table, gemeente: str, stand: str | None) -> None:
    mine = t.filter(pl.col("indicator") == key)
    if mine["aantal"].is_null().all():
        st.markdown(f"**Niet in het bestand:** {ind.kenmerken} staat niet in het BUS-bestand (of is in geen enkele maand "
                    "ingevuld), dus dit cijfer is er niet. Het is geen 0.")
        return
    sub = t.filter(pl.col("indicator").is_in([key, kenmerken.PERSONEN]))
    res = pagina.tabel(sub, kenmerken.TABEL, "rij", ["aantal"])
    shown = kenmerken.aandelen(res.frame).filter(pl.col("indicator") == key)
    cats = [c for c in ind.categorieen if c in set(shown["categorie"])]
    missing = sorted({m for c in cats for m in kenmerken.niet_in_bestand(sub, key, c)})
    newest = shown["maand"].max()
    peildatum = nl_month(newest)
    definition = f"{ind.definitie} Noemer: {kenmerken.NOEMER}."
    # the headline: the newest month's share with its denominator in words
    cols = st.columns(len(ind.kop))
    for col, c in zip(cols, ind.kop):
        r = shown.filter((pl.col("maand") == newest) & (pl.col("categorie") == c))
        label = f"{_cap(ind.categorieen[c])} ({peildatum})"
        if r.is_empty() or newest in kenmerken.niet_in_bestand(sub, key, c):
            col.metric(label, "niet in het bestand")
            continue
        row = r.row(0, named=True)
        col.metric(label, _pct(row["aandeel"]) if row["aandeel"] is not None else "onderdrukt")
        if row["aandeel"] is not None:
            col.caption(f"{nl_number(row['aantal'])} van de {nl_number(row['noemer'])} personen met algemene bijstand in "
                        f"{peildatum}")
        else:
            col.caption(f"onderdrukt: minder dan {MIN_CELL} personen, of af te leiden uit andere cellen")
    if key == "werk":
        st.caption(literal(f"Ter vergelijking: {kenmerken.DIVOSA_WERK}"))
    st.caption(literal(kenmerken.IN_BALANS_PER[key]))
    if missing:
        st.caption(literal("Niet in het bestand in " + ", ".join(f"{m:{MAAND_KORT}}" for m in missing) + f" ({ind.kenmerken}): "
                           "die maanden staan leeg, niet op 0."))
    if "vrijlating" in ind.categorieen and shown.filter(pl.col("categorie") == "vrijlating")["aantal"].is_null().all() \
            and sub.filter(pl.col("categorie") == "vrijlating")["aantal"].is_null().all():
        st.caption("Vrijlating inkomsten (kenmerk 33): niet in het bestand.")
    lines = [f"{bron}, peildatum {nl_date_short(peil)}. {line}", definition, *res.note()]
    ref = None if bench is None else bench.filter(pl.col("indicator") == key)
    _chart(key, ind, shown, ref, lines, gemeente, peil, stand)
    wide = _wide(shown, ind, cats)
    table(wide, lines, key=f"kenmerken-{key}-{gemeente}")
    if bench is not None:
        _benchmark_table(key, ind, ref, newest, gemeente, stand)


def _chart(key: str, ind: kenmerken.Indicator, shown: pl.DataFrame, ref: pl.DataFrame | None, lines: list[str],
           gemeente: str, peil: dt.date, stand: str | None) -> None:
    kop = shown.filter(pl.col("categorie").is_in(ind.kop)).with_columns(
        pl.col("categorie").replace_strict(ind.categorieen).alias("reeks"))
    data = kop.select("maand", pl.col("aandeel").alias("waarde"), "reeks", pl.col("maand").dt.strftime(MAAND_KORT).alias("periode"),
                      pl.lit("eigen BUS-bestand").alias("bron"), pl.col("maand").dt.strftime(MAAND_KORT).alias("peildatum"))
    order = [ind.categorieen[c] for c in ind.kop]
    band = None
    if ref is not None and len(ind.kop) == 1:
        r = ref.filter(pl.col("categorie") == ind.kop[0])
        if r.height:
            band = r.select("maand", "p25", "p75", pl.lit(f"{GROEP}: P25–P75").alias("groep"))
            med = f"{GROEP}: mediaan"
            data = pl.concat([data, r.select("maand", pl.col("mediaan").alias("waarde"), pl.lit(med).alias("reeks"),
                                             pl.col("maand").dt.strftime(MAAND_KORT).alias("periode"),
                                             pl.lit("deelnemende gemeenten (eigen BUS-bestanden)").alias("bron"),
                                             pl.col("maand").dt.strftime(MAAND_KORT).alias("peildatum"))])
            order.append(med)
    if data["waarde"].is_null().all():
        st.caption(f"Geen grafiek: elk aandeel is onderdrukt (minder dan {MIN_CELL} personen) of niet in het bestand.")
        return
    lo, hi = data["maand"].min(), data["maand"].max()
    rules = pl.DataFrame([{"datum": d, "reden": r} for d, r in kenmerken.REGELS if lo <= d <= hi],
                         schema={"datum": pl.Date, "reden": pl.String})
    extra = ([f"Band en mediaan: {GROEP} (eigen BUS-bestanden van minstens {MIN_PARTICIPANTS} gemeenten per maand, aandelen "
              f"afgerond op hele procenten). {stand or ''}".strip()] if band is not None else [])
    if rules.height:
        extra.append("Verticale lijn: " + "; ".join(rules["reden"].to_list()) + ".")
    chart(lambda: charts.month_share_chart(data, order=order, y_title="% van de personen", band=band, rules=rules),
          ind.titel, [*lines, *extra], key=f"kenmerken-grafiek-{key}-{gemeente}",
          subtitle="% van de personen met algemene bijstand in de maand", inputs=(key, peil, data.write_csv(),
                                                                                 None if band is None else band.write_csv()))


def _wide(shown: pl.DataFrame, ind: kenmerken.Indicator, cats: list[str]) -> pl.DataFrame:
    """One row per month: the personen, then per category the count and its share."""
    base = shown.select("maand", "noemer").unique("maand").sort("maand")
    out = base.select(pl.col("maand").dt.strftime(MAAND_KORT).alias("Maand"),
                      pl.col("noemer").alias("Personen met algemene bijstand"))
    for c in cats:
        part = base.join(shown.filter(pl.col("categorie") == c).select("maand", "aantal", "aandeel"), on="maand", how="left")
        label = _cap(ind.categorieen[c])
        out = out.with_columns(part["aantal"].alias(label), part["aandeel"].alias(f"{label} (%)"))
    return out


def _benchmark_table(key: str, ind: kenmerken.Indicator, ref: pl.DataFrame, newest: dt.date, gemeente: str,
                     stand: str | None) -> None:
    r = ref.filter(pl.col("maand") == newest)
    if r.is_empty():
        st.caption(f"Vergelijking met {GROEP}: nog niet mogelijk voor {nl_month(newest)}. Het portaal toont de spreiding pas "
                   f"als minstens {MIN_PARTICIPANTS} andere gemeenten een BUS-bestand met dit kenmerk voor die maand hebben "
                   f"geüpload (elk met minstens {MIN_CELL} personen), zodat geen afzonderlijke gemeente te herkennen is.")
        return
    rows = [{"Categorie": _cap(ind.categorieen[c]), "Gemeenten": x["gemeenten"], "P25 (%)": x["p25"],
             "Mediaan (%)": x["mediaan"], "P75 (%)": x["p75"]}
            for c in ind.categorieen for x in r.filter(pl.col("categorie") == c).iter_rows(named=True)]
    data_table(pl.DataFrame(rows), [f"Vergelijking met {GROEP} in {nl_month(newest)}: aandelen van de personen met algemene "
                                    "bijstand in hun eigen BUS-bestand (zelfde definitie), afgerond op hele procenten; alleen "
                                    f"met minstens {MIN_PARTICIPANTS} gemeenten met minstens {MIN_CELL} personen.",
                                    *([stand] if stand else [])],
               key=f"kenmerken-deelnemers-{key}-{gemeente}", decimals={"P25 (%)": 0, "Mediaan (%)": 0, "P75 (%)": 0})
