"""The mapping step: which column of the file holds which field, and what its code values mean in the portal's codes;
then `apply`, which validates every row and turns the file into the canonical spells (portal.eigen.schema.SPELLS).

A mapping is plain JSON, remembered per gemeente (portal.eigen.store) and offered again on the next upload:

    {"indeling": "perioden" | "maanden",
     "kolommen": {field: column name or None},
     "codes": {field: {value in the file: our code or None}},
     "geen": {field: the column the user declined with "(geen)"}}

"perioden": one row per uitkering spell. "maanden": one row per client per month (field "maand"); consecutive months
of a client form one spell, a gap of one month or more ends it; the last month's row gives the reden (and the other
attributes); a spell still present in the peildatum's month is running.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import polars as pl

from portal.eigen import parse, pseudo
from portal.eigen.schema import FIELDS, SPELLS
from portal.eigen.upload import Raw
from portal.eigen.validate import MAX_CODES, TARGETS, Problemen, check

MAAND = "maand"  # the extra field of a client-month file
MAAND_LABEL = "Maand (bij één rij per cliënt per maand)"
INDELINGEN = {"perioden": "Eén rij per uitkeringsperiode", "maanden": "Eén rij per cliënt per maand"}
CODED = ("reden", "leefvorm", "geslacht", "fasering")

SYNONIEMEN: dict[str, tuple[str, ...]] = {
    "client": ("bsn", "burgerservicenummer", "clientnummer", "clientnr", "client", "clientid", "persoonsnummer",
               "persoonsnr", "klantnummer", "klantnr", "relatienummer", "dossiernummer", "id"),
    "begin": ("ingangsdatum", "startdatum", "begindatum", "datumingang", "datumbegin", "datumstart", "ingang",
              "begin", "start", "startdate"),
    "einde": ("einddatum", "beeindigingsdatum", "datumeinde", "datumbeeindiging", "stopdatum", "einde", "eind",
              "enddate", "end"),
    "reden": ("reden", "uitstroomreden", "redenbeeindiging", "redeneinde", "redenuitstroom", "beeindigingsreden",
              "reason"),
    "leefvorm": ("leefvorm", "huishoudtype", "normcategorie", "huishoudsamenstelling", "leefsituatie", "huishouden"),
    "geboortejaar": ("geboortedatum", "geboortejaar", "leeftijd", "birthdate", "birthyear", "age"),
    "geslacht": ("geslacht", "sexe", "gender", "sex"),
    "fasering": ("participatieladder", "fasering", "trede", "fase", "ladder"),
    "bedrag": ("uitkeringsbedrag", "bedrag", "uitkering", "bedragpermaand", "amount"),
    MAAND: ("maand", "jaarmaand", "periode", "betaalmaand", "verantwoordingsmaand", "month"),
}
CODE_SYNONIEMEN: dict[str, dict[str, tuple[str, ...]]] = {
    "leefvorm": {
        "alleenstaande": ("all", "alleenstaand", "alleenstaande", "alst", "single", "a"),
        "alleenstaande_ouder": ("eo", "eenouder", "eenoudergezin", "alleenstaandeouder", "ao"),
        "paar": ("gh", "gehuwd", "gehuwden", "samenwonend", "samenwonenden", "paar", "echtpaar", "gezin", "couple",
                 "p"),
    },
    "geslacht": {
        "man": ("m", "man", "mannelijk", "male", "1"),
        "vrouw": ("v", "vrouw", "vrouwelijk", "f", "female", "2"),
        "onbekend": ("o", "onbekend", "x", "u", "unknown", "0", "9"),
    },
}
# Reason for ending -> werk only where the words mean paid work (BUS kenmerk 34: 11 arbeid in dienstbetrekking, 13
# zelfstandig beroep of bedrijf). NIET_WERK is checked first: work refused or lost, a werkloosheids- or
# arbeidsongeschiktheidsuitkering, a voorziening such as beschut werk or a werkervaringsplaats.
WERK = ("werk", "arbeid", "baan", "loondienst", "dienstverband", "dienstbetrekking", "eigenbedrijf", "zelfstandig",
        "onderneming", "ondernemer", "employment", "job")
NIET_WERK = ("weiger", "verwijtbaar", "werkloos", "werkeloos", "beschut", "ongeschikt", "werkervaring", "werkvoorziening",
             "werkstage", "jobcoach", "geenwerk", "zonderwerk")
NIET_WERK_WOORDEN = ("ww", "wia", "wao", "wajong", "wsw", "ziektewet", "zw")
# BUS kenmerk 34 (Regeling statistiek Participatiewet, bijlage 1): a reden column that holds only these codes is read as BUS.
BUS_REDENEN = frozenset((1, 2, 3, 4, 5, 6, 7, 11, 13, 14, 15, 17, 18, 19, 31, 32, 33, 34, 35, 97, 98))
BUS_WERK = frozenset((11, 13))
TREDE = re.compile(r"^0?([1-6])$")  # a bare step of the participatieladder ('3', '03'; SRG): 'trede 3'


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()


def _norm(text: str) -> str:
    """Lower case, accents and everything but letters and digits removed ('Beëindigings-datum' -> 'beeindigingsdatum')."""
    return re.sub(r"[^a-z0-9]", "", _ascii(text))


def code_choices(field: str) -> tuple[str, ...] | None:
    """The portal's codes a value of a coded field may be translated to; None for fasering (the gemeente's own
    categories, free text on the page)."""
    return TARGETS.get(field)


def fields(indeling: str) -> dict[str, tuple[str, bool]]:
    """Field -> (Dutch label, required) for a layout."""
    if indeling == "maanden":
        out = {f: (label, req and f not in ("begin", "einde")) for f, (label, req) in FIELDS.items()
               if f not in ("begin", "einde")}
        return {"client": out.pop("client"), MAAND: (MAAND_LABEL, True), **out}
    return dict(FIELDS)


def suggest_columns(columns: list[str]) -> dict[str, str | None]:
    """Field -> the column whose name matches best: an exact synonym first, then a name containing a synonym (longest
    synonym wins); each column serves one field."""
    normed = {c: _norm(c) for c in columns}
    out: dict[str, str | None] = {f: None for f in SYNONIEMEN}
    used: set[str] = set()
    for exact in (True, False):
        for field, syns in SYNONIEMEN.items():
            if out[field]:
                continue
            best = None
            for c, n in normed.items():
                if c in used:
                    continue
                for rank, s in enumerate(syns):
                    hit = n == s if exact else (len(s) >= 4 and s in n)
                    if hit and (best is None or (len(s), -rank) > best[0]):
                        best = ((len(s), -rank), c)
            if best:
                out[field] = best[1]
                used.add(best[1])
    return out


def suggest_code(field: str, value: str, bus: bool = False) -> str | None:
    """Our code for one value of a coded field, or None when it cannot be guessed. `bus`: the reden column holds BUS
    codes (kenmerk 34), so 11 and 13 are werk."""
    n = _norm(value)
    if field == "reden":
        if bus:
            return "werk" if int(n) in BUS_WERK else "overig"
        words = re.findall(r"[a-z0-9]+", _ascii(value))
        if any(w in n for w in NIET_WERK) or any(w in NIET_WERK_WOORDEN for w in words):
            return "overig"
        return "werk" if any(w in n for w in WERK) else "overig"
    if field == "fasering":
        step = TREDE.match(value.strip())
        return f"trede {step.group(1)}" if step else value.strip()
    for code, syns in CODE_SYNONIEMEN[field].items():
        if n in syns or n == _norm(code):
            return code
    if field == "leefvorm":  # longer descriptions: 'alleenstaande ouder 21+', 'gehuwd/samenwonend'
        if "ouder" in n or "eenouder" in n:
            return "alleenstaande_ouder"
        if any(w in n for w in ("gehuwd", "samenwon", "paar", "echtpa")):
            return "paar"
        if "alleenstaand" in n:
            return "alleenstaande"
    return None


def values(raw: Raw, column: str) -> dict[str, int]:
    """The distinct non-empty values of a column with the number of rows holding each, sorted by value (at most
    MAX_CODES + 1, to see that there are too many)."""
    counts = raw.frame[column].drop_nulls().value_counts(name="\x00rijen").sort(column).head(MAX_CODES + 1)
    return dict(counts.iter_rows())


def is_bus_reden(found: list[str]) -> bool:
    """Whether a reden column holds BUS codes (kenmerk 34: '11', '01', '98' …) and nothing else."""
    return bool(found) and all(re.fullmatch(r"\d{1,2}", v.strip()) and int(v) in BUS_REDENEN for v in found)


def suggest_values(field: str, found: list[str], known: dict | None = None) -> dict[str, str | None]:
    """Our code for each value found in a coded column (at most MAX_CODES): the remembered translation where there is
    one, else a suggestion."""
    known = known or {}
    bus = field == "reden" and is_bus_reden(found)
    return {v: known.get(v, suggest_code(field, v, bus)) for v in found[:MAX_CODES]}


def suggest(raw: Raw, remembered: dict | None = None) -> dict:
    """A mapping for this file: the remembered one where its columns and values still apply, suggestions elsewhere."""
    remembered = remembered or {}
    cols = suggest_columns(raw.kolommen)
    declined = remembered.get("geen") or {}
    for f, c in (remembered.get("kolommen") or {}).items():
        if f in cols and c in raw.kolommen:
            cols[f] = c
        elif f in cols and c is None and cols[f] is not None and declined.get(f) == cols[f]:
            cols[f] = None  # "(geen)" chosen for this very column last time
    indeling = remembered.get("indeling")
    if indeling not in INDELINGEN:
        indeling = "maanden" if cols[MAAND] and not cols["begin"] else "perioden"
    codes: dict[str, dict[str, str | None]] = {}
    for f in CODED:
        if not cols.get(f):
            continue
        codes[f] = suggest_values(f, list(values(raw, cols[f])), (remembered.get("codes") or {}).get(f))
    geen = {f: c for f, c in declined.items() if f in cols and cols[f] is None}
    return {"indeling": indeling, "kolommen": cols, "codes": codes, "geen": geen}


def peildatum_suggestion(raw: Raw, mapping: dict) -> date | None:
    """The last day of the month of the newest date (or month) in the file: the month the file describes. Dates are read
    with the formats the column uses (parse.dates), so a large file takes a fraction of a second, not seconds."""
    cols = mapping.get("kolommen") or {}
    excel = raw.soort == "xlsx"
    newest = []
    for f in (("begin", "einde") if mapping.get("indeling") != "maanden" else ()):
        if cols.get(f) in raw.kolommen:
            d = parse.dates(raw.frame[cols[f]], excel)
            d = d.filter(d <= date.today()).max()  # a planned end date says nothing about the file's month
            if d is not None:
                newest.append(d.year * 12 + d.month - 1)
    if mapping.get("indeling") == "maanden" and cols.get(MAAND) in raw.kolommen:
        newest.append(raw.frame.select(parse.month_index(pl.col(cols[MAAND]), excel).max()).item())
    newest = [i for i in newest if i is not None]
    if not newest:
        return None
    return pl.select(parse.month_end(pl.lit(max(newest)))).item()


def apply(raw: Raw, mapping: dict, gemeente: str, peildatum: date, secret: bytes | None = None
          ) -> tuple[pl.DataFrame, Problemen]:
    """(spells, problems). Every row is checked; with any problem the spells frame is empty, so nothing can be stored.
    The client column is pseudonymised here (the installation key, portal.eigen.pseudo, unless `secret` is given)."""
    frame, problems = check(raw, mapping, fields(mapping.get("indeling", "perioden")), peildatum)
    if problems:
        return pl.DataFrame(schema=SPELLS), problems
    frame = frame.with_columns(client=pseudo.pseudonymise(frame["client"], secret or pseudo.key()))
    if mapping.get("indeling") == "maanden":
        frame = _months_to_spells(frame, peildatum)
    spells = frame.select(
        pl.lit(gemeente, pl.String).alias("gemeente"), pl.lit(None, pl.Int64).alias("upload_id"), "client", "begin",
        "einde", pl.when(pl.col("einde").is_not_null()).then(pl.col("reden")).alias("reden"), "leefvorm",
        "geboortejaar", "geboortedatum", "geslacht", "fasering", "bedrag", pl.lit(False).alias("synthetisch"),
    ).cast(SPELLS)
    return spells.sort("client", "begin"), problems


def _months_to_spells(frame: pl.DataFrame, peildatum: date) -> pl.DataFrame:
    """Consecutive months of a client -> one spell; a month without a row ends it. Attributes and reden from the spell's
    last month. The spell has ended (einde: the last day of its last month) when its last month is before the
    peildatum's month, or when that last month is the peildatum's month and has a reden (ended in that month); otherwise
    it is running. A reden-less ending gets "overig" when the file has a reden column. Re-entries are not joined here:
    the monitors join them by the same rule as in a file of spells (portal.eigen.episodes.merge)."""
    last = peildatum.year * 12 + peildatum.month - 1
    has_reden = frame["reden"].is_not_null().any()
    f = frame.sort("client", "maand").with_columns(
        nieuw=(pl.col("client") != pl.col("client").shift(1)).fill_null(True)
        | (pl.col("maand") != pl.col("maand").shift(1) + 1).fill_null(True))
    f = f.with_columns(spell=pl.col("nieuw").cum_sum())
    agg = f.group_by("spell", maintain_order=True).agg(
        pl.col("maand").first().alias("eerste"), pl.all().exclude("spell", "nieuw").last())
    ended = (pl.col("maand") < last) | pl.col("reden").is_not_null()
    return agg.with_columns(
        begin=parse.month_start(pl.col("eerste")),
        einde=pl.when(ended).then(parse.month_end(pl.col("maand"))),
        reden=pl.when(ended).then(pl.col("reden").fill_null("overig") if has_reden else pl.col("reden")),
    )
