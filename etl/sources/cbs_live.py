"""Tables fetched from CBS by `etl vernieuw` (etl/live.py), in data/snapshots/live_<bron>_<TABEL>/; absent until a refresh.

Each folder is verified against its herkomst.json, read with the measure keys CBS used in that version, and mapped to
registry indicators through etl.live.LIVE. Period keys (`2024JJ00`, `2024MM03`, `2024KW01`) become the portal's periods.
Gemeente codes are checked against the gemeente list of their year; for a year past the newest list, every code must be in
that newest list: a code that is not is a new gemeente without a declared herindeling, and the build stops.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl

from etl import cbs, live
from etl.sources.common import Context, Source, observations
from etl.validate import read_table
from portal.derive import OBS_SCHEMA
from portal.nl import nl_month

PERIOD_RE = re.compile(r"^(\d{4})(JJ|KW|MM)(\d{2})$")
SOURCES: list[Source] = []
UPDATE_LISTS = ("De bouw stopt in plaats van te raden: werk de gemeentelijst en de herindelingen bij "
                "(data/snapshots/nlextract_gemeentelijke_indeling, gemeente_herindelingen) en bouw opnieuw")  # the folders differ per installation: see sources()


def folders(snapshots: Path) -> list[Path]:
    return sorted(p for p in snapshots.glob(f"{live.PREFIX}*") if p.is_dir() and (p / "herkomst.json").is_file())


def herkomst(folder: Path) -> dict:
    return json.loads((folder / "herkomst.json").read_text(encoding="utf-8"))


def sources(snapshots: Path) -> list[Source]:
    out = []
    for f in folders(snapshots):
        h = herkomst(f)
        out.append(Source(h["tabel"], "CBS", h["titel"], "CC BY 4.0", h["url"], f.name))
    return out


def period(key: str, kind: str) -> tuple[str, str] | None:
    """(periode, peildatum) for a CBS period key, or None when it is not a year, quarter or month."""
    m = PERIOD_RE.match(key.strip())
    if not m:
        return None
    y, what, n = m.group(1), m.group(2), int(m.group(3))
    if what == "JJ":
        return y, y
    if what == "MM" and 1 <= n <= 12:
        return f"{y}-{n:02d}", nl_month(date(int(y), n, 1))
    if what == "KW" and 1 <= n <= 4:
        if kind == "stand":
            return f"{y}-{3 * n:02d}", f"eind {nl_month(date(int(y), 3 * n, 1))}"
        return f"{y}-Q{n}", f"{n}e kwartaal {y}"
    return None


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    out = {}
    for folder in folders(ctx.snapshots):
        problems = cbs.verify(folder)
        for p in problems:
            ctx.col.add(folder.name, None, None, p)
        if problems:
            continue
        h = herkomst(folder)
        src = live.BY_NAME.get(h.get("bron", ""))
        if src is None:
            ctx.col.add(f"{folder.name}/herkomst.json", None, "bron", f"onbekende bron '{h.get('bron')}' (niet in etl/live.py)")
            continue
        if src.members:
            out[folder.name] = read_table(folder / f"{h['tabel']}_TypedDataSet.csv", ctx.col, required=["Key", "Title"], key=["Key"])
            continue
        keys = [m["sleutel"] for m in h["maatstaven"]]
        dims = [d for d in (src.region, *src.keep, src.period) if d]
        out[folder.name] = read_table(folder / f"{h['tabel']}_TypedDataSet.csv", ctx.col, required=[*dims, *keys],
                                      numbers=keys, key=[*dims])
    return out


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = [pl.DataFrame(schema=OBS_SCHEMA)]
    newest = max(ctx.active) if ctx.active else 0
    for name, df in raw.items():
        if df.is_empty():
            continue
        h = herkomst(ctx.snapshots / name)
        src = live.BY_NAME[h["bron"]]
        file = f"{name}/{h['tabel']}_TypedDataSet.csv"
        if src.members:
            check_list(df, h, ctx, file, newest)
            continue
        if src.shape is not None:
            parts.append(src.shape(df, h, ctx, file))
            continue
        if src.period is None:  # one table per year without a period dimension: the table's year
            df = df.with_columns(pl.lit(f"{h['jaar']}JJ00").alias("Perioden"))
        by_prefix = {m.prefix: ind for m, ind in src.measures.items()}
        keys = {m["sleutel"]: by_prefix[m["prefix"]] for m in h["maatstaven"]}
        periods = {k: period(k, src.kind) for k in df["Perioden"].unique()}
        bad = [k for k, v in periods.items() if v is None]
        for rij, k in df.filter(pl.col("Perioden").is_in(bad)).select("_rij", "Perioden").head(5).iter_rows():
            ctx.col.add(file, rij, "Perioden", f"onbekende periodesleutel '{k}' (verwacht jaar, kwartaal of maand)")
        df = df.filter(~pl.col("Perioden").is_in(bad)).with_columns(
            pl.col("Perioden").replace_strict({k: v[0] for k, v in periods.items() if v}).alias("periode"),
            pl.col("Perioden").replace_strict({k: v[1] for k, v in periods.items() if v}).alias("peildatum"),
            pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).alias("jaar"))
        df = df.filter(pl.any_horizontal([pl.col(k).is_not_null() for k in keys]))  # a former gemeente's empty later rows
        code = pl.lit("NL01") if src.region is None else pl.col(src.region).str.replace(r"^NL\d\d$", "NL01")
        df = df.with_columns(code.alias("code"))
        year = pl.lit(int(h["jaar"]), pl.Int32) if src.indeling == "tabel" else pl.col("jaar")
        df = df.with_columns(year.alias("indeling"))
        df = check_codes(df, ctx, file, newest)
        for pick in (0, 1):  # gemeenten, Nederland
            sub = df.filter((pl.col("code") == "NL01") == bool(pick))
            measures = {k: ind[pick] for k, ind in keys.items() if ind[pick]}
            if measures and not sub.is_empty():  # Nederland has no indeling (0), as in the shipped national series
                obs = observations(sub, code="code", indeling=0 if pick else pl.col("indeling"), periode=pl.col("periode"),
                                   peildatum=pl.col("peildatum"), measures=measures, bron=h["tabel"], afgerond=True)
                parts += [obs, december(obs, src.december)]
    return pl.concat(parts)


def december(obs: pl.DataFrame, yearly: dict[str, str]) -> pl.DataFrame:
    """The December figures of monthly stocks again as the year's figure (31 December), under the yearly indicator."""
    dec = obs.filter(pl.col("indicator").is_in(list(yearly)) & pl.col("periode").str.ends_with("-12"))
    return dec.with_columns(pl.col("indicator").replace_strict(yearly), pl.col("periode").str.slice(0, 4),
                            pl.format("31 december {}", pl.col("periode").str.slice(0, 4)).alias("peildatum"))


