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
- Matching. Exact, on the cell (month, duration band, age group, leefvorm, participatieladder): duration band
  (DUUR_GRENZEN, within schema.DUURKLASSEN) = whole months from the episode's begin to the month end; age group (schema.LEEFTIJDSGROEPEN) =
  the year of the month minus the geboortejaar; leefvorm of the episode; ladder = the position known at that month.
  The ladder is only in the SRG, so it is known only for clients with a voorziening: a position counts from the month
  in which both its begindatum and the begin of the voorziening that reports it have passed (never from a later file:
  a control whose ladder were known only because he gets a voorziening later would be selected on staying in the
  bijstand). Of several positions known by a month the latest counts: by its begindatum (without one, the voorziening's
  begin), then the voorziening's begin (an older position reported later does not replace a newer one). Without a known position the ladder is "onbekend", its own category: a deelnemer with a known position is
  compared with clients on the same trede (in practice clients who have, or had, another voorziening); one without,
  with clients whose position is unknown too. A deelnemer whose cell has no control is "niet vergeleken".
- Estimate (ATT, stratification): per cell the controls' share to work p_c; the comparison share = the mean of p_c over
  the vergeleken deelnemers (cells weighted by their number of deelnemers); difference = deelnemers' share minus that,
  in percentage points. Per client group the same over the cells of that group (the group is part of the cell).
- Interval (95 %): difference ± 1,96 × se; se from the linearised estimator with the terms of one person added up
  (clustered by person): a deelnemer's term (Y − p_c − difference), a control's terms (n_t/N_c)(Y − p_c) over all
  months in which he is a control, his own deelnemer term included; per client group one cluster per person and group
  (all his terms in that group, also when he leaves the group and comes back). Persons are in many months and cells as
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
interval from prefix sums over the months (numpy). A cluster's sums (person, or person and group) are differences of
cumulative sums over the segments, not one reduction per cluster; month values are int32, index arrays int64 (numpy
converts any other index array before a gather). Measured in portal/tools/bench_rendement.py.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
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
# voorziening sits later in a class than the deelnemers (measured on rendement_sim over 30 seeds: a mean z of +0,5 to
# +0,7 with the classes alone; −0,3 to +0,2 with these bands, as with bands of 3 months).
DUUR_GRENZEN = (6, 12, 18, 24, 36, 60, 90, 120)
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
def _key(band: np.ndarray, month: np.ndarray, gj: np.ndarray, lv: np.ndarray, ladder: np.ndarray) -> np.ndarray:
    """Cell key k (without the month) from the duration band, the month index (for the age group: year − geboortejaar;
    gj < 0 = unknown), leefvorm index and ladder (0 = unknown)."""
    age = month // 12 - gj
    lft = np.where(gj < 0, N_LFT - 1, (age >= LEEFTIJDSGRENZEN[0]).astype(np.int64) + (age >= LEEFTIJDSGRENZEN[1]))
    return ((band * N_LFT + lft) * N_LV + lv) * N_LAD + ladder


def _band(d: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(DUUR_GRENZEN), d, side="right")


@dataclass(frozen=True)
class _Prepared:
    lo: int
    hi: int
    n_persons: int
    seg: dict[str, np.ndarray]  # sorted by person and month: p, k, m1, m2 (relative months), fw (werk exit, else BIG)
    starts: dict[str, tuple[np.ndarray, np.ndarray]]  # per type: p, s (relative month of the first start, any)
    treated: dict[str, dict[str, np.ndarray]]  # per type, first starts in the bijstand: p, k, m (relative), e, werk
    onbekend: dict[str, bool]  # whether the file has clients without age / leefvorm (else no row "onbekend" for them)
    pure: dict  # per indeling: person in one group only (bool), that group; "_combo": persons pure in all (see _prepare)
    base: dict  # person-months of all segments per cell (n), to work within h months (w{h}); per person its segments
    gekoppeld: int  # voorzieningen whose person is in the BUS file


