"""Monitors that only a BUS file makes possible: uitstroom by reden beëindiging (kenmerk 34) and the IOAW, IOAZ and Bbz
series (statistiekcodes 02, 03, 14), over the twelve months up to the peildatum. Both join the page's one suppression
pattern (portal.eigen.suppress.page, argument `extra`), tied to the monthly table by their relations.

Uitstroom by reden: episodes of algemene bijstand (01; re-entries within 31 days joined, portal.eigen.episodes) that
ended in the twelve months, per code of kenmerk 34 (the reden of the episode's last spell). "Naar werk" counts 11
(inkomsten uit arbeid in dienstbetrekking) and 13 (zelfstandig beroep of bedrijf). Two definitions, each named:
- CBS: uitstroom naar werk per 100 personen met bijstand in de periode (CBS 82662NED and its predecessors count
  uitstroom against everybody who had bijstand at any time in the period): here the persons with an episode running at
  the end of the month before the twelve months or beginning in them (each person once; equal to that bestand plus
  the instroom unless somebody came back after more than 31 days, and only then tied to them in the suppression).
- Divosa: uitstroom naar werk as a share of all uitstroom (the Divosa Benchmark; Divosa's national figure for 2023 is
  36 %).
Both are computed for every code, so the page can show each reason both ways.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from portal.eigen import episodes
from portal.eigen.bus import ALGEMEEN, EIGEN_REEKSEN, REDENEN, STATISTIEKCODES, WERK_CODES
from portal.eigen.maanden import _idx, _month, month_end

MAANDEN = 12
DIVOSA_2023_PCT = 36  # uitstroom naar werk as a share of all uitstroom, Nederland 2023 (Divosa)
WERK, TOTAAL, PERSONEN = "werk", "totaal", "personen"
TABEL, REEKSEN = "redenen", "regelingen"


def periode(peil: dt.date, maanden: int = MAANDEN) -> tuple[dt.date, dt.date]:
    """(first day of the first month, peildatum) of the twelve months up to the peildatum's month."""
    return _month(_idx(peil) - maanden + 1), peil


def _episodes(spells: pl.DataFrame) -> pl.DataFrame:
    return episodes.merge(spells.sort("client", "begin"))


def uitstroom_redenen(spells: pl.DataFrame, peil: dt.date) -> pl.DataFrame:
    """Spells of algemene bijstand with `reden_code` (bus_store.regelingen filtered on 01, or any frame with client,
    begin, einde, reden_code) -> rows: each code of kenmerk 34 (all of them, also when 0), 'werk' (11 + 13), 'totaal'
    (all uitstroom), 'personen' (personen met bijstand in de periode); columns rij, reden (Dutch), aantal,
    per_100 (CBS definition), aandeel (Divosa definition, % of totaal)."""
    van, tot = periode(peil)
    e = _episodes(spells.select("client", "begin", "einde", "reden_code")).filter(pl.col("begin") <= tot)
    ended = e.filter(pl.col("einde").is_not_null() & (pl.col("einde") >= van) & (pl.col("einde") <= tot))
    counts = dict(ended.group_by("reden_code").len().iter_rows())
    # persons, not episodes: somebody who left and came back after more than 31 days had bijstand in the period once
    personen = e.filter(pl.col("einde").is_null() | (pl.col("einde") >= van))["client"].n_unique()
    rows = [(c, f"{c} {REDENEN[c]}", int(counts.get(c, 0))) for c in REDENEN]
    zonder = int(counts.get(None, 0))
    if zonder:  # spells that left the file without an einddatum (bus.BusGelezen.zonder_einddatum)
        rows.append(("zonder", "zonder reden (uit het bestand verdwenen zonder einddatum)", zonder))
    werk = sum(int(counts.get(c, 0)) for c in WERK_CODES)
    rows += [(WERK, "naar werk (11 en 13)", werk), (TOTAAL, "alle uitstroom", ended.height),
             (PERSONEN, "personen met bijstand in de periode", personen)]
    t = pl.DataFrame(rows, schema={"rij": pl.String, "reden": pl.String, "aantal": pl.Int64}, orient="row")
    return rates(t)


def rates(t: pl.DataFrame) -> pl.DataFrame:
    """per_100 (CBS: per 100 personen met bijstand in de periode) and aandeel (Divosa: % of all uitstroom) from the
    counts as they stand (after suppression: a hidden count, or a hidden denominator, gives no rate)."""
    tot = t.filter(pl.col("rij") == TOTAAL)["aantal"][0]
    pers = t.filter(pl.col("rij") == PERSONEN)["aantal"][0]
    is_flow = pl.col("rij") != PERSONEN
    return t.with_columns(
        per_100=pl.when(is_flow & pl.lit(bool(pers))).then(pl.col("aantal") / pl.lit(pers or 1) * 100),
        aandeel=pl.when(is_flow & pl.lit(bool(tot))).then(pl.col("aantal") / pl.lit(tot or 1) * 100))


