"""Gemeentelijke indelingen: compose yearly herindeling steps into a mapping and harmonise observations onto one indeling.

A step of year Y moves an old code (active on 1 January Y-1) to a new code (active on 1 January Y) with a weight:
1 for a merger or a new code, a population share for a split. Composing the steps from indeling A to indeling B gives
for every gemeente of A the gemeenten of B it ended up in, with weights summing to 1, so harmonised totals equal the
original totals. Only forward mappings exist: a later indeling cannot be split back into an earlier one.

Rates published as such by a source (registry `rate=True`, e.g. CBS's instroom %) cannot be summed: such a value passes
through only where the target gemeente comes 1:1 from exactly one gemeente with weight 1 (unchanged or renamed);
anywhere else it is left out (no row; not 'onderdrukt', because nothing was suppressed).
"""

from __future__ import annotations

import re
from collections import defaultdict

import polars as pl

from portal import metrics

NATIONAL = "NL01"
# A gemeente's code: GM and four ASCII digits ("\\d" would also take Arabic-Indic digits, 'GM٠٣٦٣'). The one definition.
GM_CODE = re.compile(r"GM[0-9]{4}")
FLAG_COLUMNS = ["afgerond", "voorlopig", "synthetisch"]


def is_gemeente_code(value: object) -> bool:
    """Is `value` a gemeente code as a whole (GM0363)? Whether that gemeente exists is Warehouse.check_code's question."""
    return isinstance(value, str) and GM_CODE.fullmatch(value) is not None


def compose(steps: pl.DataFrame, active_from: set[str], van: int, naar: int) -> pl.DataFrame:
    """Mapping (van_code, naar_code, gewicht) from indeling `van` to indeling `naar` (van <= naar)."""
    if naar < van:
        raise ValueError(f"kan indeling {van} niet terugrekenen naar de eerdere indeling {naar}")
    by_year: dict[int, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
    for y, old, new, w in steps.select("indeling_jaar", "oude_code", "nieuwe_code", "gewicht").iter_rows():
        if van < y <= naar:
            by_year[y][old].append((new, w))
    current: dict[str, dict[str, float]] = {c: {c: 1.0} for c in active_from}
    for y in sorted(by_year):
        moves = by_year[y]
        for origin, parts in current.items():
            nxt: dict[str, float] = defaultdict(float)
            for code, share in parts.items():
                for new, w in moves.get(code, [(code, 1.0)]):
                    nxt[new] += share * w
            current[origin] = dict(nxt)
    rows = [(o, n, w) for o, parts in current.items() for n, w in parts.items() if w > 0]
    return pl.DataFrame(rows, schema={"van_code": pl.String, "naar_code": pl.String, "gewicht": pl.Float64}, orient="row")


def rate_ids() -> list[str]:
    """Base indicators that are published rates: never summed over a herindeling."""
    return sorted(i.id for i in metrics.REGISTRY.values() if i.rate)


def harmonise(obs: pl.DataFrame, mappings: dict[int, pl.DataFrame], target: int, rates: list[str] | None = None) -> pl.DataFrame:
    """Sum additive observations onto indeling `target`; pass published rates through only where nothing changed.

    `mappings[van]` is `compose(..., van, target)`. National rows pass through. A gemeente whose sum includes a
    suppressed (missing) part gets no value, marked `onderdrukt`: a partial sum would look like a real figure.
    Rows on an indeling later than `target` are dropped (they cannot be split back).
    """
    national = obs.filter(pl.col("gemeente_code") == NATIONAL).with_columns(pl.lit(target, pl.Int32).alias("indeling"))
    local = obs.filter(pl.col("gemeente_code") != NATIONAL)
    parts = []
    for (van,), chunk in local.group_by(["indeling"]):
        if van > target or van not in mappings:
            continue
        m = mappings[van].with_columns(
            ((pl.len().over("naar_code") == 1) & ((pl.col("gewicht") - 1).abs() < 1e-9)).alias("_een_op_een"))
        parts.append(chunk.join(m, left_on="gemeente_code", right_on="van_code", how="inner"))
    if not parts:
        return national
    joined = pl.concat(parts).sort("naar_code", "periode", "indicator", "bron", "gemeente_code", "indeling")  # fixed summation order
    is_rate = pl.col("indicator").is_in(rate_ids() if rates is None else rates)
    passed = joined.filter(is_rate & pl.col("_een_op_een")).select(
        pl.col("naar_code"), "periode", "indicator", "bron", "waarde", "peildatum", *FLAG_COLUMNS)
    joined = joined.filter(~is_rate)
    summed = joined.group_by(["naar_code", "periode", "indicator", "bron"]).agg(
        pl.when(pl.col("waarde").is_null().any()).then(None).otherwise((pl.col("waarde") * pl.col("gewicht")).sum()).alias("waarde"),
        pl.col("peildatum").first(),
        *[pl.col(f).any() for f in FLAG_COLUMNS],
    )
    out = pl.concat([summed, passed.select(summed.columns)]).select(
        pl.col("naar_code").alias("gemeente_code"),
        pl.lit(target, pl.Int32).alias("indeling"),
        "periode",
        "peildatum",
        "indicator",
        "waarde",
        "bron",
        "afgerond",
        pl.col("waarde").is_null().alias("onderdrukt"),
        "voorlopig",
        "synthetisch",
    )
    return pl.concat([out, national.select(out.columns)], how="vertical_relaxed")