def _prepare(spells: pl.DataFrame, voorz: pl.DataFrame, peil: dt.date, van: dt.date,
             horizons: tuple[int, ...] = HORIZONTEN) -> _Prepared:
    lo, hi = _idx(van), _idx(peil)
    # Values (months, persons) in int32: half the memory traffic of int64. Arrays used as indices stay int64: numpy
    # converts an int32 index array to intp before every gather.
    i32 = np.int32
    # One integer per person (client key) in both files: a dense rank of the keys (no join on the text keys).
    codes = (pl.concat([spells["client"], voorz["client"]]).rank("dense").cast(pl.Int32) - 1).to_numpy()
    n_p = int(codes.max() + 1) if len(codes) else 0
    spell_p, vz_p = codes[:spells.height], codes[spells.height:]
    in_bus = np.zeros(n_p, bool)
    in_bus[spell_p] = True
    gekoppeld = int(np.count_nonzero(in_bus[vz_p]))
    spells = spells.with_columns(p=pl.Series(spell_p))
    voorz = voorz.with_columns(p=pl.Series(vz_p))
    lv_code = {v: i for i, v in enumerate(LEEFVORMEN)}
    ep = (spells.lazy().filter(pl.col("begin") <= peil)
          .select(p=pl.col("p"), day=pl.col("begin").cast(pl.Int32), b=_mi("begin").cast(pl.Int32),
                  e=_mi("einde").cast(pl.Int32).fill_null(BIG), werk=(pl.col("reden") == "werk").fill_null(False),
                  lv=pl.col("leefvorm").replace_strict(lv_code, default=N_LV - 1, return_dtype=pl.Int32),
                  gj=pl.col("geboortejaar").cast(pl.Int32).fill_null(-1)).collect())
    E = {c: ep[c].to_numpy() for c in ep.columns}
    off = 100_000  # day numbers and month indices stay below this: one sortable key per person and time
    ekey = E["p"].astype(np.int64) * 4 * off + E["day"] + 2 * off
    if np.any(ekey[1:] < ekey[:-1]):  # by person and begin (usually so already: spells sorted by client and begin)
        o = np.argsort(ekey, kind="stable")
        E, ekey = {c: v[o] for c, v in E.items()}, ekey[o]
    # The ladder positions known per person: from the month both the position's begin and its voorziening's begin passed.
    # Known at month m: of the positions known by then the latest, by the position's begindatum (without one: the
    # voorziening's begin), then the voorziening's begin (an older position reported later does not replace it).
    lad = (voorz.lazy().filter(pl.col("ladder").is_not_null())
           .select(p=pl.col("p"),
                   L=_mi("begin").cast(pl.Int64).clip(lower_bound=_mi("ladder_begin").cast(pl.Int64).fill_null(0)),
                   ladder=pl.col("ladder").cast(pl.Int64), lb=pl.coalesce("ladder_begin", "begin").cast(pl.Int64),
                   vb=pl.col("begin").cast(pl.Int64)).collect())
    lp, lL, lv_, lb, vb = (lad[c].to_numpy() for c in ("p", "L", "ladder", "lb", "vb"))
    if len(lp):
        # one sort by person, month known, then (begindatum, voorziening's begin, ladder) as the rank lr; one int64 key
        # when it fits (it does for any real file), else a lexsort
        lr = ((lb - lb.min()) * (int(vb.max() - vb.min()) + 1) + vb - vb.min()) * 8 + lv_
        n_r, n_L = int(lr.max()) + 1, int(lL.max() - lL.min()) + 1
        if n_p * n_L * n_r < 2**62:
            o = np.argsort((lp.astype(np.int64) * n_L + (lL - lL.min())) * n_r + lr)
        else:
            lr = np.unique(lr, return_inverse=True)[1].astype(np.int64)
            n_r = int(lr.max()) + 1
            o = np.lexsort((lr, lL, lp))
        lp, lL, lv_, lr = lp[o], lL[o], lv_[o].astype(i32), lr[o]
    else:
        lr = np.zeros(0, np.int64)
    lL = lL.astype(i32)
    if len(lp):
        # keep a position only if it is the person's latest so far (p sorted: a running maximum of p and rank)
        pr = lp.astype(np.int64) * n_r + lr
        newest = pr == np.maximum.accumulate(pr)
        lp, lL, lv_ = lp[newest], lL[newest], lv_[newest]
        # of one person and month the last; of the positions known before the window only the last (it counts from
        # the window's first month: one ladder event per person and month, so no tie in the sort below)
        nxt_same = np.concatenate([lp[1:] == lp[:-1], [False]])
        nxt_L = np.append(lL[1:], BIG)
        last = ~(nxt_same & ((nxt_L == lL) | (nxt_L < lo)))
        lp, lL, lv_ = lp[last], lL[last], lv_[last]
    # Segments: the months an episode is in the bijstand inside the window, cut where the cell key may change (duration
    # band, age group, a newly known ladder position). One sort of the starts and the ladder events by person and month.
    a = np.maximum(E["b"], lo).astype(i32)
    z = np.minimum(E["e"] - 1, hi).astype(i32)
    act = np.flatnonzero(a <= z)
    cand = np.empty((len(act), len(DUUR_GRENZEN) + len(LEEFTIJDSGRENZEN)), i32)
    cand[:, :len(DUUR_GRENZEN)] = E["b"][act, None] + np.array(DUUR_GRENZEN, i32)[None, :]
    gja = E["gj"][act, None]
    cand[:, len(DUUR_GRENZEN):] = np.where(gja < 0, BIG, (gja + np.array(LEEFTIJDSGRENZEN, i32)) * 12)
    ok = (cand > a[act, None]) & (cand <= z[act, None])
    rows_ep = np.concatenate([act, np.broadcast_to(act[:, None], cand.shape)[ok]])
    rows_s = np.concatenate([a[act], cand[ok]])
    del cand, ok
    inwin = lL <= hi  # a position known before the window counts from its first month; one after it never matters
    n_ev = int(inwin.sum())
    P = np.concatenate([E["p"][rows_ep], lp[inwin]])
    S = np.concatenate([rows_s, np.maximum(lL[inwin], lo - 1)])
    EP = np.concatenate([rows_ep, np.full(n_ev, -1, np.int64)])  # -1: a ladder event
    # by person, month, ladder event first (a person has at most one ladder event and one cut of an episode per month)
    order = np.argsort((P.astype(np.int64) * (hi - lo + 3) + (S - lo + 1)) * 2 + (EP >= 0))
    V = np.concatenate([np.zeros(len(rows_ep), i32), lv_[inwin]])[order]
    P, S, EP = P[order], S[order], EP[order]
    del order, rows_ep, rows_s
    n = len(P)
    start = EP >= 0
    idx = np.arange(n)
    # The episode of every element (EP, in place): a start's own; a ladder event's the one of the last start before it,
    # if of the same person. An event counts (cuts) only inside that episode's months.
    ev = np.flatnonzero(~start)
    ls = (np.maximum.accumulate(np.where(start, idx, -1)) if n else idx)[ev]
    ls0 = np.maximum(ls, 0)
    cur_ev = np.where((ls >= 0) & (P[ls0] == P[ev]), EP[ls0], -1)
    c0 = np.maximum(cur_ev, 0)
    S_ev = S[ev]
    keepm = start.copy()
    keepm[ev[(cur_ev >= 0) & (S_ev > a[c0]) & (S_ev <= z[c0])]] = True
    EP[ev] = cur_ev
    del ls, ls0, c0, S_ev, cur_ev
    keep = np.flatnonzero(keepm)
    ss, se = S[keep], EP[keep]
    s1 = np.concatenate([np.where(se[1:] == se[:-1], ss[1:] - 1, z[se[:-1]]), z[se[-1:]]]) if len(se) else ss
    real = np.flatnonzero(s1 >= ss)  # a ladder event on the month of another cut gives an empty segment
    ss, se, s1 = ss[real], se[real], s1[real]
    keep = keep[real]
    sp = P[keep]
    # The ladder of a segment: of the last ladder event at or before it, if of the same person.
    le = (np.maximum.accumulate(np.where(start, -1, idx)) if n else idx)[keep]
    le0 = np.maximum(le, 0)
    sl = np.where((le >= 0) & (P[le0] == sp), V[le0], 0).astype(i32)
    del P, S, EP, V, keep, keepm, real, le, le0, start, idx, ev
    k = _key(_band(ss - E["b"][se]), ss, E["gj"][se], E["lv"][se], sl)
    seg = {"p": sp.astype(np.int64), "k": k, "m1": (ss - lo).astype(i32), "m2": (s1 - lo).astype(i32),
           "fw": np.where(E["werk"][se], E["e"][se] - lo, BIG).astype(i32)}
    del ss, s1, sl
    # First start per person and type; the episode that began on or before the start date must still run at the end of
    # the start month. All types in one pass.
    first = (voorz.lazy().group_by("p", "type").agg(pl.col("begin").min())
             .select(p=pl.col("p"), type="type", t=pl.col("type").cast(pl.Categorical).to_physical(),
                     day=pl.col("begin").cast(pl.Int64), s=_mi("begin").cast(pl.Int32)).collect())
    lkey = lp.astype(np.int64) * off + lL
    fp_all, fday_all, fs_all = first["p"].to_numpy().astype(np.int64), first["day"].to_numpy(), first["s"].to_numpy()
    type_codes = first.select("t", "type").unique("t").rows()
    types_all = first["t"].to_numpy()
    starts, treated = {}, {}
    if first.height:
        j = np.searchsorted(ekey, fp_all.astype(np.int64) * 4 * off + fday_all + 2 * off, side="right") - 1
        okf = (j >= 0) & (E["p"][np.maximum(j, 0)] == fp_all) if ep.height else np.zeros(first.height, bool)
        j = np.maximum(j, 0)
        if ep.height:
            okf &= (E["e"][j] > fs_all) & (fs_all >= lo) & (fs_all <= hi)
        i = np.searchsorted(lkey, fp_all.astype(np.int64) * off + fs_all, side="right") - 1
        known = (i >= 0) & (lp[np.maximum(i, 0)] == fp_all) if len(lp) else np.zeros(len(fp_all), bool)
        lad_all = np.where(known, lv_[np.maximum(i, 0)] if len(lp) else 0, 0)
        for ti, t in type_codes:
            sel = np.flatnonzero(types_all == ti)
            starts[t] = (fp_all[sel], (fs_all[sel] - lo).astype(i32))
            if not ep.height:
                continue
            sel = sel[okf[sel]]
            fp, fs, jj = fp_all[sel], fs_all[sel], j[sel]
            treated[t] = {"p": fp, "k": _key(_band(fs - E["b"][jj]), fs, E["gj"][jj], E["lv"][jj], lad_all[sel]),
                          "m": fs - lo, "e": E["e"][jj] - lo, "werk": E["werk"][jj]}
    onbekend = {"leeftijd": bool(spells["geboortejaar"].is_null().any()),
                "leefvorm": bool((~spells["leefvorm"].is_in(LEEFVORMEN)).fill_null(True).any())}
    # Per person: his first segment and number of segments.
    first_seg = np.full(n_p, 0, np.int64)
    count = np.zeros(n_p, np.int64)
    if len(seg["p"]):
        st_ = _runs(seg["p"])
        first_seg[seg["p"][st_]] = st_
        count[seg["p"][st_]] = np.diff(np.concatenate([st_, [len(seg["p"])]]))
    has = count > 0
    same = seg["p"][1:] == seg["p"][:-1]
    # Per indeling: persons whose segments all lie in one group (their cluster is the person), computed once.
    pure = {}
    for name, grp in GROEP.items():
        if name == "totaal":
            pure[name] = (np.ones(n_p, bool), np.zeros(n_p, np.int64))
            continue
        g = grp[seg["k"]]
        p_ok = has.copy()
        p_ok[seg["p"][1:][same & (g[1:] != g[:-1])]] = False
        pg = np.zeros(n_p, np.int64)
        pg[has] = g[first_seg[has]]
        pure[name] = (p_ok, pg)
    # A person pure in every indeling is summed per combination of his groups first (one pass per type, not one per
    # indeling): combo index and, per indeling, the group of each combo.
    names = [n for n in GROEP if n != "totaal"]
    sizes = [len(LABELS[n]) for n in names]
    allpure = np.logical_and.reduce([pure[n][0] for n in names])
    combo = np.zeros(n_p, np.int64)
    for n, size in zip(names, sizes):
        combo = combo * size + pure[n][1]
    grid = np.indices(sizes).reshape(len(sizes), -1)
    pure["_combo"] = (allpure, combo, {"totaal": np.zeros(grid.shape[1], np.int64), **dict(zip(names, grid))})
    # The same as bits (bit i: pure in indeling names[i]), per person and per segment: one gather per type for all four.
    pbits = np.zeros(n_p, np.uint8)
    for i, n in enumerate(names):
        pbits |= pure[n][0].astype(np.uint8) << i
    pure["_bits"] = (names, pbits, pbits[seg["p"]])
    # Every segment as a control (before removing, per type, the months after a person's own start of that type).
    months = hi - lo + 1
    base = {"n": _cells(seg["k"], seg["m1"], seg["m2"], months), "lo_i": seg["k"] * (months + 1) + seg["m1"],
            "hi_i": seg["k"] * (months + 1) + seg["m2"] + 1, "kfw": seg["k"] * (months + 1) + seg["fw"]}
    for h in horizons:
        a_h = np.maximum(seg["m1"], seg["fw"] - h)
        vw = a_h <= seg["m2"]
        base[f"w{h}"] = _cells(seg["k"][vw], a_h[vw], seg["m2"][vw], months)
    base["first"], base["count"] = first_seg, count
    return _Prepared(lo, hi, n_p, seg, starts, treated, onbekend, pure, base, gekoppeld)


