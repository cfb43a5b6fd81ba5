"""CBS maatstaven gemeentefonds sociaal domein (regio 2016–2022): personen met bijstand tot AOW, 31 December."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_maatstaven_sociaal_domein_2016_2022"
LONG = "personen_met_bijstand_tot_aow_gemeenten_2014_2021_long.csv"
TABLES = {"83440NED": 2016, "83718NED": 2017, "83997NED": 2018, "84590NED": 2019, "84860NED": 2020, "85052NED": 2021, "85309NED": 2022}
SOURCES = [Source(t, "CBS", f"Maatstaven gemeentefonds; sociaal domein / diverse indicatoren; regio {y}", "CC BY 4.0",
                  f"https://opendata.cbs.nl/ODataApi/odata/{t}", FOLDER) for t, y in TABLES.items()]
POP = "InwonersVan15Tot65Jaar_1"
INFERRED_PEILDATUM = ["83440NED", "83718NED", "83997NED"]


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    out = {"long": read_table(ctx.file(FOLDER, LONG), ctx.col,
                              required=["cbs_tabel", "indeling_jaar", "gemeentecode", "peildatum", "personen_met_bijstand_tot_aow"],
                              counts=["indeling_jaar", "personen_met_bijstand_tot_aow"], key=["cbs_tabel", "gemeentecode"])}
    for t, y in TABLES.items():
        out[t] = read_table(ctx.file(FOLDER, f"{t}_gemeenten_regio{y}.csv"), ctx.col, required=["gemeentecode", POP],
                            counts=[POP], key=["gemeentecode"])
    return out


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["long"].with_columns(pl.col("indeling_jaar").cast(pl.Int32), pl.col("peildatum").str.slice(0, 4).alias("periode"))
    df = ctx.check_codes(df, f"{FOLDER}/{LONG}", "gemeentecode", "indeling_jaar")
    pops = []
    for t, y in TABLES.items():
        if raw[t].is_empty():
            continue
        # a gemeente merged away before CBS published the table (Weesp in 85309NED) is "not in this table", not suppressed
        full, gone = ctx.drop_merged_away(raw[t], "gemeentecode", y, keys=("cbs_tabel", "indeling_jaar", "regionaam_cbs"))
        df = df.filter(~((pl.col("cbs_tabel") == t) & pl.col("gemeentecode").is_in(gone)))
        pops.append(full.select(pl.lit(t).alias("cbs_tabel"), "gemeentecode", POP))
    df = df.join(pl.concat(pops), on=["cbs_tabel", "gemeentecode"], how="left")
    # PROVENANCE: the bijstand peildatum is in the column name from 84590NED on and inferred from national totals before;
    # the peildatum of the population measure is not in the dump.
    inferred = pl.col("cbs_tabel").is_in(INFERRED_PEILDATUM)
    common = dict(code="gemeentecode", indeling=pl.col("indeling_jaar"), periode=pl.col("periode"), bron=pl.col("cbs_tabel"),
                  afgerond=True)
    return pl.concat([
        observations(df, peildatum=pl.when(inferred).then(pl.col("peildatum") + " (afgeleid)").otherwise(pl.col("peildatum")),
                     measures={"personen_met_bijstand_tot_aow": "bijstand_personen_tot_aow_incl_gerelateerd"}, **common),
        observations(df, peildatum=pl.lit("inwoners: peildatum niet in de bron"),
                     measures={POP: "inwoners_15_65"}, **common),
    ])
