"""Small-cell suppression for every table shown or exported from an own client file.

Primary: every cell counting fewer than MIN_CELL persons (0 included: the issue says every cell under 10) is hidden.
Secondary: cells are tied together by *relations*: groups of cells linked by one known equation (a row adding up to
its total, shown here or elsewhere; the months of a stock: bestand(m) = bestand(m−1) + instroom(m) − uitstroom(m)).
When a relation has exactly one hidden cell, that cell could be computed from the others, so the smallest visible cell
of that relation is hidden too; repeated until no relation has exactly one hidden cell. This is the usual
cell-by-cell heuristic: it does not solve the full linear system (several relations combined could still narrow a
hidden cell down to an interval), which is why the page should show no more relations than these tables carry.
Columns that are computed from a count (a share, a rate, a kans) are hidden with it (`linked`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from portal.eigen.monitors import maand_tekst
from portal.eigen.schema import MIN_CELL

Cell = tuple[int, str]  # (row index, column)
Relation = tuple[str, list[Cell]]  # (what the cells add up to, in Dutch; the cells)


@dataclass(frozen=True)
class Suppressed:
    frame: pl.DataFrame  # the table with hidden cells set to null (and their linked columns)
    cellen: pl.DataFrame  # rij, sleutel, kolom, reden ("primair" | "secundair"), toelichting (Dutch)

    def hidden(self) -> set[Cell]:
        return {(r, k) for r, k in self.cellen.select("rij", "kolom").iter_rows()}


def suppress(frame: pl.DataFrame, cols: list[str], relations: list[Relation], *, key: str | None = None,
             linked: dict[str, list[str]] | None = None, min_cell: int = MIN_CELL) -> Suppressed:
    """Hide cells of `cols` (person counts) below min_cell and the cells that would reveal them through `relations`.
    key: a column naming the row in the report (e.g. "maand"); linked: count column -> columns hidden with it."""
    values = {(r, c): v for c in cols for r, v in enumerate(frame[c].to_list())}
    reason: dict[Cell, tuple[str, str]] = {}
    for cell, v in values.items():
        if v is None or v < min_cell:
            reason[cell] = ("primair", f"minder dan {min_cell} personen")
    changed = True
    while changed:
        changed = False
        for label, cells in relations:
            cells = [c for c in cells if c in values]
            hidden = [c for c in cells if c in reason]
            if len(hidden) != 1:
                continue
            visible = [c for c in cells if c not in reason]
            if not visible:
                continue
            pick = min(visible, key=lambda c: (values[c], cells.index(c)))
            reason[pick] = ("secundair", f"anders af te leiden uit {label}")
            changed = True
    keys = frame[key].to_list() if key else [None] * frame.height
    rows = sorted(reason.items(), key=lambda kv: (kv[0][0], cols.index(kv[0][1])))
    cellen = pl.DataFrame(
        {"rij": [r for (r, _), _ in rows], "sleutel": [None if keys[r] is None else str(keys[r]) for (r, _), _ in rows],
         "kolom": [k for (_, k), _ in rows], "reden": [w for _, (w, _) in rows], "toelichting": [t for _, (_, t) in rows]},
        schema={"rij": pl.Int64, "sleutel": pl.String, "kolom": pl.String, "reden": pl.String, "toelichting": pl.String})
    out = frame.with_row_index("_rij")
    for c in cols:
        rows_c = [r for (r, k) in reason if k == c]
        hide = pl.col("_rij").is_in(rows_c)
        out = out.with_columns([pl.when(hide).then(None).otherwise(pl.col(x)).alias(x) for x in [c, *(linked or {}).get(c, [])]])
    return Suppressed(out.drop("_rij"), cellen)


def monthly(table: pl.DataFrame, min_cell: int = MIN_CELL) -> Suppressed:
    """The table of monitors.monthly: bestand, instroom, uitstroom, uitstroom_werk per month. Relations: the stock
    identity of each month with the month before it. Uitstroom naar werk is part of the uitstroom, but the remainder
    (other endings) is not shown, so no relation ties it; the helper column bestand_paar is dropped (not for display)."""
    t = table.drop("bestand_paar", strict=False)
    rel: list[Relation] = []
    for r in range(1, t.height):
        label = f"de stand, instroom en uitstroom van {maand_tekst(t['maand'][r])}"
        rel.append((label, [(r - 1, "bestand"), (r, "bestand"), (r, "instroom"), (r, "uitstroom")]))
    return suppress(t, ["bestand", "instroom", "uitstroom", "uitstroom_werk"], rel, key="maand", min_cell=min_cell)


def shares(table: pl.DataFrame, by: str | None, label: str, min_cell: int = MIN_CELL) -> Suppressed:
    """A distribution with columns aantal and aandeel (leefvorm_mix, by "peildatum"; duration_profile, by None): the
    counts of one peildatum add up to the bestand, which is shown elsewhere, so each group of rows is one relation."""
    groups = [None] if by is None else table[by].unique(maintain_order=True).to_list()
    rel: list[Relation] = []
    for g in groups:
        idx = list(range(table.height)) if by is None else [i for i, v in enumerate(table[by].to_list()) if v == g]
        rel.append((label if g is None else f"{label} op {g}", [(i, "aantal") for i in idx]))
    return suppress(table, ["aantal"], rel, key=by, linked={"aantal": ["aandeel"]}, min_cell=min_cell)


def survival(table: pl.DataFrame, min_cell: int = MIN_CELL) -> Suppressed:
    """The table of survival.uitstroomkans: n, uitstroom_h and n_risico_h are person counts; the groups add up to the
    total (shown when the page also shows 'totaal'), so each count column is one relation. A kans with its interval and
    standard error is hidden with the number of uitstromers it rests on, and everything of a group with n hidden."""
    hs = [c.removeprefix("uitstroom_") for c in table.columns if c.startswith("uitstroom_")]
    cols = ["n"] + [f"{p}_{h}" for h in hs for p in ("uitstroom", "n_risico")]
    rel: list[Relation] = [(f"het totaal van de kolom {c}", [(i, c) for i in range(table.height)]) for c in cols]
    linked = {f"uitstroom_{h}": [f"kans_{h}", f"onder_{h}", f"boven_{h}", f"se_{h}"] for h in hs}
    res = suppress(table, cols, rel, key="groep", linked=linked, min_cell=min_cell)
    # A group whose size is hidden shows nothing at all.
    gone = [r for r, k in res.hidden() if k == "n"]
    frame = res.frame.with_row_index("_rij").with_columns(
        [pl.when(pl.col("_rij").is_in(gone)).then(None).otherwise(pl.col(c)).alias(c) for c in table.columns if c != "groep"])
    return Suppressed(frame.drop("_rij"), res.cellen)
