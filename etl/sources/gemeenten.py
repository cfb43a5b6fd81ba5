"""Gemeente lists per year, region classifications and class characteristics (reference tables, not observations)."""

from __future__ import annotations

import re
from collections import Counter

import polars as pl

from etl.sources.common import Context, Source, normalise_name
from etl.validate import read_table

NLX = "nlextract_gemeentelijke_indeling"
GEB = "cbs_gebieden_in_nederland"
GEO = "geo_gemeentegrenzen"
MICH = "michielsd_iv3_gemeentefonds"

SOURCES = [
    Source("gemeentelijke-indeling", "CBS (via NLExtract)", "Gemeentelijke indeling op 1 januari 1990–2025",
           "CC BY 4.0", "https://www.cbs.nl/nl-nl/onze-diensten/methoden/classificaties/overig/gemeentelijke-indelingen-per-jaar", NLX),
    Source("83287NED", "CBS", "Gebieden in Nederland 2016", "CC BY 4.0", "https://opendata.cbs.nl/ODataApi/odata/83287NED", GEB),
    Source("gemeente_regio_2025", "CBS, PDOK/Kadaster (afgeleid)", "Gemeente naar provincie, COROP en arbeidsmarktregio 2025",
           "CC BY 4.0", "https://www.pdok.nl/", GEO),
    Source("gemeenteklassen", "CBS (via michielsd/begrotingsanalysetool)", "Gemeentegrootte, stedelijkheid, sociale structuur, centrumfunctie",
           "CC BY 4.0 (CBS); code Apache-2.0", "https://github.com/michielsd/begrotingsanalysetool", MICH),
]


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    c = ctx.col
    return {
        "jaren": read_table(ctx.file(NLX, "gemeenten_per_jaar_1990_2025.csv"), c,
                            required=["jaar", "gemeentecode", "gemeentenaam", "provinciecode", "provincienaam",
                                      "begindatum", "einddatum", "actief_op_1_januari"],
                            counts=["jaar"], key=["jaar", "gemeentecode", "provinciecode"]),
        "regio2016": read_table(ctx.file(GEB, "83287NED_gebieden_in_nederland_2016_regiocodes.csv"), c,
                                required=["gemeentecode", "Arbeidsmarktregio's", "COROP-gebieden", "Provincies"],
                                key=["gemeentecode"]),
        "regio2025": read_table(ctx.file(GEO, "gemeente_regio_2025.csv"), c,
                                required=["statcode", "provinciecode", "provincienaam", "coropcode", "coropnaam",
                                          "arbeidsmarktregiocode", "arbeidsmarktregionaam"], key=["statcode"]),
        **{f"klassen{y}": read_table(ctx.file(MICH, f"gemeenteklassen_{y}.csv"), c,
                                     required=["Gemeenten", "Gemeentegrootte", "Stedelijkheid", "Inwonertal"],
                                     counts=["Inwonertal"], key=["Gemeenten"], sep="\t")
           for y in (2023, 2024, 2025)},
        "structuur": read_table(ctx.file(MICH, "gemeenteklassen_sociale_structuur_centrumfunctie.csv"), c,
                                required=["Gemeenten", "Centrumfunctie", "Sociale structuur"], key=["Gemeenten"], sep="\t"),
        "naamvarianten": read_table(ctx.file(MICH, "gemeenteklassen_gemeentenamen_iv3_vs_gf.csv"), c,
                                    required=["Iv3naam", "GFnaam"], sep="\t"),
    }


