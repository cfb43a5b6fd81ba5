"""Divosa's indicators from the BUS (issue 22, part 2): per statistiekmaand, of the persons with algemene bijstand, the
share with income from work next to the uitkering, with an ontheffing of the arbeidsverplichting, with a vermindering
(maatregel) by reden, by huisvesting and by aantal kostendelers. The counts are made at upload from the records
(portal.eigen.bus._indicatoren, stored per upload by portal.eigen.bus_store), so the page never reads records again.

Denominator (NOEMER): the persons with algemene bijstand (statistiekcode 01) in the month: every aanvrager and partner
with a record in that month's BUS file, each once. Persons, not uitkeringen: most of these kenmerken are the person's
(21, 24, 28–33); kostendelers (11) is the uitkering's and counts for each of its persons.

Disclosure control: every count joins the page's one suppression pattern (portal.eigen.suppress.page, argument
`extra`, as portal.eigen.redenen does), with the relations a user could use:
- per month and indicator the categories add up to the personen (huisvesting, kostendelers), or a totaal and the
  persons without (werk, ontheffing, vermindering: "geen" is an internal cell, personen − totaal), and the totaal of
  ontheffing and vermindering is the sum of its codes; vrijlating is a part of werk (the rest internal);
- the personen are the uitkeringen plus the partners (both internal), and the uitkeringen with a record in a month are
  the bestand at the end of the month before plus that month's instroom of the bestandsmonitor (added only when that
  holds in the data, as every relation). Without it the bestandsmonitor of two months and the personen would give
  the number of partners, a count of persons that can be small.
Months are separate populations: no count of one month follows from another's. A share is shown only with its count
and its denominator both visible (a share of a visible count with a hidden denominator would give the denominator).

Participant benchmark (`deelnemers`): the median and P25–P75 of the shares of the other participating gemeenten (real
uploads, portal.eigen.store.participants; the viewer's own never counts, synthetic files never do; one fixed group, all
other participants, as portal.eigen.participants rule 1), per month only when at least MIN_PARTICIPANTS of them have
the kenmerk in that month with at least MIN_CELL persons; quantiles rounded to whole percents. A quantile of five values
is one (unnamed) gemeente's share, rounded: a share, not a count, and never a gemeente's number of persons.

The benchmark follows participants.py's discipline (its rules 2–3b), so that looking before and after one gemeente
joins, leaves or corrects a month gives nothing to subtract:
- Releases (`Stand`, `publiceer`): one table of quantiles over the viewer's months from one fixed set of contributors
  (gemeente, upload id), frozen and stored per viewing gemeente (bus_store: table `kenmerken_releases`). With each
  release the keyed fingerprints (participants.spoor) of every contributor's share per month, indicator and categorie
  in which it counts (the share as a reduced fraction: what the quantiles depend on). A cell is shown when at least
  MIN_PARTICIPANTS contributors count in it (`getoond`).
- A new release only when, compared with EVERY earlier release of this viewer, each cell both show has the same
  fingerprints in all gemeenten or differs in at least MIN_PARTICIPANTS of them (a gemeente that counts in one and not
  the other differs too): participants.kies with `botst`, tried for all current participants and then for the
  contributors of the last release only (a newcomer waits until enough others change; a new upload with the same
  shares is no change). Otherwise the page keeps the last release and says from when it is. A release is withdrawn
  (fingerprints kept) once an upload it rests on is deleted.
- Combinations (3b). Quantiles are not linear, so the algebra of totals (B+P+Q+X − (B+P) − (B+Q) + B = X) does not
  carry over as such: from the quantiles of sets one cannot compute the quantiles of their difference. What releases of
  one cell reveal together is order statistics of the released sets: with five contributors P25, median and P75 are
  their 2nd, 3rd and 4th share, and with linear interpolation every quantile lies between two neighbouring order
  statistics. That is enough when the sets' own inclusion–exclusion isolates a gemeente: releases over P (five), over Q
  (five others) and over P, Q and X each differ in at least five gemeenten, yet P's and Q's releases give six of the ten
  shares of P and Q and bound the other four, so the median of the eleven can be X's share exactly (test
  test_a_combination_of_quantile_releases_cannot_pin_one_share). Where no combination of the releases' contributor
  sets isolates one gemeente (or the change of one gemeente's share) in a cell, no set of one gemeente can be formed
  from them, and what stays is order statistics of sets that pairwise differ in 0 or at least five gemeenten. The
  rule: the same check `bepaald` as for totals, on the membership of each cell. It is conservative (it may refuse a
  release that quantiles would not betray) and keeps one rule for both benchmarks. This is an argument, not a proof
  that nothing is left: releases over sets that differ in five gemeenten still narrow what those five have together
  (e.g. how many of them lie above the median), as any published statistic does; we know of no way to get one
  gemeente's share from them.

Kenmerken that are not in the file: the count is null and the page says "niet in het bestand", never 0.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd

import polars as pl

from portal.eigen import participants as pt
from portal.eigen.bus import (HUISVESTING_CODES, INDICATOR_SCHEMA, INKOMSTEN_UIT_WERK, KOSTENDELERS_KLASSEN,
                              ONTHEFFING_CODES, ONTHEFFING_JA, SOORT_INKOMSTEN, VERMINDERING_REDENEN)
from portal.eigen.maanden import _idx, _month
from portal.eigen.schema import MIN_CELL, MIN_PARTICIPANTS
from portal.nl import nl_month

TABEL = "kenmerken"
PERSONEN, UITKERINGEN = "personen", "uitkeringen"
NOEMER = ("personen met algemene bijstand (statistiekcode 01) in de maand: aanvragers en partners met een record in het "
          "BUS-bestand van die maand, ieder één keer")
DIVOSA_WERK = ("Divosa meldt landelijk 8 % van de bijstandsgerechtigden met inkomsten uit werk naast de uitkering: "
               "\"8% krijgt bijstand als aanvulling op inkomsten uit werk\" (Divosa Benchmark Werk & Inkomen, Jaarrapportage "
               "2017, gepubliceerd 30 mei 2018), en \"elke maand heeft 8% van de mensen in de bijstand inkomsten uit parttime "
               "of flexibel werk\" (Divosa, Factsheet parttime werk in de bijstand). Divosa telt de deelnemers aan haar "
               "benchmark; haar precieze definitie kan van deze telling afwijken.")
# Participatiewet in balans (Kamerstuk 36582; Eerste Kamer 2025; in three phases). Sources, as published:
# - gemeente.nu, 15 October 2025, "Belangrijkste wijzigingen en implementatie Participatiewet in balans" (from SZW's
#   Gemeentenieuws): phase 1 on 1 January 2026 (among others gezamenlijke huishouding, giften, vermogen, mantelzorg);
#   2026 a "gedoogjaar" for what formally starts on 1 January 2027 (bijverdienen of jongeren, maatschappelijke
#   participatie, automatic verrekening of income); phase 3 from 1 January 2027 (bufferbudget, wider temporary
#   ontheffingen, norms of specific groups).
# - Rijksoverheid, 23 April 2025, "Tweede Kamer akkoord met Participatiewet in balans": uniform bijverdiengrenzen,
#   bufferbudget.
# - Wyzer, "Participatiewet in Balans; de belangrijkste wijzigingen" (April 2025): the kostendelersnorm lapses
#   temporarily with intensive care; maatschappelijke participatie replaces the tegenprestatie; the "geüniformeerde
#   verplichtingen" go, some verlagingen get their own AMvB (Wyzer, June 2024, on the bill).
# Only what these sources say is written; the page sends the reader to the law for the details.
IN_BALANS = ("Participatiewet in balans (wet 36582): nieuwe regels gaan in per 1 januari 2026 en per 1 januari 2027 (2026 "
             "is voor een deel een gedoogjaar). Waar een regel verandert wat een kenmerk meet, is een verschil tussen maanden "
             "vóór en na zo'n datum niet zonder meer een verandering in het bestand; per kenmerk staat hieronder wat de "
             "bronnen noemen. Bronnen: gemeente.nu 15-10-2025 (overzicht van SZW), Rijksoverheid 23-04-2025, Wyzer 2024–2025; "
             "controleer de details in de wet. In de grafieken staan beide data als verticale lijn als ze binnen de getoonde "
             "maanden vallen.")
IN_BALANS_PER = {
    "werk": "Participatiewet in balans: de bijverdiengrenzen worden gelijkgetrokken en inkomsten worden automatisch "
            "verrekend, met een bufferbudget voor schommelende inkomsten (formeel per 1 januari 2027, gedoogjaar 2026). "
            "Het aandeel met inkomsten uit werk kan daardoor veranderen zonder dat er meer of minder wordt gewerkt.",
    "ontheffing": "Participatiewet in balans: per 1 januari 2027 worden tijdelijke ontheffingen verruimd; een stijging van "
                  "het aandeel met ontheffing daarna kan (deels) uit de nieuwe regel komen.",
    "vermindering": "Participatiewet in balans: volgens het wetsvoorstel (Wyzer, juni 2024) vervallen de geüniformeerde "
                    "verplichtingen en komt voor een aantal verlagingen een eigen algemene maatregel van bestuur; de "
                    "tegenprestatie wordt maatschappelijke participatie. "
                    "Verminderingen naar reden zijn vóór en na de invoering daarom niet zonder meer te vergelijken.",
    "huisvesting": "Participatiewet in balans: voor dit kenmerk noemen de bronnen geen wijziging.",
    "kostendelers": "Participatiewet in balans: samenwonen vanwege een zorgbehoefte is niet meer vanzelf een gezamenlijke "
                    "huishouding en de kostendelersnorm vervalt tijdelijk bij intensieve zorg (mantelzorg); het aantal "
                    "kostendelers kan daardoor dalen zonder dat de woonsituatie verandert.",
}
REGELS = ((dt.date(2026, 1, 1), "1 januari 2026: nieuwe regels Participatiewet in balans"),
          (dt.date(2027, 1, 1), "1 januari 2027: nieuwe regels Participatiewet in balans"))
LEEG = "leeg"


@dataclass(frozen=True)
class Indicator:
    titel: str  # the heading on the page
    kenmerken: str  # which kenmerken, in words
    categorieen: dict[str, str]  # categorie -> Dutch label, in the order shown
    kop: tuple[str, ...]  # the categories whose share is the headline (metric, chart, benchmark)
    totaal: str | None  # the categorie that is the total of the others (ontheffing, vermindering), or None
    partitie: bool  # the categories add up to the personen (huisvesting, kostendelers)
    definitie: str


_WERK = ", ".join(f"{c} ({SOORT_INKOMSTEN[c]})" for c in INKOMSTEN_UIT_WERK)
_NIET_WERK = ", ".join(f"{c} {v}" for c, v in SOORT_INKOMSTEN.items() if c not in INKOMSTEN_UIT_WERK)
INDICATOREN: dict[str, Indicator] = {
    "werk": Indicator(
        "Inkomsten uit werk naast de uitkering", "kenmerk 31 (soort inkomsten) en 33 (vrijlating inkomsten)",
        {"ja": "met inkomsten uit werk", "vrijlating": "van wie met vrijlating van inkomsten"}, ("ja",), None, False,
        f"Personen met soort inkomsten (kenmerk 31) code {_WERK} in de maand. Andere codes tellen niet mee ({_NIET_WERK}). "
        "Met vrijlating: van hen de personen bij wie vrijlating inkomsten (kenmerk 33) 'ja' is."),
    "ontheffing": Indicator(
        "Ontheffing van de arbeidsverplichting", "kenmerk 24 (ontheffing arbeidsverplichting) en 25 (einddatum ontheffing)",
        {"totaal": "met ontheffing", **{c: ONTHEFFING_CODES[c] for c in ONTHEFFING_JA}}, ("totaal",), "totaal", False,
        "Personen met ontheffing arbeidsverplichting (kenmerk 24) code 4, 5 of 6 (ja) die in de maand loopt: zonder einddatum "
        "ontheffing (kenmerk 25) of met een einddatum op of na de eerste dag van de maand."),
    "vermindering": Indicator(
        "Verminderingen (maatregelen) naar reden", "kenmerk 28 (reden vermindering) met 29 en 30 (aanvangs- en einddatum)",
        {"totaal": "met vermindering", **VERMINDERING_REDENEN}, ("totaal",), "totaal", False,
        "Personen met een reden vermindering n.a.v. afstemming (kenmerk 28) die in de maand loopt: aanvangsdatum (kenmerk 29) "
        "leeg of op of vóór de laatste dag van de maand, einddatum (kenmerk 30) leeg of op of na de eerste dag."),
    "huisvesting": Indicator(
        "Huisvesting", "kenmerk 21 (huisvesting)", {**HUISVESTING_CODES, LEEG: "niet ingevuld"}, ("5", "4"), None, True,
        "Personen naar huisvesting (kenmerk 21) in hun record van de maand; adresloos is code 5, in inrichting code 4."),
    "kostendelers": Indicator(
        "Kostendelers", "kenmerk 11 (aantal kostendelers)",
        {**{k: f"{'3 of meer' if k == '3+' else k} kostendeler{'' if k == '1' else 's'}" for k in KOSTENDELERS_KLASSEN},
         LEEG: "niet ingevuld"}, KOSTENDELERS_KLASSEN, None, True,
        "Personen naar het aantal kostendelers (kenmerk 11) van hun uitkering, zoals het bestand het opgeeft (0, 1, 2, 3 of "
        "meer); elke persoon op de uitkering telt."),
}


def rij(maand: dt.date, indicator: str, categorie: str) -> str:
    return f"{maand.isoformat()} {indicator} {categorie}"


def periode(peil: dt.date, maanden: int) -> dt.date:
    """The first month shown: the bestandsmonitor's (the same month `maanden` months before the peildatum's)."""
    return _month(_idx(peil) - maanden)


def tabel(counts: pl.DataFrame, peil: dt.date, maanden: int) -> pl.DataFrame | None:
    """The counts of one upload (bus.INDICATOR_SCHEMA) of the months the page shows, with the key `rij`; a "niet
    ingevuld" category only when some month has one (as leefvorm 'onbekend'). None without counts."""
    van = periode(peil, maanden)
    t = counts.filter(pl.col("maand").is_between(van, peil))
    if t.is_empty():
        return None
    lege = t.filter((pl.col("categorie") == LEEG) & (pl.col("aantal") > 0))["indicator"].unique().to_list()
    t = t.filter((pl.col("categorie") != LEEG) | pl.col("indicator").is_in(lege))
    return t.with_columns(rij=pl.format("{} {} {}", pl.col("maand").dt.strftime("%Y-%m-%d"), "indicator", "categorie"))


