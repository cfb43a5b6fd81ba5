"""Shared shapes for source modules: the tidy observation schema, the source metadata, and the build context.

Each source module has the same three parts: `read(ctx)` loads the snapshot files (a live CBS fetch can replace it
and return the same frames), `transform(raw, ctx)` returns tidy observations, and `SOURCES` describes the tables.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from etl.validate import Collector
from portal.derive import OBS_SCHEMA
from portal.nl import nl_month

ROUNDING_UNIT = 10  # CBS rounds counts to tens
PERIOD_RE = re.compile(r"^(\d{4})(JJ|KW|MM)(\d{2})$")
UPDATE_LISTS = ("De bouw stopt in plaats van te raden: werk de gemeentelijst en de herindelingen bij "
                "(data/snapshots/nlextract_gemeentelijke_indeling, gemeente_herindelingen) en bouw opnieuw")  # the folders differ per installation: see cbs_live.sources()


@dataclass(frozen=True)
class Source:
    id: str  # table id as CBS or the publisher names it
    publisher: str
    title: str
    licence: str
    url: str
    folder: str  # snapshot folder under data/snapshots


@dataclass
class Context:
    snapshots: Path
    col: Collector
    active: dict[int, set[str]] = field(default_factory=dict)  # indeling year -> active gemeente codes
    names: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> normalised name -> code
    mergers: dict[int, dict[str, str]] = field(default_factory=dict)  # indeling year -> old code -> code it went into whole

    def file(self, folder: str, name: str) -> Path:
        return self.snapshots / folder / name

    @property
    def newest(self) -> int:
        """The year of the newest gemeente list (0 when there is none)."""
        return max(self.active) if self.active else 0

    def check_codes(self, frame: pl.DataFrame, file: str, code_col: str, year_col: str | int,
                    newest: int | None = None) -> pl.DataFrame:
        """Report gemeente codes that did not exist in the frame's indeling year; keep NL01 and the valid rows.

        `newest` is for tables fetched by `etl vernieuw`, which CBS may publish after our newest gemeente list: a year past
        `newest` is checked against that list, and a code not in it is a new gemeente without a declared herindeling,
        reported as such (with the row's `periode`), so the build stops. The valid rows' `year_col` column is then moved
        onto that list's indeling (at most `newest`)."""
        if frame.is_empty():
            return frame
        year = pl.lit(year_col) if isinstance(year_col, int) else pl.col(year_col)
        periode = pl.col("periode") if newest is not None else pl.lit(None)
        ok = []
        for rij, code, jaar, per in frame.select("_rij", code_col, year.alias("_jaar"), periode.alias("_periode")).iter_rows():
            past = newest is not None and int(jaar) > newest
            good = code == "NL01" or code in self.active.get(newest if past else int(jaar), set())
            if not good and past:
                self.col.add(file, rij, code_col, f"nieuwe gemeentecode '{code}' (periode {per}) staat niet in de gemeentelijst "
                             f"van {newest} en er is geen herindeling voor vastgelegd. {UPDATE_LISTS}")
            elif not good:
                self.col.add(file, rij, code_col, f"gemeentecode '{code}' bestond niet in de indeling van {jaar}")
            ok.append(good)
        out = frame.filter(pl.Series(ok, dtype=pl.Boolean))
        if newest is not None and isinstance(year_col, str):
            out = out.with_columns(pl.min_horizontal(year_col, pl.lit(newest, pl.Int32)).alias(year_col))
        return out

    def merge_onto(self, frame: pl.DataFrame, code_col: str, year: int, sum_cols: list[str]) -> pl.DataFrame:
        """Put a frame whose codes follow an older list onto indeling `year`: codes merged whole into another gemeente by
        `year` are replaced by their successor and summed (a missing part leaves the sum empty). Other unknown codes
        stay as they are, for `check_codes` to report."""
        if frame.is_empty():
            return frame
        to = {}
        for code in frame[code_col].unique().sort():
            c = code
            while c not in self.active.get(year, set()) and c != "NL01":
                nxt = next((m[c] for y, m in sorted(self.mergers.items()) if y <= year and c in m), None)
                if nxt is None:
                    break
                c = nxt
            to[code] = c
        out = frame.with_columns(pl.col(code_col).replace_strict(to).alias(code_col))
        firsts = [c for c in out.columns if c not in {code_col, "_rij", *sum_cols}]
        return out.group_by(code_col, maintain_order=True).agg(
            pl.col("_rij").min(), *[pl.col(c).first() for c in firsts],
            *[pl.when(pl.col(c).is_null().any()).then(None).otherwise(pl.col(c).sum()).alias(c) for c in sum_cols],
        ).select(frame.columns)

    def drop_merged_away(self, frame: pl.DataFrame, code_col: str, year: int, keys: tuple[str, ...] = ()) -> tuple[pl.DataFrame, list[str]]:
        """Drop rows of gemeenten that the table leaves wholly empty because they merged into another gemeente.

        CBS publishes some tables on the boundaries of the publication date: 85309NED ("regio-indeling 2022", published
        after Weesp joined Amsterdam on 24-3-2022) has an empty Weesp row while Amsterdam's row includes Weesp. Such a
        cell is not suppressed ("onderdrukt") and must not block a harmonised sum: the row is dropped. A row counts as
        merged away when every value column is empty and the code is no longer active on 1 January of `year` + 1.
        Returns the frame without those rows and the dropped codes.
        """
        if frame.is_empty():
            return frame, []
        values = [c for c in frame.columns if c not in {"_rij", code_col, *keys}]
        empty = pl.all_horizontal([pl.col(c).cast(pl.String).fill_null("").is_in(["", "."]) for c in values])
        gone = pl.col(code_col).is_in(sorted(self.active.get(year + 1, set())) or [""]).not_() & (pl.col(code_col) != "NL01")
        dropped = sorted(frame.filter(empty & gone)[code_col].to_list()) if year + 1 in self.active else []
        return frame.filter(~pl.col(code_col).is_in(dropped)), dropped


_SUFFIX = re.compile(r"\s*\((gemeente|[A-Za-z]{1,3}\.)\)\s*$")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def normalise_name(name: str, strip_suffix: bool = False) -> str:
    """Gemeente names as keys: case and spaces folded; optionally without a CBS suffix like '(gemeente)' or '(L.)'.
    Cached: a build folds the same few thousand names tens of thousands of times."""
    n = name.strip()
    if strip_suffix:
        n = _SUFFIX.sub("", n)
    return _SPACES.sub(" ", n).lower()


def period(key: str, kind: str) -> tuple[str, str] | None:
    """(periode, peildatum) for a CBS period key (`2024JJ00`, `2024MM03`, `2024KW01`), or None when it is not a year,
    quarter or month. A quarter of a stock ("stand") is its last month; of a flow ("stroom"), the quarter itself."""
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


def observations(
    frame: pl.DataFrame,
    *,
    code: str,
    indeling: pl.Expr | int,
    periode: pl.Expr | str,
    peildatum: pl.Expr | str,
    measures: dict[str, str],
    bron: pl.Expr | str,
    afgerond: bool,
    voorlopig: bool | pl.Expr = False,
    scale: float = 1.0,
) -> pl.DataFrame:
    """Unpivot measure columns (column -> indicator id) into the tidy observation schema.

    `afgerond`: False for a source that does not round (amounts, areas, exact population counts). True for a source
    whose PROVENANCE documents rounding (CBS rounds most counts to tens); the flag is then set per table (`bron`) and
    column only where the data confirm it: every value, after `scale`, is a multiple of ROUNDING_UNIT and at least
    ten are non-zero. So 84590NED (31-12-2018, published unrounded) and the unrounded inwoners 15–65 and
    eenpersoonshuishoudens columns next to rounded bijstand columns are not marked. An empty cell is `onderdrukt`
    (CBS '.' or empty); rows of gemeenten that are not in a table at all are dropped by the source module.
    """
    if frame.is_empty():
        return pl.DataFrame(schema=OBS_SCHEMA)
    lit = lambda v: v if isinstance(v, pl.Expr) else pl.lit(v)  # noqa: E731
    base = frame.select(
        pl.col(code).alias("gemeente_code"),
        lit(indeling).cast(pl.Int32).alias("indeling"),
        lit(periode).cast(pl.String).alias("periode"),
        lit(peildatum).cast(pl.String).alias("peildatum"),
        lit(bron).cast(pl.String).alias("bron"),
        lit(voorlopig).cast(pl.Boolean).alias("voorlopig"),
        *[pl.col(c).cast(pl.Float64) for c in measures],
    )
    long = base.unpivot(
        index=["gemeente_code", "indeling", "periode", "peildatum", "bron", "voorlopig"],
        on=list(measures),
        variable_name="kolom",
        value_name="waarde",
    )
    long = long.with_columns((pl.col("waarde") * scale).round(6))  # 260.4 × 1 000 is 260 400, not 260 399.99999999997
    if afgerond:
        w = pl.col("waarde")
        confirmed = ((w % ROUNDING_UNIT == 0) | w.is_null()).all() & ((w != 0).sum() >= 10)
        long = long.join(long.group_by("bron", "kolom").agg(confirmed.alias("afgerond")), on=["bron", "kolom"], how="left",
                         maintain_order="left")
    else:
        long = long.with_columns(pl.lit(False).alias("afgerond"))
    return long.select(
        "gemeente_code",
        "indeling",
        "periode",
        "peildatum",
        pl.col("kolom").replace_strict(measures).alias("indicator"),
        "waarde",
        "bron",
        "afgerond",
        pl.col("waarde").is_null().alias("onderdrukt"),
        "voorlopig",
        pl.lit(False).alias("synthetisch"),
    ).cast(OBS_SCHEMA)  # type: ignore[arg-type]