def gemeente_jaar(raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Active gemeenten on 1 January per year."""
    return (
        raw["jaren"].filter(pl.col("actief_op_1_januari") == "1")
        .select(pl.col("jaar").cast(pl.Int32), "gemeentecode", "gemeentenaam", "provinciecode", "provincienaam",
                "begindatum", pl.col("einddatum").replace("", None))
        .sort("jaar", "gemeentecode")
    )


def fill_context(ctx: Context, jaar: pl.DataFrame, raw: dict[str, pl.DataFrame]) -> None:
    for (y,), part in jaar.group_by(["jaar"]):
        ctx.active[int(y)] = set(part["gemeentecode"])
        pairs = part.select("gemeentecode", "gemeentenaam").rows()
        stripped = Counter(normalise_name(n, strip_suffix=True) for _, n in pairs)
        names = {normalise_name(n, strip_suffix=True): c for c, n in pairs if stripped[normalise_name(n, strip_suffix=True)] == 1}
        names.update({normalise_name(n): c for c, n in pairs})  # the full name always wins; 'Bergen (L.)' vs 'Bergen (NH.)'
        ctx.names[int(y)] = names
    variants = raw["naamvarianten"]
    for y, names in ctx.names.items():
        for iv3, gf in variants.select("Iv3naam", "GFnaam").iter_rows():
            if normalise_name(gf) in names:
                names.setdefault(normalise_name(iv3), names[normalise_name(gf)])


def resolve_names(ctx: Context, frame: pl.DataFrame, name_col: str, year: int, file: str) -> pl.DataFrame:
    """Add `gemeente_code` from a name column; unknown names are reported, 'Nederland' becomes NL01."""
    names = ctx.names.get(year, {})
    codes = []
    for rij, n in frame.select("_rij", name_col).iter_rows():
        key = normalise_name(n)
        code = "NL01" if key == "nederland" else names.get(key)
        if code is None:
            ctx.col.add(file, rij, name_col, f"gemeentenaam '{n}' komt niet voor in de indeling van {year}")
        codes.append(code)
    return frame.with_columns(pl.Series("gemeente_code", codes, dtype=pl.String)).filter(pl.col("gemeente_code").is_not_null())


def kenmerken(ctx: Context, raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Long table: gemeentecode, jaar, kenmerk, code, waarde (label), bron."""
    parts = []
    r16 = raw["regio2016"]
    if not r16.is_empty():
        for kenmerk, column in (("arbeidsmarktregio", "Arbeidsmarktregio's"), ("corop", "COROP-gebieden"), ("provincie", "Provincies")):
            parts.append(r16.select(pl.col("gemeentecode"), pl.lit(2016).alias("jaar"), pl.lit(kenmerk).alias("kenmerk"),
                                    pl.col(column).alias("code"), pl.lit(None, pl.String).alias("waarde"), pl.lit("83287NED").alias("bron")))
    r25 = raw["regio2025"]
    if not r25.is_empty():
        for kenmerk, code_col, name_col in (("provincie", "provinciecode", "provincienaam"), ("corop", "coropcode", "coropnaam"),
                                            ("arbeidsmarktregio", "arbeidsmarktregiocode", "arbeidsmarktregionaam")):
            parts.append(r25.select(pl.col("statcode").alias("gemeentecode"), pl.lit(2025).alias("jaar"), pl.lit(kenmerk).alias("kenmerk"),
                                    pl.col(code_col).alias("code"), pl.col(name_col).alias("waarde"), pl.lit("gemeente_regio_2025").alias("bron")))
    for y in (2023, 2024, 2025):
        k = raw[f"klassen{y}"]
        if k.is_empty():
            continue
        k = resolve_names(ctx, k, "Gemeenten", y, f"{MICH}/gemeenteklassen_{y}.csv")
        for kenmerk, column in (("gemeentegrootte", "Gemeentegrootte"), ("stedelijkheid", "Stedelijkheid")):
            parts.append(k.select(pl.col("gemeente_code").alias("gemeentecode"), pl.lit(y).alias("jaar"), pl.lit(kenmerk).alias("kenmerk"),
                                  pl.col(column).alias("code"), pl.col(column).map_elements(_label, return_dtype=pl.String).alias("waarde"),
                                  pl.lit("gemeenteklassen").alias("bron")))
    s = raw["structuur"]
    if not s.is_empty():
        s = resolve_names(ctx, s, "Gemeenten", 2025, f"{MICH}/gemeenteklassen_sociale_structuur_centrumfunctie.csv")
        for kenmerk, column in (("centrumfunctie", "Centrumfunctie"), ("sociale_structuur", "Sociale structuur")):
            parts.append(s.select(pl.col("gemeente_code").alias("gemeentecode"), pl.lit(2025).alias("jaar"), pl.lit(kenmerk).alias("kenmerk"),
                                   pl.col(column).alias("code"), pl.col(column).alias("waarde"), pl.lit("gemeenteklassen").alias("bron")))
    out = pl.concat([p.cast({"jaar": pl.Int32}) for p in parts]) if parts else pl.DataFrame()
    return out.filter(pl.col("code") != "").sort("kenmerk", "jaar", "gemeentecode")


_STEDELIJKHEID = {"Zeersterkstedelijk": "Zeer sterk stedelijk", "Sterkstedelijk": "Sterk stedelijk",
                  "Matigstedelijk": "Matig stedelijk", "Weinigstedelijk": "Weinig stedelijk", "Nietstedelijk": "Niet stedelijk"}


def _label(code: str) -> str:
    """Restore the CBS label the source squeezed: '20000tot50000inwoners' -> '20 000 tot 50 000 inwoners'."""
    if code in _STEDELIJKHEID:
        return _STEDELIJKHEID[code]
    s = re.sub(r"(\d+)", lambda m: f" {int(m.group(1)):,} ".replace(",", " "), code)
    s = s.replace("Minderdan", "Minder dan").replace("inwonersofmeer", "inwoners of meer")
    return " ".join(s.split())