def _value(t: pl.DataFrame) -> dict[tuple[dt.date, str, str], int | None]:
    return {(m, i, c): v for m, i, c, v in t.select("maand", "indicator", "categorie", "aantal").iter_rows()}


def pattern(t: pl.DataFrame):
    """The `extra` of suppress.page for the table of `tabel` (module note): adds its cells and relations."""
    from portal.eigen.suppress import KEY_TIER

    values = _value(t)
    months = sorted({m for m, _, _ in values})

    def add(g, cell: dict, rows: list[dict]) -> None:  # noqa: ANN001 - suppress._Grid
        for m in months:
            def cel(i: str, c: str, **kw) -> int:
                return g.add((TABEL, rij(m, i, c), "aantal"), values[(m, i, c)], **kw)

            when = nl_month(m)
            n = cel(PERSONEN, "totaal", tier=KEY_TIER)
            a = values.get((m, UITKERINGEN, "totaal"))
            if a is not None and a <= values[(m, PERSONEN, "totaal")]:
                u = cel(UITKERINGEN, "totaal", shown=False)
                p = g.add((TABEL, rij(m, "partners", "totaal"), "aantal"), values[(m, PERSONEN, "totaal")] - a, shown=False)
                g.relate(f"de personen, de uitkeringen en de partners van {when}", [n], [u, p])
                prev = _month(_idx(m) - 1)
                if (prev, "bestand") in cell and (m, "instroom") in cell:
                    g.relate(f"de uitkeringen van {when}: het bestand van de maand ervoor en de instroom", [u],
                             [cell[(prev, "bestand")], cell[(m, "instroom")]])
            for key, ind in INDICATOREN.items():
                cats = [c for c in ind.categorieen if (m, key, c) in values and values[(m, key, c)] is not None]
                if not cats:
                    continue
                ids = {c: cel(key, c, tier=KEY_TIER if c in ind.kop and not ind.partitie else 0) for c in cats}
                if ind.partitie:
                    g.relate(f"{ind.titel.lower()} van {when}", [n], list(ids.values()))
                    continue
                head = ind.totaal or "ja"
                if head not in ids:
                    continue
                geen = g.add((TABEL, rij(m, key, "geen"), "aantal"),
                             values[(m, PERSONEN, "totaal")] - values[(m, key, head)], shown=False)
                g.relate(f"{ind.titel.lower()}: met en zonder, {when}", [n], [ids[head], geen])
                if ind.totaal:
                    g.relate(f"{ind.titel.lower()}: het totaal en de codes, {when}", [ids[head]],
                             [i for c, i in ids.items() if c != head])
                elif "vrijlating" in ids:
                    zonder = g.add((TABEL, rij(m, key, "zonder vrijlating"), "aantal"),
                                   values[(m, key, "ja")] - values[(m, key, "vrijlating")], shown=False)
                    g.relate(f"inkomsten uit werk met en zonder vrijlating, {when}", [ids["ja"]], [ids["vrijlating"], zonder])

    return add


