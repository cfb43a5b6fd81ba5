"""Derived indicators: compute every registry Ratio from base observations on the same gemeente, indeling and period."""

from __future__ import annotations

import polars as pl

from portal import metrics

OBS_SCHEMA: dict[str, pl.DataType] = {
    "gemeente_code": pl.String,
    "indeling": pl.Int32,
    "periode": pl.String,
    "peildatum": pl.String,
    "indicator": pl.String,
    "waarde": pl.Float64,
    "bron": pl.String,
    "afgerond": pl.Boolean,
    "onderdrukt": pl.Boolean,
    "voorlopig": pl.Boolean,
    "synthetisch": pl.Boolean,
}


def derive(obs: pl.DataFrame) -> pl.DataFrame:
    """Derived indicators of the registry; a missing or suppressed input, or a zero denominator, gives no value.

    Such a value is marked `onderdrukt` only when an input was suppressed by CBS, not for a zero denominator.
    """
    keys = ["gemeente_code", "indeling", "periode"]
    parts = []
    for ind in metrics.DERIVED:
        f = ind.formula
        assert f is not None
        inputs = obs.filter(pl.col("indicator").is_in(f.inputs()))
        if inputs.is_empty():
            continue
        wide = inputs.pivot(on="indicator", index=keys, values="waarde", aggregate_function="first")
        if not all(c in wide.columns for c in f.inputs()):
            continue
        flags = inputs.group_by(keys).agg(
            pl.col("afgerond").any(), pl.col("onderdrukt").any(), pl.col("voorlopig").any(), pl.col("synthetisch").any(),
            pl.col("bron").unique().sort().str.join(" + ").alias("bron"),
            pl.col("peildatum").unique().sort().str.join(" / ").alias("peildatum"),
            pl.col("indicator").n_unique().alias("n"),
        )
        num = pl.sum_horizontal([pl.col(c) for c in f.plus]) - (pl.sum_horizontal([pl.col(c) for c in f.minus]) if f.minus else 0)
        den = pl.sum_horizontal([pl.col(c) for c in f.denominator])
        any_null = pl.any_horizontal([pl.col(c).is_null() for c in f.inputs()])
        value = pl.when(any_null | (den == 0)).then(None).otherwise(num / den * f.factor)
        out = wide.join(flags, on=keys).filter(pl.col("n") == len(f.inputs())).select(
            *keys, "peildatum", pl.lit(ind.id).alias("indicator"), value.alias("waarde"), "bron", "afgerond",
            "onderdrukt", "voorlopig", "synthetisch",  # suppressed input only; a zero denominator is not CBS suppression
        )
        parts.append(out)
    return pl.concat(parts).cast(OBS_SCHEMA) if parts else pl.DataFrame(schema=OBS_SCHEMA)  # type: ignore[arg-type]
