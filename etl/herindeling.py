"""Herindeling steps 2010–2025 with weights: declared rows, checked against the CBS lists, splits weighted by population.

Split weights: for the gemeenten split in a step, the share each successor received is estimated from CBS population
figures on the indeling before and after the step. A successor's received population = its population after, minus the
population before of the gemeenten that went into it whole (scaled by national growth between the two figures). When
several split gemeenten feed the same successors (Littenseradiel and Menameradiel in 2018) the shares are fitted to both
margins by iterative proportional fitting. The population figures used per step are listed in SPLIT_POPULATION.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from etl.paths import REFERENCE
from etl.validate import Collector, read_table
from portal.indeling import compose

FILE = REFERENCE / "herindelingen_2010_2025.csv"
FIRST, LAST = 2009, 2025

# split step years -> (population before: indicator, bron, indeling), (population after: same), description
SPLIT_POPULATION: list[tuple[tuple[int, ...], tuple[str, str, int], tuple[str, str, int], str]] = [
    ((2014, 2015), ("inwoners_totaal", "80860ned", 2009), ("inwoners_totaal", "70072ned", 2015),
     "CBS 80860ned inwoners 2009 (indeling 2009) en CBS 70072ned inwoners 1-1-2015 (indeling 2015)"),
    ((2018,), ("inwoners_15_65", "83718NED", 2017), ("inwoners_15_65", "83997NED", 2018),
     "CBS 83718NED en 83997NED, inwoners 15–65 (indeling 2017 en 2018)"),
    ((2019,), ("inwoners_15_65", "83997NED", 2018), ("inwoners_15_65", "84590NED", 2019),
     "CBS 83997NED en 84590NED, inwoners 15–65 (indeling 2018 en 2019)"),
    ((2021,), ("inwoners_15_65", "84860NED", 2020), ("inwoners_15_65", "85052NED", 2021),
     "CBS 84860NED en 85052NED, inwoners 15–65 (indeling 2020 en 2021)"),
]


def read_steps(col: Collector) -> pl.DataFrame:
    df = read_table(FILE, col, required=["indeling_jaar", "datum", "oude_code", "nieuwe_code", "soort"], counts=["indeling_jaar"],
                    key=["oude_code", "nieuwe_code"])
    if df.is_empty():
        return df
    bad = df.filter(~pl.col("soort").is_in(["samenvoeging", "splitsing", "naamswijziging"]))
    for rij, soort in bad.select("_rij", "soort").iter_rows():
        col.add(f"reference/{FILE.name}", rij, "soort", f"onbekende soort '{soort}'")
    return df.with_columns(pl.col("indeling_jaar").cast(pl.Int32))


def check_steps(steps: pl.DataFrame, active: dict[int, set[str]], old_list: pl.DataFrame, col: Collector) -> None:
    """Every code that disappears or appears in the CBS list must be covered by a step, and the reverse."""
    name = f"reference/{FILE.name}"
    for y in range(FIRST + 1, LAST + 1):
        s = steps.filter(pl.col("indeling_jaar") == y)
        olds, news = set(s["oude_code"]), set(s["nieuwe_code"])
        for c in sorted((active[y - 1] - active[y]) - olds):
            col.add(name, None, "oude_code", f"{c} verdwijnt uit de CBS-lijst in {y} maar staat niet als herindeling vermeld")
        for c in sorted((active[y] - active[y - 1]) - news):
            col.add(name, None, "nieuwe_code", f"{c} verschijnt in de CBS-lijst in {y} zonder voorganger")
        for rij, old, new in s.select("_rij", "oude_code", "nieuwe_code").iter_rows():
            if old not in active[y - 1]:
                col.add(name, rij, "oude_code", f"{old} was op 1 januari {y - 1} geen gemeente")
            if new not in active[y]:
                col.add(name, rij, "nieuwe_code", f"{new} is op 1 januari {y} geen gemeente")
    if old_list.is_empty():
        return
    pairs = set(steps.select("oude_code", "nieuwe_code").iter_rows())
    for rij, jaar, old, new in old_list.select("_rij", "Eindjaar", "Oude", "Nieuwe").iter_rows():
        if int(jaar) >= 2010 and old != new and (old, new) not in pairs:
            col.add("gemeente_herindelingen/gm_changes_before_2018.csv", rij, "Nieuwe",
                    f"herindeling {old} → {new} ({jaar}) ontbreekt in {FILE.name}")


def split_weights(steps: pl.DataFrame, active: dict[int, set[str]], obs: pl.DataFrame, col: Collector) -> pl.DataFrame:
    """Return steps with a `gewicht` column and a `gewicht_bron` note for split rows."""
    weights: dict[tuple[str, str], float] = {}
    notes: dict[tuple[str, str], str] = {}
    for years, before, after, note in SPLIT_POPULATION:
        split = steps.filter(pl.col("indeling_jaar").is_in(years) & (pl.col("soort") == "splitsing"))
        if split.is_empty():
            continue
        pop_b = _population(obs, *before)
        pop_a = _population(obs, *after)
        if not pop_b or not pop_a:
            col.add(f"reference/{FILE.name}", None, None, f"bevolkingscijfers voor de splitsingsgewichten ontbreken ({note})")
            continue
        growth = sum(pop_a.values()) / sum(pop_b.values())
        split_codes = set(split["oude_code"])
        # whole-gemeente flows before -> after (split gemeenten get a dummy equal share; they are excluded below)
        tmp = steps.with_columns(pl.lit(1.0).alias("gewicht"))
        n_succ = tmp.group_by("oude_code").len()
        tmp = tmp.join(n_succ, on="oude_code").with_columns((1.0 / pl.col("len")).alias("gewicht"))
        mapping = compose(tmp, active[before[2]], before[2], after[2])
        known: dict[str, float] = defaultdict(float)
        for old, new, w in mapping.iter_rows():
            if old not in split_codes:
                known[new] += w * pop_b.get(old, 0.0) * growth
        cells = {(o, n) for o, n in split.select("oude_code", "nieuwe_code").iter_rows()}
        rows = {o: pop_b.get(o, 0.0) * growth for o in split_codes}
        cols = {n: max(pop_a.get(n, 0.0) - known[n], 0.0) for _, n in cells}
        fitted = {}
        for component in _components(cells):
            fitted.update(_ipf(component, {o: rows[o] for o, _ in component}, {n: cols[n] for _, n in component}))
        for (o, n), v in fitted.items():
            weights[(o, n)] = v / rows[o] if rows[o] else 1.0 / sum(1 for c in cells if c[0] == o)
            notes[(o, n)] = note
    out = steps.with_columns(
        pl.struct("oude_code", "nieuwe_code").map_elements(
            lambda r: weights.get((r["oude_code"], r["nieuwe_code"]), 1.0), return_dtype=pl.Float64).alias("gewicht"),
        pl.struct("oude_code", "nieuwe_code").map_elements(
            lambda r: notes.get((r["oude_code"], r["nieuwe_code"]), ""), return_dtype=pl.String).alias("gewicht_bron"),
    )
    missing = out.filter((pl.col("soort") == "splitsing") & (pl.col("gewicht_bron") == ""))
    for rij, old in missing.select("_rij", "oude_code").iter_rows():
        col.add(f"reference/{FILE.name}", rij, "soort", f"splitsing van {old} heeft geen bevolkingscijfers voor een gewicht")
    return out


def _population(obs: pl.DataFrame, indicator: str, bron: str, indeling: int) -> dict[str, float]:
    sub = obs.filter((pl.col("indicator") == indicator) & (pl.col("bron") == bron) & (pl.col("indeling") == indeling)
                     & (pl.col("gemeente_code") != "NL01") & pl.col("waarde").is_not_null())
    if indicator == "inwoners_totaal" and bron == "80860ned":
        sub = sub.filter(pl.col("periode") == "2009")
    return dict(sub.select("gemeente_code", "waarde").iter_rows())


def _components(cells: set[tuple[str, str]]) -> list[set[tuple[str, str]]]:
    """Split the (old, new) cells into groups that share no old or new code (fitted independently)."""
    groups: list[set[tuple[str, str]]] = []
    for cell in sorted(cells):
        linked = [g for g in groups if any(cell[0] == c[0] or cell[1] == c[1] for c in g)]
        merged = {cell}.union(*linked)
        groups = [g for g in groups if g not in linked] + [merged]
    return groups


def _ipf(cells: set[tuple[str, str]], rows: dict[str, float], cols: dict[str, float], rounds: int = 200) -> dict[tuple[str, str], float]:
    """Fit cell values on the allowed cells to the row totals and (rescaled) column totals."""
    total_cols = sum(cols.values())
    if total_cols <= 0:
        return {c: rows[c[0]] / sum(1 for d in cells if d[0] == c[0]) for c in cells}
    scale = sum(rows.values()) / total_cols
    cols = {k: v * scale for k, v in cols.items()}
    x = {c: 1.0 for c in cells}
    for _ in range(rounds):
        for axis, target in ((0, rows), (1, cols)):
            sums: dict[str, float] = defaultdict(float)
            for c, v in x.items():
                sums[c[axis]] += v
            x = {c: (v * target[c[axis]] / sums[c[axis]] if sums[c[axis]] else 0.0) for c, v in x.items()}
    return x