def combine(*patterns):
    """One `extra` of suppress.page from several (None skipped); None when there is none."""
    got = [p for p in patterns if p is not None]
    if not got:
        return None

    def add(g, cell: dict, rows: list[dict]) -> None:  # noqa: ANN001
        for p in got:
            p(g, cell, rows)

    return add


def aandelen(t: pl.DataFrame) -> pl.DataFrame:
    """Counts as they stand after suppression (columns maand, indicator, categorie, aantal) with `noemer` (the
    personen of the month) and `aandeel` (% of the personen): null unless the count and the personen are both visible."""
    n = t.filter(pl.col("indicator") == PERSONEN).select("maand", pl.col("aantal").alias("noemer"))
    return t.join(n, on="maand", how="left").with_columns(
        aandeel=pl.when(pl.col("aantal").is_not_null() & (pl.col("noemer") > 0)).then(pl.col("aantal") / pl.col("noemer") * 100))


def niet_in_bestand(t: pl.DataFrame, indicator: str, categorie: str) -> list[dt.date]:
    """The months in which the kenmerk behind this count is not in the file (its count is null before suppression)."""
    return t.filter((pl.col("indicator") == indicator) & (pl.col("categorie") == categorie) & pl.col("aantal").is_null()
                    )["maand"].to_list()


