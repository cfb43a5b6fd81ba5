"""Checking every row of an uploaded file against its mapping, vectorised (polars; no Python per row).

`check` returns the typed rows (client still as given: the caller pseudonymises it) and the problems. A problem names
the row and the column as the user sees them; for the client column it never repeats the value. With many problems
`Problemen.berichten` gives counts per kind and the first examples of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from portal.eigen import parse, pseudo
from portal.eigen.schema import GESLACHTEN, LEEFVORMEN, REDENEN
from portal.eigen.upload import Raw
from portal.nl import nl_date_short, nl_number

VOORBEELDEN = 20  # examples kept per kind of problem
MAX_BERICHTEN = 20  # more problems than this: a summary
MAX_CODES = 200
MIN_LEEFTIJD, MAX_LEEFTIJD = 15, 110
TARGETS = {"reden": REDENEN, "leefvorm": LEEFVORMEN, "geslacht": GESLACHTEN}  # fasering: the gemeente's own categories
SOORTEN = {
    "kolom": "verplichte kolom ontbreekt",
    "codes": "te veel verschillende waarden in een codekolom",
    "leeg": "verplichte waarde ontbreekt",
    "datum": "onleesbare datum",
    "maand": "onleesbare maand",
    "volgorde": "einddatum vóór begindatum",
    "toekomst": "datum na de peildatum",
    "overlap": "overlappende perioden van één cliënt",
    "code": "code niet in de vertaling",
    "geboortejaar": "onmogelijk geboortejaar of leeftijd",
    "bedrag": "onleesbaar bedrag",
}


@dataclass(frozen=True)
class Probleem:
    soort: str  # a key of SOORTEN
    tekst: str  # Dutch, names row and column
    rij: int | None = None


class Problemen(list):
    """The problems found (at most VOORBEELDEN examples per kind) and `aantal`: the full count per kind."""

    def __init__(self):
        super().__init__()
        self.aantal: dict[str, int] = {}

    @property
    def totaal(self) -> int:
        return sum(self.aantal.values())

    def note(self, soort: str, tekst: str) -> None:
        self.aantal[soort] = self.aantal.get(soort, 0) + 1
        self.append(Probleem(soort, tekst))

    def rows(self, soort: str, bad: pl.DataFrame, tekst) -> None:
        """Count every row of `bad` under `soort` and keep the first examples, worded by tekst(row as dict)."""
        if bad.height == 0:
            return
        self.aantal[soort] = self.aantal.get(soort, 0) + bad.height
        for row in bad.sort("rij").head(VOORBEELDEN).iter_rows(named=True):
            self.append(Probleem(soort, tekst(row), row["rij"]))

    def berichten(self, limit: int = MAX_BERICHTEN) -> list[str]:
        """Dutch lines for the screen: every problem, or with more than `limit` a count per kind and the first three
        examples of each kind."""
        if self.totaal <= limit:
            return [p.tekst for p in self]
        out = [f"Er zijn {nl_number(self.totaal)} problemen gevonden; er is niets opgeslagen. Per soort:"]
        out += [f"{SOORTEN[s]}: {nl_number(n)}" for s, n in self.aantal.items()]
        out.append("De eerste voorbeelden:")
        for s in self.aantal:
            out += [p.tekst for p in self if p.soort == s][:3]
        return out


def check(raw: Raw, mapping: dict, fields: dict[str, tuple[str, bool]], peildatum: date
          ) -> tuple[pl.DataFrame, Problemen]:
    """(typed rows, problems); `fields` is field -> (label, required) for the mapping's layout."""
    p = Problemen()
    cols: dict[str, str] = {}
    for f, (label, required) in fields.items():
        c = (mapping.get("kolommen") or {}).get(f)
        if c and c in raw.kolommen:
            cols[f] = c
        elif required:
            p.note("kolom", f"De verplichte kolom voor '{label}' ontbreekt" + (
                f": kolom '{c}' staat niet in het bestand." if c else ": kies in de koppeling welke kolom dit is."))
    if p:
        return pl.DataFrame(), p
    excel = raw.soort == "xlsx"
    f = raw.frame.select(pl.col(c).alias(k) for k, c in cols.items()).with_columns(raw.rij.alias("rij"))
    for k in fields:
        if k not in f.columns:
            f = f.with_columns(pl.lit(None, pl.String).alias(k))
    label = {k: _At(c) for k, c in cols.items()}
    for k in [k for k, (_, req) in fields.items() if req and k != "einde"]:  # an empty einde: running
        p.rows("leeg", f.filter(pl.col(k).is_null()), lambda r, k=k: label[k](r) + ": de waarde ontbreekt.")

    peil_idx = peildatum.year * 12 + peildatum.month - 1
    birth_dates = parse.dates(f["geboortejaar"], excel, parse.BIRTH_EARLIEST)
    typed = f.with_columns(
        client=pseudo.normalised(pl.col("client")),
        t_begin=parse.dates(f["begin"], excel) if "begin" in fields else pl.lit(None, pl.Date),
        t_einde=parse.dates(f["einde"], excel) if "einde" in fields else pl.lit(None, pl.Date),
        t_maand=parse.month_index(pl.col("maand"), excel) if "maand" in fields else pl.lit(None, pl.Int64),
        t_jaar=parse.birth_year(pl.col("geboortejaar"), peildatum.year, birth_dates),
        # a date of birth where the value is one (not a bare year or age): the age at instroom is then exact
        t_geboortedatum=pl.when(pl.col("geboortejaar").str.strip_chars().str.contains(r"^\d{1,4}(?:[.,]0+)?$").not_())
        .then(birth_dates),
        t_bedrag=parse.amount(pl.col("bedrag")),
    )
    for k, kind, what in (("begin", "datum", "geldige datum"), ("einde", "datum", "geldige datum"),
                          ("maand", "maand", "geldige maand"),
                          ("geboortejaar", "geboortejaar", "geldig geboortejaar, geboortedatum of leeftijd"),
                          ("bedrag", "bedrag", "geldig bedrag")):
        t = {"geboortejaar": "t_jaar"}.get(k, "t_" + k)
        if k in cols:
            p.rows(kind, typed.filter(pl.col(k).is_not_null() & pl.col(t).is_null()),
                   lambda r, k=k, what=what, kind=kind: label[k](r) + f": '{r[k]}' is geen {what}"
                   + (" (gebruik dd-mm-jjjj of jjjj-mm-dd)." if kind == "datum" else "."))
    if "geboortejaar" in cols:
        lo, hi = peildatum.year - MAX_LEEFTIJD, peildatum.year - MIN_LEEFTIJD
        p.rows("geboortejaar", typed.filter(~pl.col("t_jaar").is_between(lo, hi)),
               lambda r: label["geboortejaar"](r) + f": geboortejaar {r['t_jaar']} (uit '{r['geboortejaar']}') "
               f"is niet mogelijk voor een bijstandsuitkering (leeftijd {peildatum.year - r['t_jaar']} in "
               f"{peildatum.year}).")
    if "begin" in cols and "einde" in cols:
        p.rows("volgorde", typed.filter(pl.col("t_einde") < pl.col("t_begin")),
               lambda r: label["einde"](r) + f": einddatum {nl_date_short(r['t_einde'])} ligt vóór de begindatum "
               f"{nl_date_short(r['t_begin'])}.")
    for k in ("begin", "einde"):
        if k in cols:
            p.rows("toekomst", typed.filter(pl.col("t_" + k) > peildatum),
                   lambda r, k=k: label[k](r) + f": {nl_date_short(r['t_' + k])} ligt na de peildatum {nl_date_short(peildatum)}.")
    if "maand" in cols:
        p.rows("toekomst", typed.filter(pl.col("t_maand") > peil_idx),
               lambda r: label["maand"](r) + f": maand '{r['maand']}' ligt na de peildatum {nl_date_short(peildatum)}.")
    _overlap(typed, cols, label, p)
    typed = _codes(typed, cols, mapping, label, p)
    out = typed.select("rij", "client", pl.col("t_begin").alias("begin"), pl.col("t_einde").alias("einde"),
                       pl.col("t_maand").alias("maand"), pl.col("t_jaar").alias("geboortejaar"),
                       pl.col("t_geboortedatum").alias("geboortedatum"),
                       pl.col("t_bedrag").alias("bedrag"), "reden", "leefvorm", "geslacht", "fasering")
    if "reden" in cols and "einde" in fields:  # an ended spell without a reason: not werk
        out = out.with_columns(pl.col("reden").fill_null("overig"))
    # A client-month file keeps an empty reden: a reden in a spell's last month says it ended in that month
    # (mapping._months_to_spells).
    return out, p


