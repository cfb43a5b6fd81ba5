"""BUS and SRG files made from a SPELLS frame: the synthetic demo's example files (labelled *synthetisch*), the test
files built from known spells, and the benchmark's twelve monthly files.

`bus_records` writes, for every month from `van` to the peildatum, one record per person on each uitkering running in
that month (kenmerken of BWBR0031830 bijlage 1, see portal.eigen.bus): the spell's client is the uitkering's first
person; a paar gets a partner as second person (same uitkering, own BSN). The einddatum (kenmerk 23) and reden
beëindiging (kenmerk 34) are in the record of the month the uitkering ends. A spell's reden code: its column
`reden_code` when the frame has one, else werk -> 11 (or 13 for a sixth of them), overig -> one of the other codes.
`met_kenmerken` adds the monthly attributes (kenmerken 11, 21, 24, 25, 28–33) with assumed distributions (synthetic).
BSNs of synthetic persons fail the 11-proef on purpose: they can be no real person's BSN.
SRG (bijlage 2): `demo_voorzieningen` is the one generator of synthetic voorzieningen (the demo's rendementmeters use
it); `srg_records` writes a voorzieningen frame as monthly records, `voorbeeld` both example zips of the page.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import polars as pl

from portal.eigen.bus import BUS_KENMERKEN, REDENEN, VOORZIENINGEN
from portal.eigen.maanden import _idx, _month

OVERIG_CODES = ("01", "02", "03", "04", "05", "14", "15", "19", "31", "32", "33", "34", "97", "98")
OVERIG_P = np.array([6, 6, 4, 1, 1, 8, 4, 6, 10, 12, 3, 5, 4, 30], dtype=float)
BUS_KOLOMMEN = (1, 2, 4, 7, 8, 10, 11, 15, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34)  # those the records have


def header(nr: int, style: str = "nummer") -> str:
    naam = BUS_KENMERKEN[nr][1]
    return {"nummer": f"{nr} {naam}", "naam": naam, "kenmerk": f"kenmerk {nr} - {naam}",
            "hoofdletters": naam.upper().replace(" ", "_")}[style]


def fake_bsn(n: int, offset: int = 0) -> np.ndarray:
    """n distinct 9-digit numbers that fail the 11-proef (no real BSN): 1xxxxxxx0, the last digit raised by one when the
    number would pass."""
    base = (100_000_000 + (np.arange(n, dtype=np.int64) + offset) * 10)
    digits = np.stack([(base // 10 ** (8 - i)) % 10 for i in range(9)])
    total = (digits[:8] * np.arange(9, 1, -1)[:, None]).sum(axis=0) - digits[8]
    return base + (total % 11 == 0)


def bsn_per_client(spells: pl.DataFrame) -> dict[str, str]:
    """client -> a fake BSN, by the order of the clients' first spell (the default of bus_records)."""
    clients = spells["client"].unique(maintain_order=True)
    return dict(zip(clients.to_list(), fake_bsn(clients.len()).astype(str).tolist()))


def _codes(spells: pl.DataFrame, seed: int) -> pl.Series:
    if "reden_code" in spells.columns:
        return spells["reden_code"]
    rng = np.random.default_rng(seed)
    n = spells.height
    werk = np.where(rng.random(n) < 1 / 6, "13", "11")
    overig = rng.choice(OVERIG_CODES, n, p=OVERIG_P / OVERIG_P.sum())
    f = pl.DataFrame({"reden": spells["reden"], "w": werk, "o": overig})
    return f.select(pl.when(pl.col("reden") == "werk").then(pl.col("w")).when(pl.col("reden") == "overig")
                    .then(pl.col("o")).alias("reden_code"))["reden_code"]