SHARE_SCHEMA = {"gemeente": pl.String, "maand": pl.Date, "indicator": pl.String, "categorie": pl.String, "aantal": pl.Int64,
                "n": pl.Int64, "aandeel": pl.Float64}
BENCHMARK_SCHEMA = {"maand": pl.Date, "indicator": pl.String, "categorie": pl.String, "gemeenten": pl.Int64,
                    "p25": pl.Float64, "mediaan": pl.Float64, "p75": pl.Float64}


def _shares(others: dict[str, pl.DataFrame], van: dt.date, tot: dt.date) -> pl.DataFrame:
    """Per gemeente, month, indicator and categorie the share (%) that counts in the benchmark (module note): a
    categorie (not personen, uitkeringen, leeg) whose kenmerk is in the file, in a month with at least MIN_CELL
    personen; with its count `aantal` and the personen `n`."""
    parts = [c.filter(pl.col("maand").is_between(van, tot)).with_columns(pl.lit(g).alias("gemeente"))
             for g, c in others.items() if not c.is_empty()]
    if not parts:
        return pl.DataFrame(schema=SHARE_SCHEMA)
    f = pl.concat([p.select("gemeente", *INDICATOR_SCHEMA) for p in parts])
    n = f.filter(pl.col("indicator") == PERSONEN).select("gemeente", "maand", pl.col("aantal").alias("n"))
    return (f.filter(~pl.col("indicator").is_in([PERSONEN, UITKERINGEN]) & (pl.col("categorie") != LEEG)
                     & pl.col("aantal").is_not_null())
            .join(n, on=["gemeente", "maand"]).filter(pl.col("n") >= MIN_CELL)
            .with_columns(aandeel=pl.col("aantal") / pl.col("n") * 100).select(list(SHARE_SCHEMA)).cast(SHARE_SCHEMA))