# ---- per type: control cells, estimates, clustered variance -----------------------------------------------------------
def _cells(k: np.ndarray, a: np.ndarray, z: np.ndarray, months: int) -> np.ndarray:
    """(K, months) counts of person-months from segments k over relative months a..z (inclusive)."""
    w = months + 1
    d = (np.bincount(k * w + a, minlength=K * w) - np.bincount(k * w + z + 1, minlength=K * w)).reshape(K, w)
    return np.cumsum(d, axis=1)[:, :months]


def _prefix(x: np.ndarray) -> np.ndarray:
    """Flattened (K, months + 1) prefix sums over the months: P[k, j] = sum of x[k, :j]."""
    return np.concatenate([np.zeros((K, 1), x.dtype), np.cumsum(x, axis=1, dtype=x.dtype)], axis=1).ravel()


def _runs(*keys: np.ndarray) -> np.ndarray:
    """Start indices of runs of equal consecutive keys."""
    if not len(keys[0]):
        return np.zeros(0, np.int64)
    change = np.zeros(len(keys[0]) - 1, bool)
    for key in keys:
        change |= key[1:] != key[:-1]
    return np.flatnonzero(np.concatenate([[True], change]))


def _bit_counts(g: np.ndarray, bits: np.ndarray, ng: int, nbits: int) -> np.ndarray:
    """(ng, nbits) number of clusters per group g with bit b set in `bits` (one bincount over group × bit pattern)."""
    nb = 1 << nbits
    tab = np.bincount(g * nb + bits, minlength=ng * nb).reshape(ng, nb)
    return tab @ ((np.arange(nb)[:, None] >> np.arange(nbits)[None, :]) & 1)


