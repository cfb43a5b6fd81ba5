"""CBS 85383NED Maatstaven Fvw: bijstandsuitkeringen 2024, inwoners and households 2023–2024 (indeling 2024)."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_85383NED_maatstaven_fvw_2023_2025"
FILE = "85383NED_gemeenten_bijstand_inwoners.csv"
SOURCES = [Source("85383NED", "CBS", "Maatstaven Financiële-verhoudingswet (Fvw)", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/85383NED", FOLDER)]
MEASURES = {
    "InwonersTotaal_1": "inwoners_totaal",
    "Inwoners15TotEnMet64Jaar_5": "inwoners_15_65",
    "Eenpersoonshuishoudens_19": "eenpersoonshuishoudens",
    "HuishoudensMetRelatiefLaagInkomen_21": "huishoudens_laag_inkomen",
    "TotaalBijstandsuitkeringen_22": "bijstand_uitkeringen_totaal",
    "AlgemeneBijstand_23": "bijstand_uitkeringen_algemeen",
    # issue 9 F: the other bijstand types, eenouderhuishoudens, loonkostensubsidie and Wajong of the same table
    "BBZ_24": "bijstand_uitkeringen_bbz",
    "IOAW_25": "bijstand_uitkeringen_ioaw",
    "IOAZ_26": "bijstand_uitkeringen_ioaz",
    "Adreslozen_27": "bijstand_uitkeringen_adreslozen",
    "OverigAdreslozen_28": "bijstand_uitkeringen_overig_adreslozen",
    "EldersVerzorgden_29": "bijstand_uitkeringen_elders_verzorgden",
    "Eenouderhuishoudens_20": "eenouderhuishoudens",
    "PersonenMetLoonkostensubsidie_30": "loonkostensubsidie_personen_fvw",
    "WajongUitkeringen_32": "wajong_uitkeringen_fvw",
}
# Published unrounded (checked on the data: values that are not multiples of ten); the bijstand counts are rounded to tens.
INDELING = 2024  # every maatstafjaar of 85383NED is on the gemeenten of 2024 (see PROVENANCE: 342 gemeenten)
UNROUNDED = {"InwonersTotaal_1", "Inwoners15TotEnMet64Jaar_5", "Eenouderhuishoudens_20", "WajongUitkeringen_32"}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["statuscijfer", "uitkeringsjaar", "gemeentecode", *MEASURES],
                                counts=["uitkeringsjaar", *MEASURES], key=["statuscijfer", "uitkeringsjaar", "gemeentecode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = ctx.check_codes(raw["table"], f"{FOLDER}/{FILE}", "gemeentecode", INDELING).with_columns(pl.col("uitkeringsjaar").cast(pl.Int32))
    return status_observations(df, INDELING, "85383NED")


def status_observations(df: pl.DataFrame, indeling: int | pl.Expr, bron: str) -> pl.DataFrame:
    """Columns statuscijfer ('Definitief'/'Voorlopig'), uitkeringsjaar, gemeentecode and MEASURES -> observations.
    Also used for a refreshed copy of this table (etl vernieuw, source 'fvw' in etl/sources/live_tables.py)."""
    parts = []
    # Definitief wins; a Voorlopig figure is kept only where no definitive figure exists for that measure and year.
    for column, indicator in MEASURES.items():
        sub = df.filter(pl.col(column).is_not_null()).sort("statuscijfer")  # 'Definitief' < 'Voorlopig'
        sub = sub.unique(subset=["gemeentecode", "uitkeringsjaar"], keep="first", maintain_order=True)
        parts.append(observations(sub, code="gemeentecode", indeling=indeling, periode=pl.col("uitkeringsjaar"),
                                  peildatum=pl.format("maatstafjaar {}", pl.col("uitkeringsjaar")), measures={column: indicator},
                                  bron=bron, afgerond=column not in UNROUNDED,
                                  voorlopig=pl.col("statuscijfer") == "Voorlopig"))
    return pl.concat(parts)


def live_shape(df: pl.DataFrame, h: dict, ctx: Context, file: str) -> pl.DataFrame:
    """A refreshed copy of this table (or a successor with the same measures) from `etl vernieuw`: CBS's keys -> the columns
    above; the status keys are read through the titles CBS gave for them (herkomst.json); gemeenten on the indeling of
    the maatstafjaar."""
    keys = {m["prefix"]: m["sleutel"] for m in h["maatstaven"]}
    ours = {c.rsplit("_", 1)[0]: c for c in MEASURES}
    status = {k: next((s for s in ("Definitief", "Voorlopig") if str(t).strip().lower().startswith(s.lower())), None)
              for k, t in h.get("dimensies", {}).get("StatusCijfer", {}).items()}
    df = df.with_columns(pl.col("StatusCijfer").replace_strict(status, default=None).alias("statuscijfer"),
                         pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).alias("uitkeringsjaar"),
                         # 85383NED keeps its one indeling; a successor table: the gemeenten of its newest maatstafjaar
                         (pl.lit(INDELING) if h["tabel"] == "85383NED" else pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).max()
                          ).cast(pl.Int32).alias("indeling"),
                         pl.col("Perioden").alias("periode"),
                         pl.col("RegioS").str.replace(r"^NL\d\d$", "NL01").alias("code"),
                         *[pl.col(keys[p]).alias(ours[p]) for p in keys])
    for rij, k in df.filter(pl.col("statuscijfer").is_null()).select("_rij", "StatusCijfer").head(5).iter_rows():
        ctx.col.add(file, rij, "StatusCijfer", f"onbekende status '{k}' (verwacht Definitief of Voorlopig)")
    df = ctx.check_codes(df.filter(pl.col("statuscijfer").is_not_null()), file, "code", "indeling", ctx.newest).rename(
        {"code": "gemeentecode"})
    return status_observations(df, pl.col("indeling"), h["tabel"])