def reeksen(regelingen: pl.DataFrame, peil: dt.date) -> pl.DataFrame:
    """IOAW, IOAZ and Bbz (statistiekcodes 02, 03, 14) as their own series, each with its own episodes: per regeling
    present in the file: bestand_voor (end of the month before the twelve months), instroom and uitstroom in them,
    bestand (on the peildatum). bestand_voor + instroom = bestand + uitstroom."""
    van, tot = periode(peil)
    voor = van - dt.timedelta(days=1)
    out = []
    for code in EIGEN_REEKSEN:
        s = regelingen.filter(pl.col("regeling") == code)
        if s.is_empty():
            continue
        e = _episodes(s.select("client", "begin", "einde")).filter(pl.col("begin") <= tot)
        running = lambda d: (pl.col("begin") <= d) & (pl.col("einde").is_null() | (pl.col("einde") > d))  # noqa: E731
        out.append({"rij": code, "regeling": STATISTIEKCODES[code],
                    "bestand_voor": e.filter(running(voor)).height,
                    "instroom": e.filter(pl.col("begin").is_between(van, tot)).height,
                    "uitstroom": e.filter(pl.col("einde").is_between(van, tot)).height,
                    "bestand": e.filter(running(tot)).height})
    schema = {"rij": pl.String, "regeling": pl.String, "bestand_voor": pl.Int64, "instroom": pl.Int64,
              "uitstroom": pl.Int64, "bestand": pl.Int64}
    return pl.DataFrame(out, schema=schema)


REEKS_KOLOMMEN = ("bestand_voor", "instroom", "uitstroom", "bestand")


def pattern(redenen: pl.DataFrame | None, reeksen_: pl.DataFrame | None):
    """The `extra` of suppress.page: adds the cells of these tables and their relations to the page's grid. Relations:
    the codes add up to all uitstroom; 11 + 13 is naar werk; all uitstroom and naar werk are the monthly uitstroom (naar
    werk) of the twelve months; the personen met bijstand are the bestand before them plus their monthly instroom; per
    regeling bestand_voor + instroom = bestand + uitstroom. Totals a visitatie team would read go last (KEY_TIER)."""
    from portal.eigen.suppress import KEY_TIER

    def add(g, cell: dict, rows: list[dict]) -> None:
        months = [r["maand"] for r in rows][-MAANDEN:]
        if redenen is not None and len(months) == MAANDEN:
            ids = {r: g.add((TABEL, r, "aantal"), v, tier=KEY_TIER if r in (WERK, TOTAAL, PERSONEN) else 0)
                   for r, v in redenen.select("rij", "aantal").iter_rows()}
            codes = [ids[r] for r in ids if r not in (WERK, TOTAAL, PERSONEN)]
            g.relate("de redenen van uitstroom en alle uitstroom", [ids[TOTAAL]], codes)
            g.relate("uitstroom naar werk (11 en 13)", [ids[WERK]], [ids[c] for c in WERK_CODES])
            g.relate("de uitstroom per maand van de laatste 12 maanden", [ids[TOTAAL]], [cell[(m, "uitstroom")] for m in months])
            werk = [cell.get((m, "uitstroom_werk")) for m in months]
            if all(w is not None for w in werk):
                g.relate("de uitstroom naar werk per maand van de laatste 12 maanden", [ids[WERK]], werk)
            prev = _month(_idx(months[0]) - 1)
            if (prev, "bestand") in cell:
                g.relate("het bestand vóór de 12 maanden en de instroom per maand", [ids[PERSONEN]],
                         [cell[(prev, "bestand")], *[cell[(m, "instroom")] for m in months]])
        if reeksen_ is not None:
            for row in reeksen_.iter_rows(named=True):
                c = {k: g.add((REEKSEN, row["rij"], k), row[k]) for k in REEKS_KOLOMMEN}
                g.relate(f"bestand, instroom en uitstroom van {row['regeling']}", [c["bestand_voor"], c["instroom"]],
                         [c["bestand"], c["uitstroom"]])

    return add


def tabellen(regelingen: pl.DataFrame, peil: dt.date) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """(uitstroom by reden, IOAW/IOAZ/Bbz series) of a BUS upload's spells per statistiekcode (bus_store.regelingen);
    None where there is nothing (an own-layout upload has no regelingen)."""
    if regelingen.is_empty():
        return None, None
    series = reeksen(regelingen, peil)
    return (uitstroom_redenen(regelingen.filter(pl.col("regeling") == ALGEMEEN), peil),
            series if series.height else None)


def pattern_for_upload(db, upload_id: int, peil: dt.date):  # noqa: ANN001 - store.Eigenbestand
    """The `extra` of suppress.page for a stored upload (None for an own-layout upload): the visitatie block and the
    page build the same pattern. With the monthly counts by kenmerk (portal.eigen.kenmerken) of a BUS upload."""
    from portal.eigen import bus_store, kenmerken
    from portal.eigen.suppress import PAGE_MONTHS

    got = tabellen(bus_store.regelingen(db, upload_id), peil)
    counts = kenmerken.tabel(bus_store.indicatoren(db, upload_id), peil, PAGE_MONTHS)
    return kenmerken.combine(None if got == (None, None) else pattern(*got),
                             None if counts is None else kenmerken.pattern(counts))


__all__ = ["uitstroom_redenen", "reeksen", "pattern", "tabellen", "pattern_for_upload", "periode", "rates", "month_end",
           "DIVOSA_2023_PCT"]