def deelnemers(others: dict[str, pl.DataFrame], van: dt.date, tot: dt.date) -> pl.DataFrame:
    """The benchmark among the other participants (module note): per month, indicator and categorie (not personen,
    uitkeringen) the number of gemeenten and the P25, median and P75 of their shares (%), rounded to whole percents;
    only rows with at least MIN_PARTICIPANTS gemeenten. others: gemeente -> its counts (bus.INDICATOR_SCHEMA)."""
    q = _shares(others, van, tot).group_by("maand", "indicator", "categorie").agg(
        pl.col("gemeente").n_unique().alias("gemeenten"),
        *[pl.col("aandeel").quantile(x, "linear").round(0).alias(name) for x, name in ((.25, "p25"), (.5, "mediaan"), (.75, "p75"))])
    return q.filter(pl.col("gemeenten") >= MIN_PARTICIPANTS).sort("maand", "indicator", "categorie").cast(BENCHMARK_SCHEMA)


# ---- frozen releases of the benchmark (module note) ----------------------------------------------------------------------
@dataclass(frozen=True)
class Stand:
    """One frozen release of the benchmark for one viewing gemeente (stored in `kenmerken_releases`)."""
    versie: int
    tijd: str  # ISO time of publication
    van: dt.date  # first and last month (first day) of the window
    tot: dt.date
    bijdragers: pt.Bijdragers  # (gemeente, upload id)
    sporen: pt.Sporen  # per contributor: "jjjj-mm/indicator/categorie" -> keyed fingerprint of its share there
    cijfers: pl.DataFrame | None  # the `deelnemers` table as shown; None once an upload it rests on was deleted


