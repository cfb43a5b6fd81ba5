"""Rendementmeters (issue 22 part 4; the name is the WWB-kompas's, seed bundle "Op het doel af", essay 2): per type of
re-integratievoorziening (SRG) and client group, the share that leaves the algemene bijstand for work within 6 and 12
months after the voorziening started, against comparable clients without that voorziening in the same month.

A comparison, not a proven effect: clients are not assigned to a voorziening at random, and whatever made a klantmanager
choose this client (motivation, health, a job in view) and is not in the file is not matched on.

Definitions (every choice named; the page repeats them in Dutch):
- Months. Month m is a calendar month; "in de bijstand in maand m" = an episode of algemene bijstand (spells joined by
  portal.eigen.episodes.merge) running at the end of month m (begin on or before the month end, einde after it).
- Deelnemer (treated). The FIRST start of a voorziening of this type by a person (a later start of the same type is
  no new start), in month s from the first month the BUS covers completely (`van`) on, while that person is in the
  bijstand: an episode that began on or before the start date and is still running at the end of month s.
- Uitkomst. The episode ends with reden werk (BUS kenmerk 34: 11 arbeid in dienstbetrekking, 13 zelfstandig beroep of
  bedrijf) in the h months after month s (h = 6, 12): einde in months s + 1 … s + h. An ending in the start month itself
  does not count (the order of start and ending within a month is unknown for the comparison group); any other ending
  counts as not to work.
- Censoring. Only starts with h whole months of observation before the peildatum count for horizon h (s + h ≤ the
  peildatum's month); the peildatum is the earlier of the BUS's and the SRG's. So the 12-month meter needs 13 months.
- Vergelijkbare cliënten (controls). Person-months of clients in the bijstand at the end of the same month m who had NOT
  started a voorziening of this type by then (in that month or before). Chosen: without THIS type (another voorziening
  is allowed), and a client who starts this type later is a control until then ("not started by that month", the usual
  choice when anyone can start at any time; it makes the comparison "start now" against "not now").
- Matching. Exact, on the cell (month, duration class, age group, leefvorm, participatieladder): duration class
  (schema.DUURKLASSEN) = whole months from the episode's begin to the month end; age group (schema.LEEFTIJDSGROEPEN) =
  the year of the month minus the geboortejaar; leefvorm of the episode; ladder = the position known at that month.
  The ladder is only in the SRG, so it is known only for clients with a voorziening: a position counts from the month
  in which both its begindatum and the begin of the voorziening that reports it have passed (never from a later file:
  a control whose ladder were known only because he gets a voorziening later would be selected on staying in the
  bijstand). Without a known position the ladder is "onbekend", its own category: a deelnemer with a known position is
  compared with clients on the same trede (in practice clients who have, or had, another voorziening); one without,
  with clients whose position is unknown too. A deelnemer whose cell has no control is "niet vergeleken".
- Estimate (ATT, stratification): per cell the controls' share to work p_c; the comparison share = the mean of p_c over
  the vergeleken deelnemers (cells weighted by their number of deelnemers); difference = deelnemers' share minus that,
  in percentage points. Per client group the same over the cells of that group (the group is part of the cell).
- Interval (95 %): difference ± 1,96 × se; se from the linearised estimator with the terms of one person added up
  (clustered by person): a deelnemer's term (Y − p_c − difference), a control's terms (n_t/N_c)(Y − p_c) over all
  months in which he is a control, his own deelnemer term included. Persons are in many months and cells as
  controls; clustering takes that into account. Approximate: the cells' weights are taken as given and the normal
  approximation is used; with few deelnemers per group the interval is rough.
- Persons. gestart = deelnemers in the bijstand with h months of observation; vergeleken = those with at least one
  control in their cell; werk = vergeleken deelnemers to work within h months; vergelijking = distinct persons who
  are a control in a cell with a vergeleken deelnemer, vergelijking_werk = those of them who left for work within h
  months of such a month.
Voorzieningen of a person who is not in the BUS file as the first person of an uitkering (a partner) are not linked.

Suppression: `pattern` adds the counts to the page's one pattern (portal.eigen.suppress.page, argument `extra`, as
portal.eigen.redenen does); `shown` applies it: a rendementmeter shows shares and the difference only when none of its
counts is hidden (a share with the count it rests on would reveal that count).

Speed: the controls are never expanded to person-months: every episode is cut into segments of constant cell key
(duration class, age group, ladder) and the per-cell counts come from difference arrays; a segment's terms of the
interval from prefix sums over the months (numpy). Measured in portal/tools/bench_rendement.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from portal.eigen.bus import VOORZIENINGEN
from portal.eigen.maanden import _idx, _mi
from portal.eigen.schema import DUURKLASSEN, LEEFTIJDSGRENZEN, LEEFTIJDSGROEPEN, LEEFVORMEN, MIN_CELL, ONBEKEND

HORIZONTEN = (6, 12)
Z95 = 1.959963984540054
BIG = 10**7  # a month index later than any real one ("never")

# The cell key without the month: duration class × age group × leefvorm × ladder, one integer k.
# Matching uses duration bands within the classes shown (schema.DUURKLASSEN: 12, 24, 60, 120 months): a class of
# several years holds clients whose hazard changes within it, and a comparison group selected on an earlier
# voorziening sits later in a class than the deelnemers (measured on rendement_sim: 0,5 standard error of bias with the
# classes alone, none with these bands).
DUUR_GRENZEN = (3, 6, 9, 12, 15, 18, 21, 24, 36, 48, 60, 90, 120)
assert {lo for _, lo, _ in DUURKLASSEN[1:]} <= set(DUUR_GRENZEN)
N_DUUR, N_LFT, N_LV, N_LAD = len(DUUR_GRENZEN) + 1, len(LEEFTIJDSGROEPEN) + 1, len(LEEFVORMEN) + 1, 7
_BAND_KLASSE = np.searchsorted([lo for _, lo, _ in DUURKLASSEN[1:]], [0, *DUUR_GRENZEN], side="right")
K = N_DUUR * N_LFT * N_LV * N_LAD
_K = np.arange(K)
GROEP = {"totaal": np.zeros(K, dtype=np.int64), "leeftijd": (_K // (N_LV * N_LAD)) % N_LFT,
         "leefvorm": (_K // N_LAD) % N_LV, "duur": _BAND_KLASSE[_K // (N_LFT * N_LV * N_LAD)], "ladder": _K % N_LAD}
INDELINGEN = {"totaal": "alle deelnemers", "leeftijd": "leeftijd", "leefvorm": "leefvorm", "duur": "duur van de uitkering",
              "ladder": "participatieladder"}
LABELS = {"totaal": ["alle deelnemers"], "leeftijd": [*LEEFTIJDSGROEPEN, ONBEKEND],
          "leefvorm": [*(v.replace("_", " ") for v in LEEFVORMEN), ONBEKEND], "duur": [d[0] for d in DUURKLASSEN],
          "ladder": [ONBEKEND, *(f"trede {i}" for i in range(1, 7))]}
TELLINGEN = ("gestart", "vergeleken", "werk", "vergelijking", "vergelijking_werk")
SCHATTINGEN = ("aandeel", "aandeel_vergelijking", "verschil", "se", "onder", "boven")
SCHEMA = {"type": pl.String, "voorziening": pl.String, "indeling": pl.String, "groep": pl.String, "h": pl.Int32,
          **{c: pl.Int64 for c in TELLINGEN}, **{c: pl.Float64 for c in SCHATTINGEN}}


@dataclass(frozen=True)
class Rendement:
    tabel: pl.DataFrame  # SCHEMA: one row per type, indeling, groep and horizon h
    van: dt.date  # first month of starts counted
    peil: dt.date  # end of observation (the earlier of the BUS's and the SRG's peildatum)
    voorzieningen: int  # rows of the SRG upload
    gekoppeld: int  # of which the person is in the BUS file (any time)

    def meter(self, type_: str, h: int, indeling: str = "totaal") -> pl.DataFrame:
        return self.tabel.filter((pl.col("type") == type_) & (pl.col("h") == h) & (pl.col("indeling") == indeling))


# ---- preparation: persons, segments of constant cell key, starts ------------------------------------------------------
def _cell_exprs(m: str) -> dict[str, pl.Expr]:
    """Duration class, age group and leefvorm index at month index column `m` (columns b, gj, lv)."""
    d = pl.col(m) - pl.col("b")
    age = pl.col(m) // 12 - pl.col("gj")
    lft = pl.when(pl.col("gj").is_null()).then(N_LFT - 1).otherwise(
        pl.sum_horizontal(*[(age >= g).cast(pl.Int64) for g in LEEFTIJDSGRENZEN]))
    return {"duur": pl.sum_horizontal(*[(d >= g).cast(pl.Int64) for g in DUUR_GRENZEN]), "lft": lft}


def _key() -> pl.Expr:
    return ((pl.col("duur") * N_LFT + pl.col("lft")) * N_LV + pl.col("lv")) * N_LAD + pl.col("ladder")


@dataclass(frozen=True)
class _Prepared:
    lo: int
    hi: int
    n_persons: int
    seg: dict[str, np.ndarray]  # p, k, m1, m2 (relative months), fw (relative exit month of a werk ending, else BIG)
    starts: pl.DataFrame  # per person and type: p, type, s (month index of the first start)
    treated: pl.DataFrame  # first starts in the bijstand at the end of the start month: p, type, s, k, e, werk
    onbekend: dict[str, bool]  # whether the file has clients without age / leefvorm (else no row "onbekend" for them)


def _prepare(spells: pl.DataFrame, voorz: pl.DataFrame, peil: dt.date, van: dt.date) -> _Prepared:
    lo, hi = _idx(van), _idx(peil)
    ids = pl.concat([spells.select("client"), voorz.select("client")]).unique().with_row_index("p")
    lv_code = {v: i for i, v in enumerate(LEEFVORMEN)}
    ep = (spells.lazy().filter(pl.col("begin") <= peil).join(ids.lazy(), on="client")
          .select("p", "begin", b=_mi("begin").cast(pl.Int64), e=_mi("einde").cast(pl.Int64).fill_null(BIG),
                  werk=(pl.col("reden") == "werk").fill_null(False),
                  lv=pl.col("leefvorm").replace_strict(lv_code, default=N_LV - 1, return_dtype=pl.Int64),
                  gj=pl.col("geboortejaar").cast(pl.Int64))
          .with_columns(e=pl.min_horizontal("e", pl.lit(BIG))).collect())
    # The ladder positions known per person: from the month both the position's begin and its voorziening's begin passed.
    lad = (voorz.lazy().filter(pl.col("ladder").is_not_null()).join(ids.lazy(), on="client")
           .select("p", L=_mi("begin").cast(pl.Int64).clip(lower_bound=_mi("ladder_begin").cast(pl.Int64).fill_null(0)),
                   ladder=pl.col("ladder").cast(pl.Int64), vb="begin")
           .sort("p", "L", "vb").unique(["p", "L"], keep="last").select("p", "L", "ladder").sort("L").collect())
    # Segments: the months an episode is in the bijstand inside the window, cut where the cell key may change.
    win = (ep.with_row_index("ep").with_columns(a=pl.max_horizontal("b", pl.lit(lo)), z=pl.min_horizontal(pl.col("e") - 1, pl.lit(hi)))
           .filter(pl.col("a") <= pl.col("z")))
    cuts = [pl.col("b") + g for g in DUUR_GRENZEN] + [(pl.col("gj") + g) * 12 for g in LEEFTIJDSGRENZEN]
    brk = (win.select("ep", "a", "z", *[c.alias(f"c{i}") for i, c in enumerate(cuts)])
           .unpivot(index=["ep", "a", "z"], value_name="s").drop("variable"))
    brk_lad = win.select("ep", "p", "a", "z").join(lad.select("p", s="L"), on="p")
    s_all = pl.concat([win.select("ep", s=pl.col("a")),
                       brk.filter((pl.col("s") > pl.col("a")) & (pl.col("s") <= pl.col("z"))).select("ep", "s"),
                       brk_lad.filter((pl.col("s") > pl.col("a")) & (pl.col("s") <= pl.col("z"))).select("ep", "s")])
    seg = (s_all.unique().sort("ep", "s").join(win.select("ep", "p", "b", "e", "z", "werk", "lv", "gj"), on="ep")
           .with_columns(s1=(pl.col("s").shift(-1).over("ep") - 1).fill_null(pl.col("z")), **_cell_exprs("s")))
    seg = (seg.sort("s").join_asof(lad, left_on="s", right_on="L", by="p", strategy="backward", check_sortedness=False)
           .with_columns(ladder=pl.col("ladder").fill_null(0)).with_columns(k=_key()).sort("p", "s"))
    arr = {"p": seg["p"].to_numpy().astype(np.int64), "k": seg["k"].to_numpy().astype(np.int64),
           "m1": (seg["s"].to_numpy() - lo).astype(np.int64), "m2": (seg["s1"].to_numpy() - lo).astype(np.int64),
           "fw": np.where(seg["werk"].to_numpy(), seg["e"].to_numpy() - lo, BIG).astype(np.int64)}
    # First start per person and type; linked to the episode that began on or before the start date.
    first = (voorz.lazy().join(ids.lazy(), on="client").group_by("p", "type").agg(pl.col("begin").min())
             .with_columns(s=_mi("begin").cast(pl.Int64)).collect())
    tr = (first.sort("begin").join_asof(ep.sort("begin").rename({"begin": "ep_begin"}), left_on="begin", right_on="ep_begin",
                                        by="p", strategy="backward", check_sortedness=False)
          .filter(pl.col("e").is_not_null() & (pl.col("e") > pl.col("s")) & (pl.col("s") >= lo) & (pl.col("s") <= hi))
          .with_columns(**_cell_exprs("s")).sort("s")
          .join_asof(lad, left_on="s", right_on="L", by="p", strategy="backward", check_sortedness=False)
          .with_columns(ladder=pl.col("ladder").fill_null(0)).with_columns(k=_key())
          .select("p", "type", "s", "k", "e", "werk"))
    onbekend = {"leeftijd": bool(spells["geboortejaar"].is_null().any()),
                "leefvorm": bool((~spells["leefvorm"].is_in(LEEFVORMEN)).fill_null(True).any())}
    return _Prepared(lo, hi, ids.height, arr, first.select("p", "type", "s"), tr, onbekend)


# ---- per type: control cells, estimates, clustered variance -----------------------------------------------------------
def _cells(k: np.ndarray, a: np.ndarray, z: np.ndarray, months: int) -> np.ndarray:
    """(K, months) counts of person-months from segments k over relative months a..z (inclusive)."""
    w = months + 1
    d = (np.bincount(k * w + a, minlength=K * w) - np.bincount(k * w + z + 1, minlength=K * w)).reshape(K, w)
    return np.cumsum(d, axis=1)[:, :months]


def _prefix(x: np.ndarray) -> np.ndarray:
    """Flattened (K, months + 1) prefix sums over the months: P[k, j] = sum of x[k, :j]."""
    return np.concatenate([np.zeros((K, 1)), np.cumsum(x, axis=1)], axis=1).ravel()


class _Groups:
    """Per indeling: the segments in (person, group) order with the boundaries of each (person, group) run."""

    def __init__(self, seg: dict[str, np.ndarray]):
        self.runs = {}
        for name, grp in GROEP.items():
            ng = len(LABELS[name])
            key = seg["p"] * ng + grp[seg["k"]]
            perm = None if np.all(key[1:] >= key[:-1]) else np.argsort(key, kind="stable")
            ks = key if perm is None else key[perm]
            starts = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]])) if len(ks) else np.zeros(0, np.int64)
            self.runs[name] = (perm, starts, ks[starts], ks[starts] % ng, ng)

    def reduce(self, name: str, v: np.ndarray, how) -> np.ndarray:
        perm, starts, *_ = self.runs[name]
        if len(starts) == 0:
            return np.zeros((0, v.shape[1]), v.dtype)
        return how.reduceat(v if perm is None else v[perm], starts, axis=0)


def _per_type(prep: _Prepared, groups: _Groups, type_: str, horizons: tuple[int, ...]) -> list[dict]:
    seg, months = prep.seg, prep.hi - prep.lo + 1
    st = np.full(prep.n_persons, BIG, dtype=np.int64)
    s = prep.starts.filter(pl.col("type") == type_)
    st[s["p"].to_numpy()] = s["s"].to_numpy() - prep.lo
    m1, k = seg["m1"], seg["k"]
    m2 = np.minimum(seg["m2"], st[seg["p"]] - 1)  # a control until the month before his own first start of this type
    valid = m2 >= m1
    n_c = _cells(k[valid], m1[valid], m2[valid], months)
    t = prep.treated.filter(pl.col("type") == type_)
    tp, tk = t["p"].to_numpy().astype(np.int64), t["k"].to_numpy().astype(np.int64)
    tm = t["s"].to_numpy().astype(np.int64) - prep.lo
    te, tw = t["e"].to_numpy().astype(np.int64) - prep.lo, t["werk"].to_numpy()
    rows: list[dict] = []
    w = months + 1
    cols_t, cols_cd, per_h = [], [], []
    for h in horizons:
        a = np.maximum(m1, seg["fw"] - h)
        vw = valid & (a <= m2)
        w_c = _cells(k[vw], a[vw], m2[vw], months)
        elig = tm <= months - 1 - h
        cell = tk * months + tm
        n_t = np.bincount(cell[elig], minlength=K * months).reshape(K, months)
        matched_cell = (n_t > 0) & (n_c > 0)
        p_c = np.divide(w_c, n_c, out=np.zeros((K, months)), where=n_c > 0)
        g = np.divide(n_t, n_c, out=np.zeros((K, months)), where=matched_cell)
        p1, p2, p3 = _prefix(g), _prefix(g * p_c), _prefix(matched_cell.astype(np.float64))
        hi_i, lo_i, a_i = k * w + np.where(valid, m2 + 1, m1), k * w + m1, k * w + np.minimum(a, m2 + 1)
        t_seg = np.where(vw, p1[hi_i] - p1[a_i], 0.0) - np.where(valid, p2[hi_i] - p2[lo_i], 0.0)
        c_seg = valid & (p3[hi_i] - p3[lo_i] > 0)
        d_seg = vw & (p3[hi_i] - p3[a_i] > 0)
        cols_t.append(t_seg)
        cols_cd += [c_seg, d_seg]
        y = tw & (te <= tm + h)
        m = elig & (n_c.ravel()[np.clip(cell, 0, K * months - 1)] > 0)
        per_h.append((h, elig, m, y, p_c.ravel()[np.clip(cell, 0, K * months - 1)]))
    tv = np.column_stack(cols_t) if cols_t else np.zeros((len(k), 0))
    cd = np.column_stack(cols_cd).astype(np.uint8) if cols_cd else np.zeros((len(k), 0), np.uint8)
    for name in GROEP:
        _, _, ukeys, ugrp, ng = groups.runs[name]
        rt, rcd = groups.reduce(name, tv, np.add), groups.reduce(name, cd, np.maximum)
        gj = GROEP[name][tk]
        for i, (h, elig, m, y, pj) in enumerate(per_h):
            n_start = np.bincount(gj[elig], minlength=ng)
            n_m = np.bincount(gj[m], minlength=ng)
            n_w = np.bincount(gj[m], weights=y[m], minlength=ng)
            cs = np.bincount(gj[m], weights=pj[m], minlength=ng)
            att = np.divide(n_w - cs, n_m, out=np.zeros(ng), where=n_m > 0)
            a_j = (y[m] - pj[m] - att[gj[m]])
            key_j = tp[m] * ng + gj[m]
            pos = np.searchsorted(ukeys, key_j)
            ok = pos < len(ukeys)
            ok[ok] = ukeys[pos[ok]] == key_j[ok]
            b_j = np.where(ok, rt[np.minimum(pos, max(len(ukeys) - 1, 0)), i] if len(ukeys) else 0.0, 0.0)
            ss = (np.bincount(gj[m], weights=a_j ** 2, minlength=ng) - 2 * np.bincount(gj[m], weights=a_j * b_j, minlength=ng)
                  + np.bincount(ugrp, weights=rt[:, i] ** 2, minlength=ng))
            pers = np.bincount(ugrp, weights=rcd[:, 2 * i], minlength=ng)
            pers_w = np.bincount(ugrp, weights=rcd[:, 2 * i + 1], minlength=ng)
            for j, label in enumerate(LABELS[name]):
                if name in ("leeftijd", "leefvorm") and label == ONBEKEND and not prep.onbekend[name]:
                    continue
                nm = int(n_m[j])
                est = {}
                if nm:
                    se = float(np.sqrt(max(ss[j], 0.0))) / nm
                    d = float(att[j])
                    est = {"aandeel": n_w[j] / nm * 100, "aandeel_vergelijking": cs[j] / nm * 100, "verschil": d * 100,
                           "se": se * 100, "onder": (d - Z95 * se) * 100, "boven": (d + Z95 * se) * 100}
                rows.append({"type": type_, "voorziening": VOORZIENINGEN.get(type_, type_), "indeling": name, "groep": label,
                             "h": h, "gestart": int(n_start[j]), "vergeleken": nm, "werk": int(n_w[j]),
                             "vergelijking": int(pers[j]), "vergelijking_werk": int(pers_w[j]),
                             **{c: est.get(c) for c in SCHATTINGEN}})
    return rows


def rendementmeters(spells: pl.DataFrame, voorzieningen: pl.DataFrame, peil: dt.date, van: dt.date,
                    horizons: tuple[int, ...] = HORIZONTEN, types: tuple[str, ...] | None = None) -> Rendement:
    """The rendementmeters (module note) of episodes of algemene bijstand (`spells`: client, begin, einde, reden,
    leefvorm, geboortejaar; joined with portal.eigen.episodes.merge) and SRG voorzieningen (bus.VOORZIENING_SCHEMA), for
    starts from the month of `van` (the first month the BUS covers completely) up to `peil` (the earlier peildatum).
    Every type of bus.VOORZIENINGEN (or `types`) gets rows, also without starts (counts 0)."""
    types = tuple(VOORZIENINGEN) if types is None else types
    prep = _prepare(spells, voorzieningen, peil, van)
    groups = _Groups(prep.seg)
    rows = [r for t in types for r in _per_type(prep, groups, t, horizons)]
    gekoppeld = voorzieningen.join(spells.select("client").unique(), on="client", how="semi").height
    return Rendement(pl.DataFrame(rows, schema=SCHEMA, orient="row"), van.replace(day=1), peil, voorzieningen.height, gekoppeld)


def oordeel(onder: float | None, boven: float | None) -> str | None:
    """The verdict a figure can carry: only when the interval excludes 0."""
    if onder is None or boven is None:
        return None
    if onder > 0:
        return "hoger dan vergelijkbare cliënten"
    if boven < 0:
        return "lager dan vergelijkbare cliënten"
    return "geen aantoonbaar verschil"


# ---- suppression: the counts join the page's one pattern ----------------------------------------------------------------
INTERN = ("niet_vergeleken", "niet_werk", "vergelijking_niet_werk")  # counts not shown but following from shown ones
GETOOND = ("gestart", "vergeleken", "werk", "vergelijking")


def tabel_naam(type_: str, h: int) -> str:
    return f"rendement:{type_}:{h}"


def pattern(r: Rendement):
    """The `extra` of portal.eigen.suppress.page: every count of every rendementmeter (each type, horizon and client
    group the page offers) as a cell. Shown: gestart, vergeleken, werk (the deelnemers' share rests on it) and
    vergelijking (persons). Internal: niet vergeleken, niet naar werk, and the comparison group's persons to work and
    not (its share is a weighted mean, not a count, but it must not rest on fewer than MIN_CELL persons either way).
    Relations: gestart = vergeleken + niet vergeleken; vergeleken = werk + niet werk; vergelijking = werk + niet werk
    of the comparison group; per indeling the groups add up to the total (the deelnemers' counts; comparison persons
    can be in several groups). Rows with the total go last (KEY_TIER). No relation ties these cells to the other
    tables of the page (they count starts and person-months, no stock or flow shown there)."""
    from portal.eigen.suppress import KEY_TIER

    # A meter (type and horizon) whose counts are all under MIN_CELL (a type the SRG hardly has) is hidden whole: its
    # relations could reveal nothing, so they are left out (they would only cost the exact check time).
    small = {(t, h) for t, h, n in r.tabel.group_by("type", "h").agg(pl.max_horizontal(*TELLINGEN).max()).iter_rows()
             if (n or 0) < MIN_CELL}

    def add(g, cell: dict, rows: list[dict]) -> None:  # noqa: ARG001 - the signature of suppress.page's extra
        ids: dict[tuple[str, int, str, str, str], int] = {}
        for row in r.tabel.iter_rows(named=True):
            t, h, ind, grp = row["type"], row["h"], row["indeling"], row["groep"]
            if (t, h) in small:
                for k in (*TELLINGEN, *INTERN):
                    v = {"niet_vergeleken": row["gestart"] - row["vergeleken"], "niet_werk": row["vergeleken"] - row["werk"],
                         "vergelijking_niet_werk": row["vergelijking"] - row["vergelijking_werk"]}.get(k, row.get(k))
                    g.add((tabel_naam(t, h), f"{ind}:{grp}", k), v, shown=k in GETOOND)
                continue
            tabel, rij = tabel_naam(t, h), f"{ind}:{grp}"
            tier = KEY_TIER if ind == "totaal" else 0
            vals = {**{c: row[c] for c in TELLINGEN}, "niet_vergeleken": row["gestart"] - row["vergeleken"],
                    "niet_werk": row["vergeleken"] - row["werk"],
                    "vergelijking_niet_werk": row["vergelijking"] - row["vergelijking_werk"]}
            c = {k: g.add((tabel, rij, k), v, shown=k in GETOOND, tier=tier) for k, v in vals.items()}
            ids.update({(t, h, ind, grp, k): i for k, i in c.items()})
            g.relate(f"de gestarte deelnemers ({row['voorziening']}, {grp})", [c["gestart"]], [c["vergeleken"], c["niet_vergeleken"]])
            g.relate(f"de vergeleken deelnemers ({row['voorziening']}, {grp})", [c["vergeleken"]], [c["werk"], c["niet_werk"]])
            g.relate(f"de vergelijkbare cliënten ({row['voorziening']}, {grp})", [c["vergelijking"]],
                     [c["vergelijking_werk"], c["vergelijking_niet_werk"]])
        parts: dict[tuple[str, int, str, str], list[int]] = {}
        for (t, h, ind, _, k), i in ids.items():
            parts.setdefault((t, h, ind, k), []).append(i)
        for (t, h, ind, k), cells in parts.items():
            if ind != "totaal" and (t, h) not in small and k in ("gestart", "vergeleken", "werk", "niet_vergeleken", "niet_werk"):
                g.relate(f"de groepen naar {INDELINGEN[ind]} ({VOORZIENINGEN.get(t, t)}, {h} maanden)",
                         [ids[(t, h, "totaal", LABELS["totaal"][0], k)]], cells)

    return add


def toon(r: Rendement, pagina, h: int, indeling: str = "totaal", type_: str | None = None):  # noqa: ANN001 - suppress.Pagina
    """The rows of one table as the page shows them: one row per type (indeling totaal) or per group of one type;
    hidden counts null; shares, difference and interval only when none of the meter's counts is hidden (shown or
    internal). Returns (frame with column `oordeel`, suppress.Suppressed-like note lines)."""
    from portal.eigen.suppress import Suppressed

    f = r.tabel.filter((pl.col("h") == h) & (pl.col("indeling") == indeling))
    if type_ is not None:
        f = f.filter(pl.col("type") == type_)
    hidden_rows, cellen = [], []
    out = []
    for i, row in enumerate(f.iter_rows(named=True)):
        tabel, rij = tabel_naam(row["type"], h), f"{indeling}:{row['groep']}"
        why = {k: pagina.hidden(tabel, rij, k) for k in (*GETOOND, *INTERN, "vergelijking_werk")}
        row = dict(row)
        for k in GETOOND:
            if why[k] is not None:
                row[k] = None
                cellen.append({"rij": i, "sleutel": rij, "kolom": k, "reden": why[k][0], "toelichting": why[k][1]})
        if any(why[k] is not None for k in ("vergeleken", "werk", "vergelijking", "niet_werk", "vergelijking_werk",
                                            "vergelijking_niet_werk")):
            row.update(dict.fromkeys(SCHATTINGEN))
            hidden_rows.append(i)
        row["oordeel"] = oordeel(row["onder"], row["boven"])
        out.append(row)
    frame = pl.DataFrame(out, schema={**SCHEMA, "oordeel": pl.String}, orient="row")
    cel = pl.DataFrame(cellen, schema={"rij": pl.Int64, "sleutel": pl.String, "kolom": pl.String, "reden": pl.String,
                                       "toelichting": pl.String})
    return frame, Suppressed(frame, cel).note()


__all__ = ["rendementmeters", "Rendement", "oordeel", "pattern", "toon", "tabel_naam", "HORIZONTEN", "INDELINGEN", "LABELS", "TELLINGEN"]
