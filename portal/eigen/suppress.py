"""Small-cell suppression for every table shown or exported from an own client file.

Primary: every cell counting fewer than MIN_CELL persons (0 included: the issue says every cell under 10) is hidden.
Secondary: cells are tied together by *relations*: groups of cells linked by one known equation (a row adding up to
its total, shown here or elsewhere; the months of a stock: bestand(m) = bestand(m−1) + instroom(m) − uitstroom(m)).
When a relation has exactly one hidden cell, that cell could be computed from the others, so the smallest visible cell
of that relation is hidden too; repeated until no relation has exactly one hidden cell. This is the usual
cell-by-cell heuristic: it does not solve the full linear system (several relations combined could still narrow a
hidden cell down to an interval), which is why the page should show no more relations than these tables carry.
Columns that are computed from a count (a share, a rate, a kans) are hidden with it (`linked`).

`suppress`, `monthly`, `shares` and `survival` do this for one table. The page "Eigen bestand" uses `page` instead
(issue 18): ONE suppression over all its tables together, because a user sees them all and combines them.
- Cells are keyed by (table, row, column): the monthly table (bestand, instroom, uitstroom, naar werk), the leefvorm
  counts on every one of the 60 peildata the page offers, the duration classes, the uitstroomkans tables for every
  radio option (instroomjaar, leeftijd, fasering, totaal × alle uitstroom, naar werk: instromers, uitstromers within
  6/12 months, still in the bijstand after 6/12 months), the herinstroom table (uitstromers and terug within 6/12
  months per reden), and the visitatie block's bestand and 12-month sums. The
  pattern is computed once per file and peildatum for all options, so what is hidden does not depend on what the user
  clicks, and the visitatie block (portal.visitatie_eigen) reads the same pattern.
- Relations across tables: the leefvormen and the duration classes add up to that month's bestand; the instromers of a
  cohort (and of all cohorts) are the monthly instroom from the start of the cohorts; every grouping of the uitstroomkans
  adds up to the totaal; "alle uitstroom" and "naar werk" share instromers and those still in the bijstand; the
  12-month sums are their months, and with the stock 12 months earlier and now they form one more stock identity. The
  herinstroom's uitstromers (werk, overig, totaal) within h months are the monthly uitstroom from its first month up
  to the end of the follow-up, and those within 6 minus those within 12 the months between the two ends: added only
  when they hold in the data (nobody ends twice in the period, nobody on the days of a month partly in it).
- Internal cells are counts that are not shown but follow from shown ones: the uitstroom other than werk (per month,
  and per group of the uitstroomkans), the persons censored before 6/12 months (instromers − uitstromers − still in
  the bijstand), the herinstroom's uitstromers not back (uitstromers − terug), the bestand on peildata outside the
  monthly table, the instroom of months before it. They are hidden (primary) when under MIN_CELL, never picked as a
  secondary cell; one that is the only unknown of a relation counts as known from then on (it can unlock the next
  relation).
- A relation is also protected when its hidden cells, all on one side, add up to fewer than MIN_CELL (their sum would
  be a small count itself, e.g. "the months not shown hold 0 together").
- Structural zeros are 0 by definition and known to everyone: months before the file's first month, a duration class
  longer than the file's history, "still in the bijstand after h months" for a cohort that began less than h months
  before the peildatum, "censored before h months" (any ending) for a cohort that began more than h months before it,
  the herinstroom counts of a horizon no ending could be followed for yet, and every part of a total that is such a
  zero. They are shown, not suppressed, and force no second hidden cell.
- Choice of the secondary cell: the visible shown cell with the lowest tier (the cells a visitatie team reads, tier
  KEY_TIER, go last: hide a month rather than the 12-month total), then the smallest, then the one in the fewest
  relations.
- Exact check: the cell-by-cell rule misses combinations of relations (the 12-month total minus the instromers of the
  year that holds eleven of those months gives the twelfth). After it, `_Grid._exact` solves all relations together
  (linear algebra over every unknown cell: one SVD per independent block of what is left after setting aside relations
  that an unknown of their own can absorb) and, for every count under MIN_CELL that comes out exactly, hides the visible cell the
  combination leans on most; repeated until none comes out (at most three tries per cell). Only run when an unknown
  count under MIN_CELL exists at all, and only over the relations linked to such a count by shared unknowns. It does
  not see inequalities (counts are never negative) beyond the small-sum rule above, nor non-linear use of a kans
  (n × kans where some are censored).
- The CBS comparison shows bestand (+ paren) rounded to tens, as CBS does (`cbs_input`): exact it would reveal the
  paren, a leefvorm count.
Measured (synthetic files, peildatum 30-11-2026, all 478/488 cells the page and the visitatie block show): Renswoude
131 visible before (each table on its own) and 100 after; Vlieland 52 and 40; Amsterdam 484 and 488 (its two
structural zeros no longer hidden). The pattern takes 0,1–0,2 s for these files, about 0,6 s for 5.000.000 spells.
With the herinstroom (12 cells more; the synthetic files have no re-entries, so every terug is 0 and hidden) the other
tables keep 100, 40 and 488 visible cells; Amsterdam's pattern still takes about 0,1 s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from portal.eigen import monitors
from portal.eigen import survival as sv
from portal.eigen.maanden import _idx, _mi, _month, month_end
from portal.nl import nl_month
from portal.eigen.schema import DUURKLASSEN, LEEFVORMEN, MIN_CELL

Cell = tuple[int, str]  # (row index, column)
Relation = tuple[str, list[Cell]]  # (what the cells add up to, in Dutch; the cells)


@dataclass(frozen=True)
class Suppressed:
    frame: pl.DataFrame  # the table with hidden cells set to null (and their linked columns)
    cellen: pl.DataFrame  # rij, sleutel, kolom, reden ("primair" | "secundair"), toelichting (Dutch)

    def hidden(self) -> set[Cell]:
        return {(r, k) for r, k in self.cellen.select("rij", "kolom").iter_rows()}

    def note(self) -> list[str]:
        """The line under a table that says how many cells were hidden, and why (none: no line)."""
        if self.cellen.is_empty():
            return []
        n1 = self.cellen.filter(pl.col("reden") == "primair").height
        n2 = self.cellen.height - n1
        return [f"Onderdrukt: {n1} cel(len) met minder dan {MIN_CELL} personen"
                + (f" en {n2} cel(len) die die zouden verraden." if n2 else ".")]


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
    return _hide(frame, cols, reason, key, linked)


def _hide(frame: pl.DataFrame, cols: list[str], reason: dict[Cell, tuple[str, str]], key: str | None,
          linked: dict[str, list[str]] | None) -> Suppressed:
    """The table with the cells in `reason` (and their linked columns) set to null, and the list of hidden cells."""
    keys = frame[key].to_list() if key else [None] * frame.height
    rows = sorted(reason.items(), key=lambda kv: (kv[0][0], cols.index(kv[0][1])))
    cellen = pl.DataFrame(
        {"rij": [r for (r, _), _ in rows], "sleutel": [None if keys[r] is None else str(keys[r]) for (r, _), _ in rows],
         "kolom": [k for (_, k), _ in rows], "reden": [w for _, (w, _) in rows], "toelichting": [t for _, (_, t) in rows]},
        schema={"rij": pl.Int64, "sleutel": pl.String, "kolom": pl.String, "reden": pl.String, "toelichting": pl.String})
    out = frame.with_row_index("_rij")
    for c in cols:
        hide = pl.col("_rij").is_in([r for (r, k) in reason if k == c])
        out = out.with_columns([pl.when(hide).then(None).otherwise(pl.col(x)).alias(x) for x in [c, *(linked or {}).get(c, [])]])
    return Suppressed(out.drop("_rij"), cellen)


def monthly(table: pl.DataFrame, min_cell: int = MIN_CELL) -> Suppressed:
    """The table of monitors.monthly: bestand, instroom, uitstroom, uitstroom_werk per month. Relations: the stock
    identity of each month with the month before it. Uitstroom naar werk is part of the uitstroom, but the remainder
    (other endings) is not shown, so no relation ties it; the helper column bestand_paar is dropped (not for display)."""
    t = table.drop("bestand_paar", strict=False)
    rel: list[Relation] = []
    for r in range(1, t.height):
        label = f"de stand, instroom en uitstroom van {nl_month(t['maand'][r])}"
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


# ---- one suppression over the whole page ("Eigen bestand") -----------------------------------------------------------
PAGE_MONTHS = 24  # the bestandsmonitor: from the same month two years before the peildatum (portal.ui.eigen_bestand.MONTHS_SHOWN)
PAGE_PEILDATA = 60  # the leefvorm peildata a user can pick: the peildatum and the 59 month ends before it
PAGE_GROUPINGS = ("cohort", "leeftijd", "fasering", "totaal")  # the radio "Per" of the uitstroomkans (portal.ui.eigen_bestand.PER)
NAAR = ("einde", "werk")  # the radio "Uitstroom"
KEY_TIER = 1  # cells a visitatie team reads (the block in the foto): hidden only when no other cell can be

Key = tuple[str, str, str]  # (table, row, column)


def page_peildata(peil: dt.date, n: int = PAGE_PEILDATA) -> list[dt.date]:
    """The peildatum and the month ends of the n − 1 months before it (the leefvorm peildata the page offers)."""
    out, (y, m) = [peil], (peil.year, peil.month)
    for _ in range(n - 1):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        out.append(month_end(dt.date(y, m, 1)))
    return out


class _Grid:
    """Cells (person counts, shown or internal) and the linear relations between them: sum(lhs) = sum(rhs)."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.index: dict[Key, int] = {}
        self.value: list[int] = []
        self.shown: list[bool] = []
        self.structural: list[bool] = []
        self.tier: list[int] = []
        self.relations: list[tuple[str, list[int], list[int]]] = []

    def add(self, key: Key, value: int, *, shown: bool = True, structural: bool = False, tier: int = 0) -> int:
        if key in self.index:
            return self.index[key]
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.value.append(int(value))
        self.shown.append(shown)
        self.structural.append(structural and value == 0)  # a "structural" cell that is not 0 is an ordinary cell
        self.tier.append(tier)
        return self.index[key]

    def relate(self, label: str, lhs: list[int], rhs: list[int]) -> None:
        """Add sum(lhs) = sum(rhs), only when it holds: a relation the data do not satisfy is no relation a user can use."""
        if sum(self.value[i] for i in lhs) == sum(self.value[i] for i in rhs):
            self.relations.append((label, lhs, rhs))

    def solve(self, min_cell: int) -> dict[int, tuple[str, str]]:
        """Primary and secondary suppression over all cells and relations (see `page`): cell -> (reden, toelichting)."""
        n, rels = len(self.keys), self.relations
        changed = True
        while changed:  # counts are never negative: parts of a total that is 0 by definition are 0 by definition too
            changed = False
            for _, lhs, rhs in rels:
                for a, b in ((lhs, rhs), (rhs, lhs)):
                    if all(self.structural[c] for c in a) and not all(self.structural[c] for c in b):
                        for c in b:
                            changed |= not self.structural[c]
                            self.structural[c] = True
        reason: dict[int, tuple[str, str]] = {
            i: ("primair", f"minder dan {min_cell} personen") for i in range(n)
            if self.value[i] < min_cell and not self.structural[i]}
        self.by_cell: list[list[int]] = [[] for _ in range(n)]
        by_cell = self.by_cell
        for r, (_, lhs, rhs) in enumerate(rels):
            for c in (*lhs, *rhs):
                by_cell[c].append(r)
        stuck: set[int] = set()
        self.tries: dict[int, int] = {}
        while True:
            self._heuristic(reason, stuck, min_cell)
            if not self._exact(reason, min_cell):
                return reason

    def _heuristic(self, reason: dict[int, tuple[str, str]], stuck: set[int], min_cell: int) -> None:
        """The cell-by-cell rule (module note) until no relation changes."""
        n, rels, by_cell = len(self.keys), self.relations, self.by_cell
        while True:
            # What a user knows: every shown cell not hidden, every structural zero, and every internal cell (not hidden)
            # that is the only unknown of a relation, repeated (a derived cell can be the key to the next relation).
            known = [self.structural[i] or (self.shown[i] and i not in reason) for i in range(n)]
            derived: dict[int, int] = {}
            todo = list(range(len(rels)))
            while todo:
                r = todo.pop()
                unknown = [c for c in (*rels[r][1], *rels[r][2]) if not known[c]]
                if len(unknown) == 1 and unknown[0] not in reason:
                    known[unknown[0]] = True
                    derived[unknown[0]] = r
                    todo.extend(by_cell[unknown[0]])
            changed = False
            for r, (label, lhs, rhs) in enumerate(rels):
                if r in stuck:
                    continue
                unknown = [c for c in (*lhs, *rhs) if not known[c]]
                if not unknown or any(c not in reason for c in unknown):
                    continue  # nothing hidden here, or an internal cell nobody knows keeps the hidden ones apart
                one_side = all(c in lhs for c in unknown) or all(c in rhs for c in unknown)
                if len(unknown) > 1 and not (one_side and sum(self.value[c] for c in unknown) < min_cell):
                    continue  # several hidden cells whose sum (if that is all one learns) is not itself a small count
                pick = self._pick(r, known, derived)
                if pick is None:
                    stuck.add(r)  # only structural or internal cells left: nothing to hide (should not happen)
                    continue
                reason[pick] = ("secundair", f"anders af te leiden uit {label}")
                known[pick] = False
                changed = True
            if not changed:
                return

    def _exact(self, reason: dict[int, tuple[str, str]], min_cell: int) -> bool:
        """The check the cell-by-cell rule cannot make: combine ALL relations (linear algebra over the unknown cells) and
        see whether a count under min_cell is determined exactly (e.g. a 12-month total minus the instromers of a
        cohort year that has all but one of those months). If so, hide one more visible cell of the relations that
        combine to it and return True (the caller repeats); False when nothing is determined."""
        n = len(self.keys)
        known = [self.structural[i] or (self.shown[i] and i not in reason) for i in range(n)]
        unk = [i for i in range(n) if not known[i]]
        if not any(self.value[c] < min_cell and not self.structural[c] for c in unk):
            return False  # no small count to protect (a large gemeente): nothing to compute
        col = {c: j for j, c in enumerate(unk)}
        rows: dict[int, dict[int, int]] = {}
        for r, (_, lhs, rhs) in enumerate(self.relations):
            row: dict[int, int] = {}
            for cells, sign in ((lhs, 1), (rhs, -1)):
                for c in cells:
                    if c in col:
                        row[col[c]] = row.get(col[c], 0) + sign
            row = {j: v for j, v in row.items() if v}
            if row:
                rows[r] = row
        # Relations linked by shared unknowns form independent systems: only those holding a small unknown count matter
        # (often a handful of relations, e.g. the herinstroom table's, instead of all of them).
        parent = list(range(len(unk)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for row in rows.values():
            a = find(next(iter(row)))
            for j in row:
                parent[find(j)] = a
        small = {find(col[c]) for c in unk if self.value[c] < min_cell and not self.structural[c]}
        rows = {r: row for r, row in rows.items() if find(next(iter(row))) in small}
        # An unknown in one relation only, with other unknowns there, can absorb any value: set that relation aside (it
        # decides only whether that unknown is determined: when all its other unknowns are) and repeat. Exact, and it
        # leaves a much smaller system for the linear algebra.
        where: dict[int, set[int]] = {}
        for r, row in rows.items():
            for j in row:
                where.setdefault(j, set()).add(r)
        aside: list[tuple[int, int]] = []
        removed: dict[int, dict[int, int]] = {}
        todo = [j for j, rs in where.items() if len(rs) == 1]
        while todo:
            j = todo.pop()
            if len(where.get(j, ())) != 1:
                continue
            r = next(iter(where[j]))
            if len(rows[r]) < 2:
                continue
            aside.append((j, r))
            removed[r] = rows[r]
            for k in rows.pop(r):
                where[k].discard(r)
                if len(where[k]) == 1:
                    todo.append(k)
        # One SVD per independent block of the kept relations (block-diagonal: the same row space, far cheaper than one
        # SVD over all blocks together when a page has many tables with small counts, e.g. the rendementmeters).
        used = list(rows)
        determined: set[int] = set()
        combos: dict[int, list[int]] = {}
        blocks: list[tuple[list[int], dict[int, int], np.ndarray, np.ndarray, np.ndarray]] = []  # used, pos, u, sv, vt
        block_of: dict[int, int] = {}  # column -> block
        if used:
            root = {}
            for r in used:
                a0 = find(next(iter(rows[r])))
                root.setdefault(a0, []).append(r)
            for rs in root.values():
                cols = sorted({j for r in rs for j in rows[r]})
                pos = {j: i for i, j in enumerate(cols)}
                a = np.zeros((len(rs), len(cols)))
                for i, r in enumerate(rs):
                    for j, v in rows[r].items():
                        a[i, pos[j]] = v
                u, sv_, vt = np.linalg.svd(a, full_matrices=False)
                rank = int((sv_ > 1e-9 * sv_.max()).sum())
                u, sv_, vt = u[:, :rank], sv_[:rank], vt[:rank]
                for j in cols:
                    block_of[j] = len(blocks)
                blocks.append((rs, pos, u, sv_, vt))
                # A cell is determined when its unit vector lies in the row space of the relations (projection of length 1).
                for i in np.flatnonzero((vt ** 2).sum(axis=0) > 1 - 1e-9):
                    determined.add(cols[i])
                    y = u @ (vt[:, i] / sv_)  # the combination of relations that gives this cell
                    combos[cols[i]] = {rs[k]: float(y[k]) for k in np.flatnonzero(np.abs(y) > 1e-9)}
        singleton = {j: r for j, r in aside}
        for j, r in reversed(aside):
            # j = (constant − the other unknowns of r) / its coefficient: determined when those others are, together.
            # Substitute set-aside unknowns by their own relation (each set aside later than the last), then ask whether
            # what is left lies in the row space of the kept relations.
            w = {k: v for k, v in removed[r].items() if k != j}
            combo = {r: 1.0}
            while (k := next((k for k in w if k in singleton and singleton[k] != r and singleton[k] not in combo), None)) is not None:
                r2 = singleton[k]
                f = w[k] / removed[r2][k]
                for x, v in removed[r2].items():
                    w[x] = w.get(x, 0) - f * v
                w = {x: v for x, v in w.items() if abs(v) > 1e-12}
                combo[r2] = -f
            if not w:
                determined.add(j)
                combos[j] = combo
            elif blocks and all(k in block_of for k in w):
                inside, got = True, {}
                for b in {block_of[k] for k in w}:
                    rs, pos, u, sv_, vt = blocks[b]
                    vec = np.zeros(len(pos))
                    for k, v in w.items():
                        if block_of[k] == b:
                            vec[pos[k]] = v
                    z = vt @ vec
                    if abs(z @ z - vec @ vec) >= 1e-9 * max(1.0, vec @ vec):
                        inside = False
                        break
                    y = u @ (z / sv_)
                    got.update({rs[k]: -float(y[k]) for k in np.flatnonzero(np.abs(y) > 1e-9)})
                if inside:
                    determined.add(j)
                    combos[j] = {**combo, **got}
        added = False
        for j in sorted(determined):
            c = unk[j]
            if self.value[c] >= min_cell or self.structural[c] or self.tries.get(c, 0) >= 3:
                continue
            self.tries[c] = self.tries.get(c, 0) + 1  # a derivation three hidden cells do not break is left (reported)
            combo = combos[j]
            # The visible cells the combination really uses (their coefficients do not cancel): hiding one breaks it.
            weight: dict[int, float] = {}
            for r, y in combo.items():
                for cells_, sign in ((self.relations[r][1], 1), (self.relations[r][2], -1)):
                    for x in cells_:
                        if self.shown[x] and known[x] and not self.structural[x]:
                            weight[x] = weight.get(x, 0.0) + sign * y
            cells = [x for x, v in weight.items() if abs(v) > 1e-9]
            if not cells:
                continue
            # The cell the combination leans on most (a total rather than one of the many paths through the months).
            pick = min(cells, key=lambda x: (self.tier[x], -round(abs(weight[x]), 3), self.value[x], len(self.by_cell[x]), x))
            labels = " en ".join(dict.fromkeys(self.relations[r][0] for r in list(combo)[:2]))
            reason[pick] = ("secundair", f"anders af te leiden uit {labels}{' en meer' if len(combo) > 2 else ''}")
            known[pick] = False
            added = True
        return added

    def _pick(self, r: int, known: list[bool], derived: dict[int, int]) -> int | None:
        """The shown, visible cell of relation r to hide: the lowest tier, then the smallest, then the one in the fewest
        relations (a breakdown before the stock it adds up to); when r has none (it was
        completed by derived internal cells), the same from the relations those cells were derived from."""
        seen, level = {r}, [r]
        while level:
            cells = [c for q in level for c in (*self.relations[q][1], *self.relations[q][2])
                     if self.shown[c] and known[c] and not self.structural[c]]
            if cells:
                return min(cells, key=lambda c: (self.tier[c], self.value[c], len(self.by_cell[c]), c))
            level = [derived[c] for q in level for c in (*self.relations[q][1], *self.relations[q][2])
                     if c in derived and derived[c] not in seen]
            seen.update(level)
        return None


@dataclass(frozen=True)
class Pagina:
    """The suppression pattern of the whole page for one file and peildatum: every cell a user can see by any choice
    the page offers (radio, peildata), and why the hidden ones are hidden."""

    cellen: pl.DataFrame  # tabel, rij, kolom, waarde, getoond (shown on the page), reden, toelichting (null: not hidden)
    hidden_keys: dict[Key, tuple[str, str]]

    def _apply(self, frame: pl.DataFrame, tabel: str, rij: list[str], cols: list[str], key: str | None,
               linked: dict[str, list[str]] | None = None) -> Suppressed:
        reason = {(r, c): self.hidden_keys[(tabel, k, c)] for c in cols for r, k in enumerate(rij)
                  if (tabel, k, c) in self.hidden_keys}
        return _hide(frame, cols, reason, key, linked)

    def monthly(self, table: pl.DataFrame) -> Suppressed:
        """The bestandsmonitor table (monitors.monthly over the page's window); bestand_paar is dropped."""
        t = table.drop("bestand_paar", strict=False)
        return self._apply(t, "maand", [d.isoformat() for d in t["maand"]], list(FLOWS), "maand")

    def leefvorm(self, table: pl.DataFrame) -> Suppressed:
        """monitors.leefvorm_mix on any of the page's peildata."""
        rij = [f"{p.isoformat()} {k}" for p, k in table.select("peildatum", "leefvorm").iter_rows()]
        return self._apply(table, "leefvorm", rij, ["aantal"], "peildatum", {"aantal": ["aandeel"]})

    def duur(self, table: pl.DataFrame) -> Suppressed:
        """monitors.duration_profile on the peildatum."""
        return self._apply(table, "duur", table["duurklasse"].to_list(), ["aantal"], None, {"aantal": ["aandeel"]})

    def survival(self, table: pl.DataFrame, per: str, naar: str) -> Suppressed:
        """sv.uitstroomkans(per, naar): n, uitstroom_h and n_risico_h as in the pattern; a kans with its interval
        and standard error goes with the uitstromers it rests on."""
        hs = [c.removeprefix("uitstroom_") for c in table.columns if c.startswith("uitstroom_")]
        cols = ["n"] + [f"{p}_{h}" for h in hs for p in ("uitstroom", "n_risico")]
        linked = {f"uitstroom_{h}": [f"kans_{h}", f"onder_{h}", f"boven_{h}", f"se_{h}"] for h in hs}
        return self._apply(table, f"kans:{per}:{naar}", table["groep"].to_list(), cols, "groep", linked)

    def herinstroom(self, table: pl.DataFrame) -> Suppressed:
        """monitors.herinstroom: uitstromers, terug and (internal) niet terug per horizon; a share goes with them."""
        cols, _, linked = monitors.herinstroom_relaties(table)
        return self._apply(table, "herinstroom", table["reden"].to_list(), cols, "reden", linked)

    def tabel(self, frame: pl.DataFrame, tabel: str, rij: str, cols: list[str], linked: dict[str, list[str]] | None = None
              ) -> Suppressed:
        """Any table whose cells were added to the pattern (page(extra=...)): rows named by column `rij`."""
        return self._apply(frame, tabel, frame[rij].to_list(), cols, rij, linked)

    def hidden(self, tabel: str, rij: str, kolom: str) -> tuple[str, str] | None:
        return self.hidden_keys.get((tabel, rij, kolom))

    def cost(self) -> dict[str, int]:
        """Shown cells of the page: how many a user sees and how many are hidden (primary, secondary)."""
        s = self.cellen.filter(pl.col("getoond"))
        return {"cellen": s.height, "zichtbaar": s.filter(pl.col("reden").is_null()).height,
                "primair": s.filter(pl.col("reden") == "primair").height,
                "secundair": s.filter(pl.col("reden") == "secundair").height}


FLOWS = ("bestand", "instroom", "uitstroom", "uitstroom_werk")
VISITATIE = ("instroom", "uitstroom", "uitstroom_werk")  # the visitatie block's 12-month sums


def page(spells: pl.DataFrame, peil: dt.date, *, maanden: int = PAGE_MONTHS, peildata: list[dt.date] | None = None,
         groeperingen: tuple[str, ...] = PAGE_GROUPINGS, min_cell: int = MIN_CELL, prep: sv.Prepared | None = None,
         herinstroom: pl.DataFrame | None = None, extra=None) -> Pagina:
    """One suppression over every table of the page "Eigen bestand" and the visitatie block (module note at `page`).

    Tables: the monthly table over `maanden` + 1 months; the leefvorm mix on every one of `peildata` (default
    page_peildata); the duration profile; the uitstroomkans for every grouping in `groeperingen` and every NAAR; the
    herinstroom table (when the page shows it: monitors.herinstroom_getoond); the visitatie block's bestand and
    12-month sums. Internal cells that are counts but not shown take part. `prep` and `herinstroom`: the file's
    survival.prepare and monitors.herinstroom for this peildatum, when the caller has them already (spells need the
    column client otherwise)."""
    peildata = page_peildata(peil) if peildata is None else peildata
    g = _Grid()
    van = dt.date(peil.year - maanden // 12, peil.month, 1) if maanden % 12 == 0 else _month(_idx(peil) - maanden)
    if spells.is_empty():
        return _finish(g, min_cell)
    first = spells["begin"].min().replace(day=1)  # the first month of the file (the page shows it as "maanden …")
    prep = sv.prepare(spells, peil) if prep is None else prep
    vanaf = prep.vanaf
    her = monitors.herinstroom(spells, peil) if herinstroom is None else herinstroom
    her = her if monitors.herinstroom_getoond(her) else None
    lo = min(van, min(peildata).replace(day=1), vanaf.replace(day=1) if vanaf else first,
             her["van"][0] if her is not None else van)
    rows, stock = _by_month(spells, lo, peil)
    # -- monthly table: shown from van, internal before; months before the file's first month are zero by definition
    cell: dict[tuple[dt.date, str], int] = {}
    for row in rows:
        m, shown = row["maand"], row["maand"] >= van
        for c in FLOWS if shown else ("bestand", "instroom", "uitstroom"):
            cell[(m, c)] = g.add(("maand", m.isoformat(), c), row[c], shown=shown, structural=m < first,
                                 tier=KEY_TIER if (m, c) == (rows[-1]["maand"], "bestand") else 0)
        if shown:
            overig = g.add(("maand", m.isoformat(), "uitstroom_overig"), row["uitstroom"] - row["uitstroom_werk"],
                           shown=False, structural=m < first)
            g.relate(f"de uitstroom en de uitstroom naar werk van {nl_month(m)}", [cell[(m, "uitstroom")]],
                     [cell[(m, "uitstroom_werk")], overig])
    for prev, row in zip(rows, rows[1:]):
        m = row["maand"]
        g.relate(f"de stand, instroom en uitstroom van {nl_month(m)}", [cell[(prev["maand"], "bestand")], cell[(m, "instroom")]],
                 [cell[(m, "bestand")], cell[(m, "uitstroom")]])
    # -- the visitatie block: bestand on the peildatum (the last month above) and the sums over the last 12 months
    window = [r["maand"] for r in rows if r["maand"] >= van]
    if len(window) >= 13:
        last12 = window[-12:]
        total = {}
        for c in VISITATIE:
            total[c] = g.add(("visitatie", "12 maanden", c), sum(g.value[cell[(m, c)]] for m in last12), tier=KEY_TIER)
            g.relate(f"de maandcijfers ({c.replace('_', ' ')}) van de laatste 12 maanden", [total[c]], [cell[(m, c)] for m in last12])
        g.relate("het bestand 12 maanden eerder, de instroom en de uitstroom van de laatste 12 maanden",
                 [cell[(window[-13], "bestand")], total["instroom"]], [cell[(window[-1], "bestand")], total["uitstroom"]])
    bestand_on = {r["maand"]: cell[(r["maand"], "bestand")] for r in rows}
    # -- leefvorm on every peildatum the page offers: the leefvormen add up to the bestand of that month
    for p in sorted(peildata):
        ids = [g.add(("leefvorm", f"{p.isoformat()} {k}", "aantal"), v, structural=p < first)
               for k, v in stock.get(p.replace(day=1), {}).items()]
        g.relate(f"de leefvormen op {p:%d-%m-%Y}", [bestand_on[p.replace(day=1)]], ids)
    # -- duration classes on the peildatum: add up to the bestand; a class longer than the file's history is 0 by definition
    prof = monitors.duration_profile(spells, peil)
    longest = (peil.year - first.year) * 12 + peil.month - first.month
    ids = [g.add(("duur", k, "aantal"), v, structural=lo_m > longest)
           for (k, v), (_, lo_m, _) in zip(prof.select("duurklasse", "aantal").iter_rows(), DUURKLASSEN)]
    g.relate("de duurklassen", [bestand_on[peil.replace(day=1)]], ids)
    _survival_cells(g, prep, peil, groeperingen, cell, spells)
    if her is not None:
        _herinstroom_cells(g, her, rows, cell, first)
    if extra is not None:  # more tables of the page (e.g. portal.eigen.redenen.pattern): extra(grid, month cells, months)
        extra(g, cell, rows)
    return _finish(g, min_cell)


def _by_month(spells: pl.DataFrame, lo: dt.date, peil: dt.date) -> tuple[list[dict], dict[dt.date, dict[str, int]]]:
    """From one pass over the spells, per month from lo to the peildatum's month: the row of monitors.monthly (maand,
    bestand, instroom, uitstroom, uitstroom_werk) and the bestand at the month's end by leefvorm (monitors.leefvorm_mix
    on that day; 'onbekend' when the file has it). Same definitions; tests/test_suppress_page.py checks both."""
    kinds = [*LEEFVORMEN, "onbekend"]
    s = spells.lazy().filter(pl.col("begin") <= peil).select(
        b=_mi("begin"), e=_mi("einde"), werk=pl.col("reden") == "werk",
        **{f"k{j}": pl.col("leefvorm") == k for j, k in enumerate(LEEFVORMEN)})
    hi, first = _idx(peil), _idx(lo)
    part = [pl.col(f"k{j}").sum().alias(f"k{j}") for j in range(len(LEEFVORMEN))]
    ins, outs = pl.collect_all([
        s.group_by("b").agg(pl.len().alias("n"), *part).rename({"b": "i"}),
        s.filter(pl.col("e").is_not_null() & (pl.col("e") <= hi)).group_by("e")
        .agg(pl.len().alias("n"), *part, pl.col("werk").sum().alias("w")).rename({"e": "i"})])
    flow = {i: {"instroom": 0, "uitstroom": 0, "uitstroom_werk": 0, **dict.fromkeys(kinds, 0)} for i in range(first, hi + 1)}
    now = dict.fromkeys(kinds, 0)
    for frame, sign, col in ((ins, 1, "instroom"), (outs, -1, "uitstroom")):
        for r in frame.iter_rows(named=True):
            by_kind = {k: r[f"k{j}"] for j, k in enumerate(LEEFVORMEN)}
            by_kind["onbekend"] = r["n"] - sum(by_kind.values())
            into = now if r["i"] < first else flow[r["i"]]
            for k, n in by_kind.items():
                into[k] += sign * n
            if r["i"] >= first:
                into[col] += r["n"]
                into["uitstroom_werk"] += r.get("w", 0) if sign < 0 else 0
    rows, stock = [], {}
    for i in range(first, hi + 1):
        now = {k: now[k] + flow[i][k] for k in kinds}
        stock[_month(i)] = now
        rows.append({"maand": _month(i), "bestand": sum(now.values()), **{c: flow[i][c] for c in FLOWS[1:]}})
    if not any(v["onbekend"] for v in stock.values()):  # as leefvorm_mix: 'onbekend' only when there is one
        stock = {m: {k: n for k, n in v.items() if k != "onbekend"} for m, v in stock.items()}
    return rows, stock


def _survival_cells(g: _Grid, prep: sv.Prepared, peil: dt.date, groeperingen: tuple[str, ...],
                    cell: dict[tuple[dt.date, str], int], spells: pl.DataFrame) -> None:
    """The uitstroomkans tables of every grouping and NAAR, the totaal (shown or not), and their relations."""
    vanaf = prep.vanaf
    pers = [*dict.fromkeys([*groeperingen, "totaal"])]
    ids: dict[tuple[str, str, str, str], int] = {}  # (per, naar, groep, column) -> cell
    for per in pers:
        shown = per in groeperingen
        for naar in NAAR:
            t = sv.uitstroomkans(prep, peil, naar=naar, per=per)
            hs = [c.removeprefix("uitstroom_") for c in t.columns if c.startswith("uitstroom_")]
            tabel = f"kans:{per}:{naar}"
            for row in t.rows(named=True):
                grp = row["groep"]
                first_b, last_b = _group_span(per, grp, vanaf, peil)
                ids[(per, naar, grp, "n")] = g.add((tabel, grp, "n"), row["n"], shown=shown,
                                                   tier=KEY_TIER if (per, naar) == ("totaal", "einde") else 0)
                for h in hs:
                    hd = sv.horizon_days(int(h))
                    u = g.add((tabel, grp, f"uitstroom_{h}"), row[f"uitstroom_{h}"], shown=shown,
                              tier=KEY_TIER if (per, naar) == ("totaal", "einde") else 0)
                    # Nobody could be followed beyond h months when the group's first instroom is that recent.
                    r = g.add((tabel, grp, f"n_risico_{h}"), row[f"n_risico_{h}"], shown=shown,
                              structural=first_b is not None and (peil - first_b).days + 1 <= hd)
                    # Nobody is censored before h (any ending) when the group's last instroom is longer ago than h.
                    c = g.add((tabel, grp, f"gecensureerd_{h}"), row["n"] - row[f"uitstroom_{h}"] - row[f"n_risico_{h}"],
                              shown=False, structural=naar == "einde" and last_b is not None and (peil - last_b).days + 1 > hd)
                    ids[(per, naar, grp, f"uitstroom_{h}")], ids[(per, naar, grp, f"n_risico_{h}")] = u, r
                    ids[(per, naar, grp, f"gecensureerd_{h}")] = c
                    g.relate(f"de instromers van {grp} ({per}, {naar})", [ids[(per, naar, grp, "n")]], [u, r, c])
    groups: dict[str, list[str]] = {per: [] for per in pers}
    for per, naar, grp, _ in ids:
        if grp not in groups[per]:
            groups[per].append(grp)
    cols = sorted({k[3] for k in ids})
    for per in pers:
        for naar in NAAR:
            for col in cols:
                parts = [ids[k] for grp in groups[per] if (k := (per, naar, grp, col)) in ids]
                if per != "totaal" and (per_t := ids.get(("totaal", naar, "totaal", col))) is not None:
                    g.relate(f"het totaal van de uitstroomkans ({col})", [per_t], parts)
        for grp in groups[per]:
            for col in cols:
                if col == "n" or col.startswith("n_risico"):  # the same persons in both tables of NAAR
                    a, b = ids.get((per, "einde", grp, col)), ids.get((per, "werk", grp, col))
                    if a is not None and b is not None:
                        g.relate(f"de uitstroomkans naar werk en alle uitstroom ({grp})", [a], [b])
                if col.startswith("uitstroom_"):
                    a, b = ids.get((per, "einde", grp, col)), ids.get((per, "werk", grp, col))
                    if a is not None and b is not None and g.value[a] >= g.value[b]:
                        h = col.removeprefix("uitstroom_")
                        ov = g.add((f"kans:{per}", grp, f"overig_{h}"), g.value[a] - g.value[b], shown=False)
                        g.relate(f"de uitstroom naar werk en alle uitstroom ({grp})", [a], [b, ov])
    # Instromers of a cohort (and of all cohorts) are the monthly instroom from `vanaf`: tie them to the monthly table.
    # Every begin in a month after vanaf's counts; of vanaf's own month only those from vanaf on.
    first = _idx(vanaf) if vanaf else _idx(spells["begin"].min())
    partial = spells.filter((pl.col("begin") >= vanaf) & (pl.col("begin") < _month(first + 1))).height if vanaf else None
    vmonth: dict[dt.date, int] = {}
    for m in (_month(i) for i in range(first, _idx(peil) + 1)):
        v = g.value[cell[(m, "instroom")]] if partial is None or m > _month(first) else partial
        full = cell.get((m, "instroom"))
        if full is not None and g.value[full] == v:
            vmonth[m] = full
        else:
            vmonth[m] = g.add(("instroom_vanaf", m.isoformat(), "instroom"), v, shown=False)
            if full is not None:
                rest = g.add(("instroom_voor_vanaf", m.isoformat(), "instroom"), g.value[full] - v, shown=False)
                g.relate(f"de instroom van {nl_month(m)}", [full], [vmonth[m], rest])
    if "cohort" in pers and vanaf is not None:  # a year without instromers has no row: its 0 is known to everyone
        for y in range(vanaf.year, peil.year + 1):
            if str(y) not in groups["cohort"]:
                ids[("cohort", "einde", str(y), "n")] = g.add(("kans:cohort:einde", str(y), "n"), 0, shown=False, structural=True)
                groups["cohort"].append(str(y))
    for per in pers:
        for grp in groups[per]:
            a = ids.get((per, "einde", grp, "n"))
            span = _group_span(per, grp, vanaf, peil)
            if a is None or span[0] is None or per not in ("cohort", "halfjaar", "totaal"):
                continue
            lo, hi = span[0].replace(day=1), span[1]
            g.relate(f"de instroom per maand en de instromers van {grp}", [a], [i for m, i in vmonth.items() if lo <= m <= hi])


def _herinstroom_cells(g: _Grid, her: pl.DataFrame, rows: list[dict], cell: dict[tuple[dt.date, str], int],
                       first: dt.date) -> None:
    """The herinstroom table (monitors.herinstroom): uitstromers and terug shown, niet terug internal, per reden and
    horizon; werk + overig = totaal; uitstromers = terug + niet terug. Across tables, added only when they hold in the
    data (nobody ends twice in the period, nobody on the days of a partly followed month): the uitstromers within h
    months are the monthly uitstroom (naar werk, other) from the first month covered to the end of the follow-up, and
    the uitstromers within 6 months minus those within 12 the months between the two follow-up ends."""
    hs = sorted(int(c.removeprefix("uitstromers_")) for c in her.columns if c.startswith("uitstromers_"))
    ids: dict[tuple[str, str, int], int] = {}
    for row in her.rows(named=True):
        r = row["reden"]
        for h in hs:
            for k in ("uitstromers", "terug", "niet_terug"):  # no period followed h months: every count 0 by definition
                ids[(r, k, h)] = g.add(("herinstroom", r, f"{k}_{h}"), row[f"{k}_{h}"], shown=k != "niet_terug",
                                       structural=row[f"tot_{h}"] is None)
            g.relate(f"de uitstromers en wie terugkwam ({r}, {h} maanden)", [ids[(r, "uitstromers", h)]],
                     [ids[(r, "terug", h)], ids[(r, "niet_terug", h)]])
    for h in hs:
        for k in ("uitstromers", "terug", "niet_terug"):
            g.relate(f"werk plus overig (herinstroom, {k.replace('_', ' ')} {h} maanden)", [ids[("totaal", k, h)]],
                     [ids[("werk", k, h)], ids[("overig", k, h)]])
    values = {row["maand"]: row for row in rows}

    def flow(m: dt.date, reden: str) -> int:
        """The month's uitstroom of this reden (internal before the monthly table's window)."""
        if reden == "totaal":
            return cell[(m, "uitstroom")]
        werk = cell.get((m, "uitstroom_werk"))
        if werk is None:
            werk = g.add(("maand", m.isoformat(), "uitstroom_werk"), values[m]["uitstroom_werk"], shown=False, structural=m < first)
            overig = g.add(("maand", m.isoformat(), "uitstroom_overig"), values[m]["uitstroom"] - values[m]["uitstroom_werk"],
                           shown=False, structural=m < first)
            g.relate(f"de uitstroom en de uitstroom naar werk van {nl_month(m)}", [cell[(m, "uitstroom")]], [werk, overig])
            cell[(m, "uitstroom_werk")] = werk
        return werk if reden == "werk" else g.index[("maand", m.isoformat(), "uitstroom_overig")]

    van, ends = her["van"][0], {h: her[f"tot_{h}"][0] for h in hs}
    # (horizon counted, horizon subtracted or None, first day after which, last day up to which endings count)
    periods = [(h, None, van - dt.timedelta(days=1), ends[h]) for h in hs if ends[h] is not None]
    periods += [(a, b, ends[b], ends[a]) for a, b in zip(hs, hs[1:]) if ends[a] is not None and ends[b] is not None]
    for a, b, after, upto in periods:
        months = [m for m in values if m > after and month_end(m) <= upto]
        for r in monitors.HERINSTROOM_REDENEN:
            minus = [] if b is None else [ids[(r, "uitstromers", b)]]
            g.relate(f"de uitstromers ({r}, {a} maanden) en de uitstroom per maand", [ids[(r, "uitstromers", a)]],
                     minus + [flow(m, r) for m in months])


def _group_span(per: str, grp: str, vanaf: dt.date | None, peil: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last possible begin date of a group of the uitstroomkans (None, None: any date up to the peildatum)."""
    start = vanaf or dt.date.min
    if per == "totaal":
        return max(start, dt.date(1900, 1, 1)), peil
    if per not in ("cohort", "halfjaar"):
        return None, None
    y = int(grp[:4])
    a, b = (dt.date(y, 1, 1), dt.date(y, 12, 31))
    if per == "halfjaar":
        a, b = (a, dt.date(y, 6, 30)) if "jan" in grp else (dt.date(y, 7, 1), b)
    return max(a, start), min(b, peil)


def _finish(g: _Grid, min_cell: int) -> Pagina:
    reason = g.solve(min_cell)
    keys = {g.keys[i]: why for i, why in reason.items()}
    cellen = pl.DataFrame(
        {"tabel": [k[0] for k in g.keys], "rij": [k[1] for k in g.keys], "kolom": [k[2] for k in g.keys], "waarde": g.value,
         "getoond": g.shown, "reden": [reason.get(i, (None, None))[0] for i in range(len(g.keys))],
         "toelichting": [reason.get(i, (None, None))[1] for i in range(len(g.keys))]},
        schema={"tabel": pl.String, "rij": pl.String, "kolom": pl.String, "waarde": pl.Int64, "getoond": pl.Boolean,
                "reden": pl.String, "toelichting": pl.String})
    return Pagina(cellen, keys)


def cbs_input(table: pl.DataFrame, pagina: Pagina) -> pl.DataFrame:
    """The monthly table as the CBS comparison may use it: bestand and bestand + paren rounded to tens (as CBS rounds),
    so the comparison does not reveal the paren (a leefvorm count); months whose bestand is hidden are left out."""
    keep = [pagina.hidden("maand", d.isoformat(), "bestand") is None for d in table["maand"]]
    r10 = lambda e: ((e + 5) // 10 * 10)  # noqa: E731
    return table.filter(pl.Series(keep, dtype=pl.Boolean)).with_columns(
        bestand=r10(pl.col("bestand")), bestand_paar=r10(pl.col("bestand") + pl.col("bestand_paar")) - r10(pl.col("bestand")))