def aandeel_sporen(counts: pl.DataFrame, van: dt.date, tot: dt.date, secret: bytes) -> dict[str, str]:
    """Keyed fingerprints (participants.spoor) of one gemeente's shares that count in the benchmark, per month,
    indicator and categorie; a cell in which it does not count (kenmerk not in the file, fewer than MIN_CELL personen)
    has none. The share is fingerprinted as a reduced fraction: what the quantiles depend on, nothing else."""
    out = {}
    for m, i, c, a, n in _shares({"": counts}, van, tot).select("maand", "indicator", "categorie", "aantal", "n").iter_rows():
        key, d = f"{m:%Y-%m}/{i}/{c}", gcd(a, n)
        out[key] = pt.spoor(secret, key, f"{a // d}/{n // d}")
    return out


def getoond(sp: pt.Sporen) -> set[str]:
    """The cells a release shows: those in which at least MIN_PARTICIPANTS of its contributors count (as `deelnemers`)."""
    return {k for k, n in Counter(k for f in sp.values() for k in f).items() if n >= MIN_PARTICIPANTS}


def publiceer(uploads: dict[str, dict], eigen: str, van: dt.date, tot: dt.date, earlier: list[Stand],
              counts_of: Callable[[str, int], pl.DataFrame], tijd: str, secret: bytes
              ) -> tuple[Stand | None, bool, Stand | None]:
    """The benchmark release to show to `eigen` for the months van to tot (module note): (release or None, whether
    newer figures wait for it, the new release to store or None).

    uploads: gemeente -> its current real upload (the viewer's own and synthetic ones never count); earlier: every
    stored release of this viewer, oldest first; counts_of(gemeente, upload id): that upload's stored counts
    (bus.INDICATOR_SCHEMA); tijd: now (ISO); secret: the key of the fingerprints. As participants.publish: all
    contributors are tried, then only those of the last release; a set is shown when it has the last release's
    fingerprints, or as a new release when participants.kies allows it against every earlier release."""
    latest = earlier[-1] if earlier and earlier[-1].cijfers is not None else None
    counts = {g: counts_of(g, int(u["id"])) for g, u in uploads.items() if g != eigen and not u.get("synthetisch")}
    sp = {g: aandeel_sporen(c, van, tot, secret) for g, c in counts.items()}
    alle = frozenset((g, int(uploads[g]["id"])) for g in sp if sp[g])
    tries = pt.pogingen(alle, None if latest is None else latest.sporen)
    same = latest.sporen if latest is not None and (latest.van, latest.tot) == (van, tot) else None
    got = pt.kies(tries, lambda cand: {g: sp[g] for g, _ in cand}, same, [r.sporen for r in earlier], getoond)
    if got is None:
        return latest, len(alle) >= MIN_PARTICIPANTS or latest is not None, None
    cand, fp, nieuw = got
    if not nieuw:
        return latest, False, None
    stand = Stand((earlier[-1].versie + 1) if earlier else 1, tijd, van, tot, cand, fp,
                  deelnemers({g: counts[g] for g, _ in cand}, van, tot))
    return stand, False, stand