def _months(spells: pl.DataFrame, lo: int, hi: int) -> pl.DataFrame:
    """One row per month (column m, a month index from lo to hi) of each spell running in it, with its row number in
    `spells` (_spell) and its month indexes of begin (b) and einde (e)."""
    s = spells.with_row_index("_spell").with_columns(
        b=pl.col("begin").dt.year().cast(pl.Int32) * 12 + pl.col("begin").dt.month().cast(pl.Int32) - 1,
        e=pl.col("einde").dt.year().cast(pl.Int32) * 12 + pl.col("einde").dt.month().cast(pl.Int32) - 1)
    s = s.filter((pl.col("b") <= hi) & (pl.col("e").is_null() | (pl.col("e") >= lo)))
    return s.with_columns(m=pl.int_ranges(pl.max_horizontal(pl.col("b"), pl.lit(lo)),
                                          pl.min_horizontal(pl.col("e").fill_null(hi), pl.lit(hi)) + 1)).explode("m")


def bus_records(spells: pl.DataFrame, van: dt.date, peil: dt.date, gemeente: str, seed: int = 1,
                bsn: dict[str, str] | None = None) -> pl.DataFrame:
    """The monthly BUS records (one column per kenmerk, keys of BUS_KENMERKEN, all strings) of the spells running in the
    months from van to peil. `bsn`: client -> BSN (default: a fake BSN per client). Optional spell columns `regeling`
    (statistiekcode, default 01), `reden_code`."""
    lo, hi = _idx(van), _idx(peil)
    bsn = bsn_per_client(spells) if bsn is None else bsn
    s = _months(spells.with_columns(reden_code=_codes(spells, seed),
                                    regeling=pl.col("regeling") if "regeling" in spells.columns else pl.lit("01")), lo, hi)
    ends = pl.col("e") == pl.col("m")
    s = s.with_columns(bsn=pl.col("client").replace_strict(bsn, return_dtype=pl.String))
    head = s.select(
        jaar=(pl.col("m") // 12).cast(pl.String), maand=(pl.col("m") % 12 + 1).cast(pl.String).str.zfill(2),
        gemeentecode=pl.lit(gemeente.removeprefix("GM")), registratienummer=pl.format("U{}", pl.col("_spell")),
        statistiekcode=pl.col("regeling"),
        leefvorm=pl.col("leefvorm").replace_strict({"alleenstaande": "1", "alleenstaande_ouder": "2", "paar": "3"},
                                                   default="4", return_dtype=pl.String),
        bedrag=pl.col("bedrag").round(2).cast(pl.String),
        bsn="bsn",
        geboortedatum=pl.coalesce(pl.col("geboortedatum"), pl.date(pl.col("geboortejaar"), 7, 1)).dt.strftime("%Y%m%d"),
        geslacht=pl.col("geslacht").replace_strict({"man": "1", "vrouw": "2"}, default=None, return_dtype=pl.String),
        begin=pl.col("begin").dt.strftime("%Y%m%d"),
        einde=pl.when(ends).then(pl.col("einde").dt.strftime("%Y%m%d")),
        reden=pl.when(ends).then(pl.col("reden_code")),
        _spell="_spell", _m="m", _p=pl.lit(0),
    )
    # partners of paren: a second person on the same uitkering, a fake BSN of its own, same dates
    partners = head.filter(pl.col("leefvorm") == "3")
    ids = partners["_spell"].cast(pl.Int64).to_numpy()  # one partner per uitkering, the same in every month
    partners = partners.with_columns(bsn=pl.Series(fake_bsn(int(ids.max()) + 1 if len(ids) else 0, 50_000_000)[ids].astype(str),
                                                   dtype=pl.String),
                                     geslacht=pl.when(pl.col("geslacht") == "1").then(pl.lit("2")).otherwise(pl.lit("1")),
                                     _p=pl.lit(1))
    out = pl.concat([head, partners]).sort("_m", "_spell", "_p").drop("_spell", "_m", "_p")
    return out


# Assumed distributions of the synthetic monthly attributes (no source: a plausible demo, labelled synthetisch).
HUISVESTING_P = {"1": .80, "2": .05, "3": .08, "4": .015, "5": .035, "6": .02}
KOSTENDELERS_P = {"0": .03, "1": .78, "2": .12, "3": .05, "4": .02}
ONTHEFFING_P = {"2": .78, "4": .04, "5": .15, "6": .03}
VERMINDERING_P = {"01": .45, "03": .08, "05": .03, "06": .14, "07": .12, "08": .04, "98": .14}
ANDERE_INKOMSTEN_P = {"31": .06, "23": .04, "98": .02, "18": .005, "24": .005}  # of persons without work income
WERKT_P, WERKT_MAAND_P = .095, .88  # a person with work income, and in a given month (about 8 % of person-months)
VERMINDERING_MAAND_P = .008  # per month of the period: a person's chance of one vermindering (one to three months) starting


def _kenmerken(r: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The monthly attributes, typed, for rows (one per person per uitkering per month, in record order) with the month
    index _m, the person key bsn and the uitkering key registratienummer: kostendelers (Int64), huisvesting, ontheffing,
    einde_ontheffing (Date), reden_vermindering, begin_ and einde_vermindering (Date), soort_inkomsten,
    inkomsten_persoon (Int64 euros), vrijlating. The draws depend only on the order of the rows and keys."""
    rng = np.random.default_rng(seed)
    lo, hi = int(r["_m"].min()), int(r["_m"].max())
    persons = r["bsn"].unique(maintain_order=True)
    n = persons.len()

    def pick(p: dict[str, float], k: int) -> np.ndarray:
        return rng.choice(list(p), k, p=np.array(list(p.values())) / sum(p.values()))

    start = rng.integers(lo, hi + 1, n)
    einde_onth = rng.integers(lo - 6, hi + 13, n)
    per = pl.DataFrame({
        "bsn": persons, "huisvesting": pick(HUISVESTING_P, n), "ontheffing": pick(ONTHEFFING_P, n),
        "_onth_einde": np.where(rng.random(n) < .4, einde_onth, -1), "_werkt": rng.random(n) < WERKT_P,
        "_ander": np.where(rng.random(n) < sum(ANDERE_INKOMSTEN_P.values()), pick(ANDERE_INKOMSTEN_P, n), ""),
        "_verm": np.where(rng.random(n) < VERMINDERING_MAAND_P * (hi - lo + 1), pick(VERMINDERING_P, n), ""),
        "_verm_van": start, "_verm_tot": np.minimum(start + rng.integers(0, 3, n), hi),
        "_bedrag": rng.integers(150, 1100, n), "_vrij": np.where(rng.random(n) < .45, "1", "2")})
    regs = r["registratienummer"].unique(maintain_order=True)
    kd = pl.DataFrame({"registratienummer": regs, "kostendelers": pick(KOSTENDELERS_P, regs.len()).astype(np.int64)})
    r = r.with_columns(_maandwerk=pl.Series(rng.random(r.height) < WERKT_MAAND_P)).join(per, on="bsn", how="left").join(
        kd, on="registratienummer", how="left")
    werkt = pl.col("_werkt") & pl.col("_maandwerk")
    ander = pl.col("_ander") != ""
    verm = (pl.col("_verm") != "") & pl.col("_m").is_between(pl.col("_verm_van"), pl.col("_verm_tot"))
    first = lambda idx: pl.date(idx // 12, idx % 12 + 1, 1)  # noqa: E731
    return r.with_columns(
        einde_ontheffing=pl.when(pl.col("ontheffing").is_in(["4", "5", "6"]) & (pl.col("_onth_einde") >= 0))
        .then(first(pl.col("_onth_einde")).dt.month_end()),
        reden_vermindering=pl.when(verm).then(pl.col("_verm")),
        begin_vermindering=pl.when(verm).then(first(pl.col("_verm_van"))),
        einde_vermindering=pl.when(verm).then(first(pl.col("_verm_tot")).dt.month_end()),
        soort_inkomsten=pl.when(werkt).then(pl.lit("11")).when(ander).then(pl.col("_ander")),
        inkomsten_persoon=pl.when(werkt).then(pl.col("_bedrag")).when(ander).then(pl.col("_bedrag") // 4),
        vrijlating=pl.when(werkt).then(pl.col("_vrij")).when(ander).then(pl.lit("2")))


MAAND_KEYS = ("kostendelers", "huisvesting", "ontheffing", "einde_ontheffing", "reden_vermindering", "begin_vermindering",
              "einde_vermindering", "soort_inkomsten", "inkomsten_persoon", "vrijlating")


def met_kenmerken(records: pl.DataFrame, seed: int = 3) -> pl.DataFrame:
    """The records of `bus_records` with the monthly attributes of BWBR0031830 bijlage 1: aantal kostendelers (11, per
    uitkering), huisvesting (21), ontheffing arbeidsverplichting with einddatum (24, 25), a vermindering with reden and
    dates (28–30), soort and bedrag inkomsten persoon with vrijlating (31–33). Per person fixed over the months except
    work income (some months without) and the vermindering (one to three months). Assumed distributions above."""
    r = _kenmerken(records.with_columns(_m=pl.col("jaar").cast(pl.Int32) * 12 + pl.col("maand").cast(pl.Int32) - 1), seed)
    return r.select(*records.columns, *MAAND_KEYS).with_columns(
        pl.col("kostendelers").cast(pl.String),
        *[pl.col(k).dt.strftime("%Y%m%d") for k in ("einde_ontheffing", "begin_vermindering", "einde_vermindering")],
        inkomsten_persoon=pl.format("+{}", pl.col("inkomsten_persoon").cast(pl.String).str.zfill(4)))


def indicatoren(spells: pl.DataFrame, van: dt.date, peil: dt.date, seed: int = 3) -> pl.DataFrame:
    """The monthly counts (portal.eigen.bus.indicatoren_uit_records) of the algemene-bijstand records that
    `met_kenmerken(bus_records(spells, van, peil, ...), seed)` would write, without writing them as text: the same rows
    in the same order (so the same draws), typed. For the synthetic page (every spell statistiekcode 01)."""
    from portal.eigen.bus import _indicatoren

    m = _months(spells.select("client", "begin", "einde", "leefvorm"), _idx(van), _idx(peil))
    rows = pl.concat([m.select("m", "_spell", _p=pl.lit(0), bsn="client"),
                      m.filter(pl.col("leefvorm") == "paar").select("m", "_spell", _p=pl.lit(1),
                                                                    bsn=pl.format("partner {}", "_spell"))])
    rows = rows.sort("m", "_spell", "_p").select(_m="m", bsn="bsn", registratienummer="_spell")
    r = _kenmerken(rows, seed)
    f = r.select(t_maand=pl.col("_m").cast(pl.Int64), t_code=pl.lit("01"), t_bsn="bsn", registratienummer="registratienummer",
                 **{f"t_{k}": k for k in MAAND_KEYS})
    return _indicatoren(f, {11, 21, 24, 25, 28, 29, 30, 31, 32, 33})


def bus_files(records: pl.DataFrame, gemeente: str, style: str = "nummer", synthetisch: bool = False, sep: str = ";"
              ) -> dict[str, bytes]:
    """One CSV per statistiekmaand (name bus_GMxxxx_jjjjmm.csv), kenmerken as columns with headers in `style`;
    `synthetisch` adds a column synthetisch = ja (the page then refuses to store it as a real upload)."""
    keys = {BUS_KENMERKEN[nr][0]: nr for nr in BUS_KOLOMMEN}
    out = {}
    for (jaar, maand), part in records.group_by("jaar", "maand", maintain_order=True):
        f = part.select([pl.col(k).alias(header(nr, style)) for k, nr in keys.items() if k in part.columns])
        if synthetisch:
            f = f.with_columns(pl.lit("ja").alias("synthetisch"))
        prefix = "SYNTHETISCH_" if synthetisch else ""
        out[f"{prefix}bus_{gemeente}_{jaar}{maand}.csv"] = f.write_csv(separator=sep).encode()
    return out


def zipped(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def one_file(files: dict[str, bytes]) -> bytes:
    """Monthly CSVs (same header) as one CSV."""
    parts = list(files.values())
    return parts[0] + b"".join(p.split(b"\n", 1)[1] for p in parts[1:])


def with_regelingen(spells: pl.DataFrame, seed: int = 1) -> pl.DataFrame:
    """The synthetic demo: most spells algemene bijstand (01); about 3 % IOAW, 1 % IOAZ and 1 % Bbz (assumptions)."""
    rng = np.random.default_rng(seed)
    u = rng.random(spells.height)
    code = np.select([u < 0.03, u < 0.04, u < 0.05], ["02", "03", "14"], "01")
    return spells.with_columns(regeling=pl.Series(code, dtype=pl.String))


SRG_HEADERS = {"jaar": "statistiekjaar", "maand": "statistiekmaand", "statistiekcode": "statistiekcode",
               "gemeentecode": "gemeentecode", "bsn": "burgerservicenummer", "geboortedatum": "geboortedatum",
               "geslacht": "geslacht", "ladder": "positie op de participatieladder",
               "ladder_begin": "begindatum positie op de participatieladder", "arbeidsvermogen": "arbeidsvermogen",
               "registratienummer": "registratienummer voorziening", "type": "type voorziening",
               "begin": "begindatum voorziening", "einde": "einddatum voorziening", "reden_einde": "reden einde voorziening",
               "loonwaarde": "loonwaarde"}


def srg_records(voorzieningen: pl.DataFrame, van: dt.date, peil: dt.date, gemeente: str, bsn: dict[str, str]
                ) -> pl.DataFrame:
    """Monthly SRG records (keys of SRG_HEADERS, all strings) of `voorzieningen` (bus.VOORZIENING_SCHEMA, as
    demo_voorzieningen makes them): per voorziening one record per month it runs in from the month of `van` to that of
    `peil`; einddatum and reden einde in the record of the month it ends. `bsn`: client -> BSN, the mapping of the BUS
    records of the same demo (bsn_per_client), so that both files name the same persons."""
    lo, hi = _idx(van), _idx(peil)
    v = voorzieningen.with_row_index("_v").with_columns(
        b=pl.col("begin").dt.year().cast(pl.Int32) * 12 + pl.col("begin").dt.month().cast(pl.Int32) - 1,
        e=pl.col("einde").dt.year().cast(pl.Int32) * 12 + pl.col("einde").dt.month().cast(pl.Int32) - 1)
    v = v.filter((pl.col("b") <= hi) & (pl.col("e").is_null() | (pl.col("e") >= lo))).with_columns(
        m=pl.int_ranges(pl.max_horizontal("b", pl.lit(lo)), pl.min_horizontal(pl.col("e").fill_null(hi), pl.lit(hi)) + 1)
    ).explode("m")
    ends = pl.col("e") == pl.col("m")
    return v.sort("m", "_v").select(
        jaar=(pl.col("m") // 12).cast(pl.String), maand=(pl.col("m") % 12 + 1).cast(pl.String).str.zfill(2),
        statistiekcode=pl.lit("10"), gemeentecode=pl.lit(gemeente.removeprefix("GM")),
        bsn=pl.col("client").replace_strict(bsn, return_dtype=pl.String),
        geboortedatum=pl.date(pl.col("geboortejaar"), 7, 1).dt.strftime("%Y%m%d"),
        geslacht=pl.col("geslacht").replace_strict({"man": "1", "vrouw": "2"}, default=None, return_dtype=pl.String),
        ladder=pl.col("ladder").cast(pl.String), ladder_begin=pl.col("ladder_begin").dt.strftime("%Y%m%d"),
        arbeidsvermogen=pl.col("arbeidsvermogen").cast(pl.String), registratienummer=pl.format("V{}", pl.col("_v")),
        type="type", begin=pl.col("begin").dt.strftime("%Y%m%d"),
        einde=pl.when(ends).then(pl.col("einde").dt.strftime("%Y%m%d")),
        reden_einde=pl.when(ends).then(pl.col("reden_einde")),
        loonwaarde=pl.col("loonwaarde").round(0).cast(pl.Int64).cast(pl.String))


def srg_files(records: pl.DataFrame, gemeente: str, synthetisch: bool = False) -> dict[str, bytes]:
    out = {}
    for (jaar, maand), part in records.group_by("jaar", "maand", maintain_order=True):
        f = part.select([pl.col(k).alias(v) for k, v in SRG_HEADERS.items()])
        if synthetisch:
            f = f.with_columns(pl.lit("ja").alias("synthetisch"))
        out[f"{'SYNTHETISCH_' if synthetisch else ''}srg_{gemeente}_{jaar}{maand}.csv"] = f.write_csv(separator=";").encode()
    return out


# The demo's rendementmeters (portal.eigen.rendement): per type the share of episodes in the window that get a start, and
# how the start is placed. "werk": for part of the episodes that end in work the start falls 1–5 months before that
# ending (a built-in "effect"); "lang": mostly episodes still running at the peildatum (looks like lock-in); None: at a
# random moment. Assumptions of a synthetic file, so that the demo shows every kind of outcome; no real pattern.
DEMO_TYPES = {"01": (0.01, "werk"), "02": (0.003, None), "03": (0.05, "lang"), "04": (0.04, "werk"), "05": (0.02, None),
              "06": (0.06, "werk"), "07": (0.01, None), "08": (0.01, None), "99": (0.12, None)}
LOONKOSTENSUBSIDIE = ("01", "04")  # types with a loonwaarde
DEMO_MAANDEN = 36  # the synthetic demo's voorzieningen start in the 36 months up to the peildatum
DEMO_TREDE = {"trede 1": 5, "trede 2": 4, "trede 3": 3, "trede 4": 2}  # the synthetic fasering as a participatieladder


def demo_voorzieningen(spells: pl.DataFrame, van: dt.date, peil: dt.date, seed: int = 3) -> pl.DataFrame:
    """SRG voorzieningen (bus.VOORZIENING_SCHEMA) of the synthetic demo for episodes running from `van` to `peil`:
    per type DEMO_TYPES; the ladder from the synthetic fasering (DEMO_TREDE; random without one), known from the
    episode's begin; ending 3 to 18 months after the start or running. Assumed, as the rest: arbeidsvermogen a digit 1 to
    3 at random (the regeling's code list is not in the material read, see portal.eigen.bus), the loonwaarde (a
    percentage 30 to 89) only for the two loonkostensubsidies (01, 04), for which the regeling asks it. Synthetic,
    labelled so on the page; the SRG example files (srg_records) are written from this frame."""
    from portal.eigen.bus import VOORZIENING_SCHEMA

    rng = np.random.default_rng(seed)
    s = spells.filter((pl.col("begin") <= peil) & (pl.col("einde").is_null() | (pl.col("einde") > van)))
    n = s.height
    b = s["begin"].to_numpy().astype("datetime64[D]")
    e = s["einde"].to_numpy().astype("datetime64[D]")
    open_ = np.isnat(e)
    lo = np.maximum(b, np.datetime64(van))
    hi = np.where(open_, np.datetime64(peil), e - np.timedelta64(1, "D"))
    werk = (s["reden"] == "werk").fill_null(False).to_numpy() & ~open_
    trede = s["fasering"].replace_strict(DEMO_TREDE, default=None, return_dtype=pl.Int32).to_numpy(allow_copy=True)
    ladder = np.where(np.isnan(trede.astype(float)), rng.integers(1, 7, n), trede).astype(np.int32)
    parts = []
    for code, (share, how) in DEMO_TYPES.items():
        pick = rng.random(n) < share * (np.where(open_, 1.6, 0.4) if how == "lang" else 1.0)
        span = np.maximum((hi - lo).astype(np.int64), 0)
        start = lo + (rng.random(n) * (span + 1)).astype("timedelta64[D]")
        if how == "werk":  # part of the work endings: the start 1 to 5 months before the ending
            near = werk & (rng.random(n) < 0.5)
            before = e - rng.integers(35, 155, n).astype("timedelta64[D]")
            start = np.where(near & (before >= lo), before, start)
        ok = pick & (hi >= lo)
        idx = np.flatnonzero(ok)
        end = start[idx] + rng.integers(90, 540, len(idx)).astype("timedelta64[D]")
        parts.append(pl.DataFrame({
            "client": s["client"].gather(idx), "type": pl.Series([code] * len(idx), dtype=pl.String),
            "begin": pl.Series(start[idx], dtype=pl.Date),
            "einde": pl.Series(np.where(end <= np.datetime64(peil), end, np.datetime64("NaT")), dtype=pl.Date),
            "ladder": pl.Series(ladder[idx]), "ladder_begin": pl.Series(b[idx], dtype=pl.Date),
            "geboortejaar": s["geboortejaar"].gather(idx), "geslacht": s["geslacht"].gather(idx)}))
    out = pl.concat(parts)
    # drawn after the starts, so that adding them left every start (and so the demo's meters) as it was
    av = rng.integers(1, 4, out.height)
    lw = rng.integers(30, 90, out.height).astype(float)
    return out.with_columns(
        reden_einde=pl.when(pl.col("einde").is_not_null()).then(pl.lit("1")),
        arbeidsvermogen=pl.Series(av, dtype=pl.Int32),
        loonwaarde=pl.when(pl.col("type").is_in(LOONKOSTENSUBSIDIE)).then(pl.Series(lw, dtype=pl.Float64)),
    ).select(list(VOORZIENING_SCHEMA)).cast(VOORZIENING_SCHEMA).sort("client", "begin")


def demo_van(peil: dt.date) -> dt.date:
    """First month of the demo's voorzieningen and rendementmeters: DEMO_MAANDEN months up to the peildatum."""
    return _month(_idx(peil) - DEMO_MAANDEN + 1)


def voorbeeld(spells: pl.DataFrame, peil: dt.date, gemeente: str) -> tuple[bytes, bytes]:
    """The synthetic example the page offers: a BUS zip and an SRG zip (labelled synthetisch) of the twelve months up to
    the peildatum. The BUS records are the spells' (with_regelingen, met_kenmerken); the SRG records are the voorzieningen
    the page's rendementmeters use (demo_voorzieningen from demo_van) that run in those months, with the same fake BSNs."""
    van = _month(_idx(peil) - 11)
    bsn = bsn_per_client(spells)
    records = met_kenmerken(bus_records(with_regelingen(spells), van, peil, gemeente, bsn=bsn))
    srg = srg_records(demo_voorzieningen(spells, demo_van(peil), peil), van, peil, gemeente, bsn)
    return (zipped(bus_files(records, gemeente, synthetisch=True)), zipped(srg_files(srg, gemeente, synthetisch=True)))


__all__ = ["bus_records", "met_kenmerken", "indicatoren", "bus_files", "srg_records", "srg_files", "demo_voorzieningen",
           "demo_van", "voorbeeld", "bsn_per_client", "zipped", "one_file", "with_regelingen", "fake_bsn", "REDENEN"]