def _per_type(prep: _Prepared, type_: str, horizons: tuple[int, ...]) -> list[dict]:
    seg, months = prep.seg, prep.hi - prep.lo + 1
    w = months + 1
    base = prep.base
    sp_, ss_ = prep.starts.get(type_, (np.zeros(0, np.int32), np.zeros(0, np.int32)))
    # A control until the month before his own first start of this type: remove the later months of starters' segments.
    cnt = base["count"][sp_]
    idx = np.repeat(base["first"][sp_] - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
    st_seg = np.repeat(ss_, cnt)
    m1, k, fw = seg["m1"], seg["k"], seg["fw"]
    k_i, m1_i, rz_ = k[idx], m1[idx], seg["m2"][idx]
    ra_ = np.maximum(m1_i, st_seg)
    gone = ra_ <= rz_
    n_c = base["n"] - _cells(k_i[gone], ra_[gone], rz_[gone], months)
    hi_i = base["hi_i"].copy()
    hi_i[idx] = k_i * w + np.maximum(np.minimum(rz_, st_seg - 1) + 1, m1_i)
    lo_i = base["lo_i"]
    t = prep.treated.get(type_) or {c: np.zeros(0, np.int64) for c in ("p", "k", "m", "e", "werk")}
    tp, tk, tm, te, tw = t["p"], t["k"], t["m"], t["e"], t["werk"].astype(bool)
    cell = tk * months + tm
    # Segments that touch a cell with a vergeleken deelnemer (of the shortest horizon: the others' cells are a subset).
    per_h = []
    for h in horizons:
        elig = tm <= months - 1 - h
        n_t = np.bincount(cell[elig], minlength=K * months).reshape(K, months)
        per_h.append((h, elig, n_t, (n_t > 0) & (n_c > 0)))
    if per_h:
        first_cells = _prefix(per_h[0][3].astype(np.int32))
        rel = np.flatnonzero(first_cells[hi_i] > first_cells[lo_i])
    else:
        rel = np.zeros(0, np.int64)
    rp, rlo, rhi, rkf = seg["p"][rel], lo_i[rel], hi_i[rel], base["kfw"][rel]
    del hi_i
    H, nrel = len(per_h), len(rel)
    # Cumulative over the segments (sorted by person and month): a segment's term of the interval per horizon (CT), and
    # whether it is in a matched cell (indicator j) and there to work (indicator H + j), four indicators of 16 bits
    # packed in one int64 (CI). A cluster's sums are differences: a cluster is a range of the segments of one person,
    # at most `months` < 2**15 of them, so no field of a difference overflows into the next (int64 wrap-around cancels).
    assert months < 1 << 15
    CT = np.zeros((H, nrel + 1))
    inc = np.zeros(((2 * H + 3) // 4, nrel), np.int64)
    est = []
    for j, (h, elig, n_t, matched_cell) in enumerate(per_h):
        wa = np.maximum(ra_, fw[idx] - h)
        wg = wa <= rz_
        w_c = base[f"w{h}"] - _cells(k_i[wg], wa[wg], rz_[wg], months)
        p_c = np.divide(w_c, n_c, out=np.zeros((K, months)), where=n_c > 0)
        g = np.divide(n_t, n_c, out=np.zeros((K, months)), where=matched_cell)
        p1, p2, p3 = _prefix(g), _prefix(g * p_c), _prefix(matched_cell.astype(np.int32))
        # the segment's months from which the werk exit lies within h months (ra_i = rhi: none)
        ra_i = np.clip(rkf - h, rlo, rhi)
        np.cumsum((p1[rhi] - p1[ra_i]) - (p2[rhi] - p2[rlo]), out=CT[j, 1:])
        p3h = p3[rhi]
        for f_, ind in ((j, p3h > p3[rlo]), (H + j, p3h > p3[ra_i])):
            inc[f_ // 4] |= ind.astype(np.int64) << (16 * (f_ % 4))
        y = tw & (te <= tm + h)
        cl = np.clip(cell, 0, K * months - 1)
        m = elig & (n_c.ravel()[cl] > 0)
        tkm = tk[m]
        est.append((h, tk[elig], tkm, y[m], p_c.ravel()[cl][m], tp[m]))
    # Clusters: a person, or for a person whose segments lie in several groups of an indeling, (person, group).
    pstart = _runs(rp)
    npers = len(pstart)
    def ranges(s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per range [s, e) of segments: the sums of the terms (H, n) and the bits of "any in it" (n)."""
        sums = np.empty((H, len(s)))
        bits = np.zeros(len(s), np.int64)
        for j in range(H):  # row by row: a gather from a 1-d array is much faster than CT[:, e]
            np.subtract(CT[j][e], CT[j][s], out=sums[j])
        for a_ in range(len(CI)):
            # Four counts < 2**15 in 16-bit fields: adding 0x7FFF sets a field's top bit iff its count > 0 (no carry);
            # the multiplication gathers the top bits (now at 0, 16, 32, 48) into bits 45..48 without collisions.
            d_ = (CI[a_][e] - CI[a_][s]).view(np.uint64)
            top = ((d_ + np.uint64(0x7FFF7FFF7FFF7FFF)) & np.uint64(0x8000800080008000)) >> np.uint64(15)
            bits |= (((top * np.uint64(1 + (1 << 15) + (1 << 30) + (1 << 45))) >> np.uint64(45)) & np.uint64(15)).view(
                np.int64) << (4 * a_)
        return sums, bits

    CI = np.zeros((len(inc), nrel + 1), np.int64)
    for a_ in range(len(inc)):
        np.cumsum(inc[a_], out=CI[a_, 1:])
    del inc

    PT, PB = ranges(pstart, np.append(pstart[1:], nrel))
    PT2 = PT ** 2
    ppers = rp[pstart] if npers else np.zeros(0, np.int64)
    pidx = np.full(prep.n_persons, -1, np.int64)
    pidx[ppers] = np.arange(npers)
    allpure, combo, combo_g = prep.pure["_combo"]
    ap = np.flatnonzero(allpure[ppers])
    n_combo = len(combo_g["totaal"])
    cp = combo[ppers[ap]]
    combo_t2 = [np.bincount(cp, weights=PT2[j][ap], minlength=n_combo) for j in range(H)]
    combo_bits = _bit_counts(cp, PB[ap], n_combo, 2 * H)
    ixs = [pidx[tpm] for *_, tpm in est]
    names, pbits, sbits = prep.pure["_bits"]
    pb, rb = pbits[ppers], sbits[rel]
    rows: list[dict] = []
    for name, grp in GROEP.items():
        ng = len(LABELS[name])
        pure, pg = prep.pure[name]
        if name == "totaal":  # every person one cluster of the one group
            # not PT[j] @ PT[j]: that is a BLAS call, and OpenBLAS's own threads (one per core) busy-wait after it,
            # taking the cores from the other type's thread (CPU time up ~0,5 s and no overlap on 2 cores)
            t2 = [np.array([float(PT2[j].sum())]) for j in range(H)]
            bits = np.array([[np.count_nonzero(PB & (1 << b)) for b in range(2 * H)]])
            imp = np.zeros(0, np.int64)
        else:
            cg = combo_g[name]
            # persons pure in this indeling but not in all of them
            bit = 1 << names.index(name)
            kk = np.flatnonzero(((pb & bit) != 0) & (pb != (1 << len(names)) - 1))
            gk = pg[ppers[kk]]
            t2 = [np.bincount(cg, weights=combo_t2[j], minlength=ng)
                  + np.bincount(gk, weights=PT2[j][kk], minlength=ng) for j in range(H)]
            bits = (np.stack([np.bincount(cg, weights=combo_bits[:, b], minlength=ng) for b in range(2 * H)], axis=1)
                    .astype(np.int64) + _bit_counts(gk, PB[kk], ng, 2 * H))
            imp = np.flatnonzero((rb & bit) == 0)
        if len(imp):
            ig = grp[k[rel[imp]]]
            istart = _runs(rp[imp], ig)
            ig0 = ig[istart]
            # a run of the persons in several groups is a range of consecutive segments; a person back in a group
            # (A, B, A) has several runs of it: their sums and bits are added up to one cluster per (person, group)
            IT, IB = ranges(imp[istart], imp[np.append(istart[1:], len(imp)) - 1] + 1)
            ikey = rp[imp][istart].astype(np.int64) * ng + ig0
            iorder = np.argsort(ikey, kind="stable")  # sorted by person already: only the groups within one to sort
            iskey = ikey[iorder]
            u = _runs(iskey)
            if len(u) < len(iskey):
                IT, IB = np.add.reduceat(IT[:, iorder], u, axis=1), np.bitwise_or.reduceat(IB[iorder], u)
                iskey = iskey[u]
                iorder, ig0 = np.arange(len(u)), iskey % ng
            t2 = [t2[j] + np.bincount(ig0, weights=IT[j] ** 2, minlength=ng) for j in range(H)]
            bits = bits + _bit_counts(ig0, IB, ng, 2 * H)
        for j, (h, tk_e, tkm, ym, pjm, tpm) in enumerate(est):
            gje, gjm = grp[tk_e], grp[tkm]
            n_start = np.bincount(gje, minlength=ng)
            n_m = np.bincount(gjm, minlength=ng)
            n_w = np.bincount(gjm, weights=ym, minlength=ng)
            cs = np.bincount(gjm, weights=pjm, minlength=ng)
            att = np.divide(n_w - cs, n_m, out=np.zeros(ng), where=n_m > 0)
            a_j = ym - pjm - att[gjm]
            # b_j: the deelnemer's own control terms in the same group (his cluster), for the covariance term
            b_j = np.zeros(len(tpm))
            isp = pure[tpm]
            ix = ixs[j]
            okp = isp & (ix >= 0)
            b_j[okp] = PT[j][ix[okp]]
            if len(imp) and not isp.all():
                q = np.flatnonzero(~isp)
                key_j = tpm[q].astype(np.int64) * ng + gjm[q]
                pos = np.minimum(np.searchsorted(iskey, key_j), len(iskey) - 1)
                hit = iskey[pos] == key_j
                b_j[q[hit]] = IT[j][iorder[pos[hit]]]
            ss = (np.bincount(gjm, weights=a_j ** 2, minlength=ng) - 2 * np.bincount(gjm, weights=a_j * b_j, minlength=ng)
                  + t2[j])
            pers, pers_w = bits[:, j], bits[:, H + j]
            for jj, label in enumerate(LABELS[name]):
                if name in ("leeftijd", "leefvorm") and label == ONBEKEND and not prep.onbekend[name]:
                    continue
                nm = int(n_m[jj])
                e = {}
                if nm:
                    se = float(np.sqrt(max(ss[jj], 0.0))) / nm
                    d = float(att[jj])
                    e = {"aandeel": n_w[jj] / nm * 100, "aandeel_vergelijking": cs[jj] / nm * 100, "verschil": d * 100,
                         "se": se * 100, "onder": (d - Z95 * se) * 100, "boven": (d + Z95 * se) * 100}
                rows.append({"type": type_, "voorziening": VOORZIENINGEN.get(type_, type_), "indeling": name, "groep": label,
                             "h": h, "gestart": int(n_start[jj]), "vergeleken": nm, "werk": int(n_w[jj]),
                             "vergelijking": int(pers[jj]), "vergelijking_werk": int(pers_w[jj]),
                             **{c: e.get(c) for c in SCHATTINGEN}})
    return rows


def rendementmeters(spells: pl.DataFrame, voorzieningen: pl.DataFrame, peil: dt.date, van: dt.date,
                    horizons: tuple[int, ...] = HORIZONTEN, types: tuple[str, ...] | None = None) -> Rendement:
    """The rendementmeters (module note) of episodes of algemene bijstand (`spells`: client, begin, einde, reden,
    leefvorm, geboortejaar; joined with portal.eigen.episodes.merge) and SRG voorzieningen (bus.VOORZIENING_SCHEMA), for
    starts from the month of `van` (the first month the BUS covers completely) up to `peil` (the earlier peildatum).
    Every type of bus.VOORZIENINGEN (or `types`) gets rows, also without starts (counts 0)."""
    types = tuple(VOORZIENINGEN) if types is None else types
    if _idx(peil) < _idx(van):
        raise ValueError(f"peildatum {peil} before the first month {van}")
    spells = spells.select("client", "begin", "einde", "reden", "leefvorm", "geboortejaar").rechunk()
    voorzieningen = voorzieningen.select("client", "type", "begin", "ladder", "ladder_begin").rechunk()
    prep = _prepare(spells, voorzieningen, peil, van, horizons)
    # The types are independent and numpy releases the GIL in its array work: one thread per core (at most 4).
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(os.sched_getaffinity(0)), len(types)))) as pool:
        rows = [r for got in pool.map(lambda t: _per_type(prep, t, horizons), types) for r in got]
    return Rendement(pl.DataFrame(rows, schema=SCHEMA, orient="row"), van.replace(day=1), peil, voorzieningen.height,
                     prep.gekoppeld)


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
    can be in several groups). When a cell must go: gestart first, the type's total last. No relation ties these cells to the other
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
            # Which cell goes first when one must: "gestart" (the meter stays readable without it), then a group's
            # counts, last a type's total (tiers above KEY_TIER only order these cells: no relation ties them to others).
            tier = {"gestart": 0}
            top = KEY_TIER + 1 if ind == "totaal" else KEY_TIER
            vals = {**{c: row[c] for c in TELLINGEN}, "niet_vergeleken": row["gestart"] - row["vergeleken"],
                    "niet_werk": row["vergeleken"] - row["werk"],
                    "vergelijking_niet_werk": row["vergelijking"] - row["vergelijking_werk"]}
            c = {k: g.add((tabel, rij, k), v, shown=k in GETOOND, tier=tier.get(k, top)) for k, v in vals.items()}
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

    if r.tabel.height and not pagina.cellen["tabel"].str.starts_with("rendement:").any():
        raise ValueError("the page's suppression pattern lacks the rendementmeters (suppress.page(extra=pattern(r)))")
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
    n1 = cel.filter(pl.col("reden") == "primair").height
    if cel.height and not n1:  # hidden because of counts that are not shown (e.g. a handful not compared)
        return frame, [f"Onderdrukt: {cel.height} cel(len) die een aantal van minder dan {MIN_CELL} personen zouden verraden."]
    return frame, Suppressed(frame, cel).note()


__all__ = ["rendementmeters", "Rendement", "oordeel", "pattern", "toon", "tabel_naam", "HORIZONTEN", "INDELINGEN", "LABELS", "TELLINGEN"]