class _At:
    """'Rij 5, kolom 'Ingangsdatum'' for a row (as dict) of one column."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, r: dict) -> str:
        return f"Rij {r['rij']}, kolom '{self.column}'"


def _overlap(typed: pl.DataFrame, cols: dict, label: dict, p: Problemen) -> None:
    """Spells of one client that overlap (a running spell overlaps everything after it); in a client-month file the
    same month twice."""
    if "maand" in cols:
        s = typed.filter(pl.col("t_maand").is_not_null() & pl.col("client").is_not_null()).sort("client", "t_maand", "rij")
        s = s.with_columns(vorige=pl.col("rij").shift(1), zelfde=(pl.col("client") == pl.col("client").shift(1))
                           & (pl.col("t_maand") == pl.col("t_maand").shift(1)))
        p.rows("overlap", s.filter(pl.col("zelfde")),
               lambda r: label["maand"](r) + f": dezelfde cliënt staat voor deze maand ook in rij {r['vorige']}.")
        return
    s = typed.filter(pl.col("t_begin").is_not_null() & pl.col("client").is_not_null()
                     & (pl.col("einde").is_null() | pl.col("t_einde").is_not_null())).sort("client", "t_begin", "rij")
    # The latest end among the client's earlier spells (a running one ends in 9999), without a window per client
    # (slow with many clients): rows are sorted by client, so group number * 10^7 + end day only grows within a client
    # and jumps at the next one, and one running maximum over the whole column restarts at every client.
    group = (pl.col("client") != pl.col("client").shift(1)).fill_null(True).cum_sum().cast(pl.Int64)
    end_day = pl.col("t_einde").fill_null(date(9999, 12, 31)).cast(pl.Int64) + 800_000  # days since 1970, made positive
    key = group * 10_000_000 + end_day
    same = pl.col("client") == pl.col("client").shift(1)
    s = s.with_columns(
        eind_eerder=pl.when(same).then((key.cum_max().shift(1) % 10_000_000 - 800_000).cast(pl.Date)),
        vorige=pl.when(same).then(pl.col("rij").shift(1)))
    p.rows("overlap", s.filter(pl.col("t_begin") <= pl.col("eind_eerder")),
           lambda r: label["begin"](r) + f": deze periode overlapt met een eerdere periode van dezelfde cliënt "
           f"(de vorige periode van deze cliënt staat in rij {r['vorige']}).")


def _codes(typed: pl.DataFrame, cols: dict, mapping: dict, label: dict, p: Problemen) -> pl.DataFrame:
    """Translate the coded fields with the mapping; a value without a valid translation is a problem."""
    out = {}
    for k in ("reden", "leefvorm", "geslacht", "fasering"):
        if k not in cols:
            out[k] = pl.lit(None, pl.String)
            continue
        n = typed[k].n_unique()
        if n > MAX_CODES + 1:
            p.note("codes", f"Kolom '{cols[k]}' heeft {nl_number(n - 1)} verschillende waarden; voor {k} zijn dat er hooguit "
                            f"{MAX_CODES}. Is de juiste kolom gekoppeld?")
            out[k] = pl.lit(None, pl.String)
            continue
        allowed = TARGETS.get(k)
        table = {str(v): c for v, c in ((mapping.get("codes") or {}).get(k) or {}).items()
                 if c not in (None, "") and (allowed is None or c in allowed)}
        mapped = pl.col(k).replace_strict(table, default=None, return_dtype=pl.String)
        bad = typed.filter(pl.col(k).is_not_null() & mapped.is_null())
        p.rows("code", bad, lambda r, k=k: label[k](r) + f": de waarde '{r[k]}' staat niet in de vertaling; "
               "kies in de koppeling wat die betekent.")
        out[k] = mapped
    return typed.with_columns(**out)
