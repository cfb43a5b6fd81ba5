"""The section "Prognose van het bestand" of the page "Eigen bestand" (issue 22, part 3): the own-file stock–flow
prognosis 12 months ahead with its interval, the split of the expected change by duurklasse (suppressed like the page's
other tables, rounded to tens) and the backtest beside the naive and seasonal naive forecasts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from portal import charts
from portal import prognose as pg
from portal.nl import nl_number
from portal.eigen import prognose as ep
from portal.eigen import suppress
from portal.eigen.schema import MIN_CELL
from portal.tekst import literal
from portal.ui.render import chart, data_table

REEKSEN = ["gerealiseerd", "prognose", "ondergrens 95 %", "bovengrens 95 %"]
TOONMAANDEN = 24  # realised months in the chart (the bestandsmonitor's window)


@st.cache_resource(max_entries=8, show_spinner=False)  # immutable; file stands for _spells in the cache key
def _prognose(file: str, peil: dt.date, _spells: pl.DataFrame) -> ep.Eigenprognose | None:
    return ep.prognose(_spells, peil)


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + nl_number(x)


def backtest_frame(fouten: list[pg.Fout]) -> pl.DataFrame:
    """The backtest as the page and the download show it: per horizon the MAPE and MAE of the method and the baselines."""
    rows = []
    for f in fouten:
        row = {"Backtest": f"{f.horizon} maanden (gestart eind {pg.nl_month(f.origin)})"}
        for k, label in (("methode", "Methode"), ("naief", "Naïef"), ("seizoen", "Seizoensnaïef")):
            row[f"{label} (%)"] = f.mape.get(k)
        for k, label in (("methode", "Methode"), ("naief", "Naïef"), ("seizoen", "Seizoensnaïef")):
            row[f"{label} (uitkeringen)"] = None if f.mae.get(k) is None else round(f.mae[k])
        row["Methode beter"] = "ja" if f.beter else "nee"
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def eigen_section(gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str, pagina: suppress.Pagina) -> None:
    pr = _prognose(file, peil, spells)
    if pr is None:
        st.info("Geen prognose: het bestand beschrijft minder dan twee volledige maanden of heeft geen lopende uitkeringen.")
        return
    last = pr.gerealiseerd["maand"][-1]
    if pagina.hidden("maand", last.isoformat(), "bestand") is not None or pr.nu < MIN_CELL:
        st.info(f"Geen prognose: het bestand op de peildatum is kleiner dan {MIN_CELL} uitkeringen en wordt niet getoond.")
        return
    doel = pr.maanden[-1]
    r10 = ep.tientallen
    st.markdown(f"**Verwacht bestand eind {pg.nl_month(doel)}: {nl_number(r10(pr.waarde[-1]))} uitkeringen** (95 %-interval "
                f"{nl_number(r10(pr.onder[-1]))}–{nl_number(r10(pr.boven[-1]))}), tegen {nl_number(pr.nu)} eind "
                f"{pg.nl_month(last)}: verwachte verandering {_signed(r10(pr.verandering))}"
                + (f", uit een instroom van {nl_number(r10(pr.instroom))} en een uitstroom van "
                   f"{nl_number(r10(float(pr.uitstroom.sum())))} in {pg.VOORUIT} maanden."
                   if min(pr.instroom, float(pr.uitstroom.sum())) >= MIN_CELL else
                   f" (verwachte instroom of uitstroom kleiner dan {MIN_CELL}: niet getoond)."))
    methode = pr.methode
    lines = [line, methode, "Prognose en interval afgerond op tientallen."]
    real = pr.gerealiseerd.tail(TOONMAANDEN).with_columns(
        waarde=pl.when(pl.col("maand").map_elements(lambda m: pagina.hidden("maand", m.isoformat(), "bestand") is None,
                                                    return_dtype=pl.Boolean)).then(pl.col("bestand").cast(pl.Float64)),
        reeks=pl.lit(REEKSEN[0])).drop("bestand")
    proj = pl.concat([pl.DataFrame({"maand": pr.maanden, "waarde": [float(r10(v)) for v in vals], "reeks": name},
                                   schema={"maand": pl.Date, "waarde": pl.Float64, "reeks": pl.String})
                      for name, vals in zip(REEKSEN[1:], (pr.waarde, pr.onder, pr.boven))])
    data = pl.concat([real, proj]).with_columns(pl.col("maand").dt.strftime("%Y-%m").alias("periode"),
                                                pl.lit("eigen bestand").alias("bron"),
                                                pl.col("maand").dt.strftime("%m-%Y").alias("peildatum"))
    chart(lambda: charts.lines_chart(data, x="maand", series="reeks", y_title="uitkeringen", temporal=True, x_title="Maand",
                                     time_format="%b %Y", order=REEKSEN, zero=False),
          "Bestand: gerealiseerd en prognose", lines, key=f"prognose-eigen-{gemeente}",
          subtitle="uitkeringen op de laatste dag van de maand", inputs=(file, str(peil)))
    split, res = ep.gesplitst(pr, pagina)
    hidden = [] if res.cellen.is_empty() else [
        f"Onderdrukt: {res.cellen.filter(pl.col('reden') == 'primair').height} cel(len) met minder dan {MIN_CELL} personen of "
        "een duurklasse die de pagina verbergt"
        + (f" en {res.cellen.filter(pl.col('reden') == 'secundair').height} cel(len) die die zouden verraden."
           if res.cellen.filter(pl.col("reden") == "secundair").height else ".")]
    split_lines = [line, "Verwachte uitstroom in de komende 12 maanden naar de duur van de uitkering aan het begin van de maand "
                   "(wie in de maand van instroom weer uitstroomt, telt bij < 1 jaar), het verwachte bestand per duurklasse "
                   f"over 12 maanden en de geschatte uitstroomkans per maand. {methode} Aantallen afgerond op tientallen.", *hidden]
    data_table(split.select(pl.col("duurklasse").alias("Duur van de uitkering"),
                            pl.col("uitstroom").alias("Verwachte uitstroom in 12 maanden"),
                            pl.col("kans").alias("Uitstroomkans per maand (%)"),
                            pl.col("eind").alias(f"Verwacht bestand eind {pg.nl_month(doel)}")),
               split_lines, key=f"prognose-duur-{gemeente}")
    if hidden:
        st.caption(" ".join(hidden))
    oordeel = pg.oordeel(pr.fouten)
    if pr.fouten:
        data_table(backtest_frame(pr.fouten), [line, "Backtest: de methode gestart 6 en 12 maanden vóór de peildatum, met alleen de "
                                               "maanden tot dan, vergeleken met het gerealiseerde bestand. Gemiddelde absolute "
                                               "fout in % (MAPE) en in uitkeringen (MAE) over de maanden na de start; naïef: het "
                                               "bestand van de startmaand; seizoensnaïef: dezelfde maand een jaar eerder.", oordeel],
                   key=f"prognose-backtest-{gemeente}")
    if pr.fouten and all(f.beter for f in pr.fouten):
        st.markdown(literal(oordeel))
    else:
        st.warning(literal(oordeel))
    st.caption(literal(methode))