def check_codes(df: pl.DataFrame, ctx: Context, file: str, newest: int) -> pl.DataFrame:
    """Codes must exist in their year's gemeente list; past the newest list, in that list (then its indeling is used)."""
    ok = []
    for rij, code, jaar, periode in df.select("_rij", "code", "indeling", "periode").iter_rows():
        if code == "NL01" or code in ctx.active.get(min(jaar, newest), set()):
            ok.append(True)
            continue
        ok.append(False)
        if jaar > newest:
            ctx.col.add(file, rij, "code", f"nieuwe gemeentecode '{code}' (periode {periode}) staat niet in de gemeentelijst van "
                        f"{newest} en er is geen herindeling voor vastgelegd. {UPDATE_LISTS}")
        else:
            ctx.col.add(file, rij, "code", f"gemeentecode '{code}' bestond niet in de indeling van {jaar}")
    return df.filter(pl.Series(ok, dtype=pl.Boolean)).with_columns(
        pl.min_horizontal("indeling", pl.lit(newest, pl.Int32)).alias("indeling"))


def check_list(df: pl.DataFrame, h: dict, ctx: Context, file: str, newest: int) -> None:
    """CBS's gemeenten of a year ("Gebieden in Nederland <jaar>") against our gemeente list of that year; for a year past
    our newest list, against the newest list: any code that came or went is a herindeling we have not declared, and the
    build stops rather than guessing how figures move between old and new gemeenten."""
    year = int(h["jaar"])
    cbs_codes = {k: t for k, t in df.select("Key", "Title").iter_rows() if str(k).startswith("GM")}
    ours = ctx.active.get(min(year, newest), set())
    new, gone = sorted(set(cbs_codes) - ours), sorted(ours - set(cbs_codes))
    if not new and not gone:
        return
    what = "; ".join(x for x in (
        f"nieuw bij CBS: {', '.join(f'{c} ({cbs_codes[c]})' for c in new)}" if new else "",
        f"niet meer bij CBS: {', '.join(gone)}" if gone else "") if x)
    if year > newest:
        ctx.col.add(file, None, "Key", f"de gemeentelijst van {year} van CBS ({h['tabel']}) wijkt af van onze nieuwste "
                    f"gemeentelijst ({newest}): {what}. Er is geen herindeling voor vastgelegd. {UPDATE_LISTS}")
    else:
        ctx.col.add(file, None, "Key", f"de gemeentelijst van {year} van CBS ({h['tabel']}) wijkt af van de onze: {what}")