def toelichting(stand: Stand | None, wacht: bool) -> str | None:
    """The page's line on the release shown (Dutch): its date, and when newer figures wait, until when."""
    zodra = (f"nieuwe deelnemers en gewijzigde bestanden worden meegenomen zodra minstens {MIN_PARTICIPANTS} gemeenten "
             "nieuwe of andere cijfers hebben geleverd, zodat het verschil met een eerder getoonde benchmark niet het "
             "aandeel van één gemeente prijsgeeft.")
    if stand is None:
        return f"Er is nu geen benchmark te tonen; {zodra}" if wacht else None
    tekst = f"Benchmark van {pt.datum(stand.tijd)} ({len(stand.bijdragers)} gemeenten"
    tekst += f", maanden {stand.van:%m-%Y} t/m {stand.tot:%m-%Y})" if wacht else ")"
    return f"{tekst}; {zodra}" if wacht else f"{tekst}."


def to_row(s: Stand) -> dict:
    """A release as a row of the `kenmerken_releases` table (without viewer and id)."""
    return {"versie": s.versie, "tijd": s.tijd, "van": s.van.isoformat(), "tot": s.tot.isoformat(),
            "bijdragers": json.dumps(sorted(s.bijdragers)), "sporen": json.dumps(s.sporen, sort_keys=True),
            "cijfers": s.cijfers.with_columns(pl.col("maand").dt.to_string("%Y-%m-%d")).write_json()}


def from_row(row: dict) -> Stand:
    """A stored release; withdrawn (cijfers None) when an upload it rests on was deleted (bus_store.kenmerken_releases)."""
    cijfers = None
    if row["cijfers"] and not row.get("ingetrokken"):
        cijfers = pl.read_json(row["cijfers"].encode(), schema={**BENCHMARK_SCHEMA, "maand": pl.String})
        cijfers = cijfers.with_columns(pl.col("maand").str.to_date("%Y-%m-%d"))
    return Stand(int(row["versie"]), row["tijd"], dt.date.fromisoformat(row["van"]), dt.date.fromisoformat(row["tot"]),
                 frozenset((g, int(u)) for g, u in json.loads(row["bijdragers"])), json.loads(row["sporen"]), cijfers)


__all__ = ["INDICATOREN", "NOEMER", "DIVOSA_WERK", "IN_BALANS", "IN_BALANS_PER", "REGELS", "tabel", "pattern", "combine",
           "aandelen", "niet_in_bestand", "deelnemers", "publiceer", "toelichting", "rij", "periode"]
