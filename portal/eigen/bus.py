"""BUS and SRG files as every gemeente delivers them to CBS: recognised by their kenmerken, read without a mapping step.

Source of the kenmerken, their numbers and codes: *Regeling statistiek Participatiewet, IOAW en IOAZ* (first 2013 as
"Regeling statistiek WWB, IOAW en IOAZ 2013", BWBR0031830), bijlage 1 (BUS, bijstandsuitkeringenstatistiek) and
bijlage 2 (SRG, statistiek re-integratievoorzieningen gemeenten), as summarised in /work/shared/docs/BUS_SRG.md from the
public repository statengeneraal/laws-markdown. That version may be older than the text in force: check the codes
against BWBR0031830 on wetten.overheid.nl before relying on them. The tables below are the only place they are written.

Recognition (`herken`): a column is a kenmerk when its name, lower case, without accents, spaces, underscores and
punctuation, and without a leading "kenmerk" and the kenmerk's number, is the kenmerk's name or one of its short forms:
"8 statistiekcode", "Statistiekcode", "STATISTIEK_CODE" and "kenmerk 8 - statistiekcode" are all kenmerk 8. A number that
contradicts the name is not trusted: the name decides. SRG kenmerken are recognised by name only (BUS_SRG.md gives no
numbers for bijlage 2); a leading number is ignored.

A zip of monthly files (`lees_zip`) goes through the zip checks of portal.eigen.upload (size, ratio, entries, real
inflated size) and every file in it through upload.read_file (its limits, formula refusal and Dutch messages); the
files' recognised columns are put under the kenmerk names and stacked, each row keeping its file name and row number.

Reading BUS (`lees_bus`): one record per person per uitkering per month. Every row is checked (a required kenmerk
missing, an unknown code, an unreadable or impossible date, a gemeentecode of another gemeente, a record twice) with a
Dutch message naming the kenmerk, the file and the row, never the BSN; with any problem nothing is returned to store.
Then (see `_spells`): the monthly records of one person on one uitkering with one aanvangsdatum are one spell; one spell
per uitkering is kept, of the uitkering's first person (the first person of its earliest record: the aanvrager), so
that a spell is an uitkering as in the own layout and the CBS comparison adds the partners of paren. The BSN is
pseudonymised (portal.eigen.pseudo) before anything leaves this module; re-entries are joined by the monitors with
the herinstroom rule (portal.eigen.episodes.merge), as for the own layout.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from portal.eigen import parse, pseudo
from portal.eigen.schema import SPELLS
from portal.eigen.upload import MAX_BYTES, MAX_CELLS, Raw, UploadFout, _check_zip, read_file
from portal.nl import nl_number
from portal.eigen.validate import Problemen

# ---- the kenmerken (BWBR0031830 bijlage 1; BUS_SRG.md) ---------------------------------------------------------------
# nr -> (key, name as the regeling writes it, short forms also accepted)
BUS_KENMERKEN: dict[int, tuple[str, str, tuple[str, ...]]] = {
    1: ("jaar", "statistiekjaar", ()),
    2: ("maand", "statistiekmaand", ()),
    3: ("berichtgever", "berichtgevercode", ()),
    4: ("gemeentecode", "gemeentecode", ("cbsgemeentecode",)),
    5: ("softwarepakket", "softwarepakket", ()),
    6: ("versie", "versie softwarepakket", ("versie", "softwareversie")),
    7: ("registratienummer", "registratienummer uitkering", ("registratienummer", "uitkeringsnummer")),
    8: ("statistiekcode", "statistiekcode", ()),
    9: ("bbz_classificatie", "nadere classificatie Bbz", ("nadereclassificatie",)),
    10: ("leefvorm", "leefvorm", ()),
    11: ("kostendelers", "aantal kostendelers", ("kostendelers",)),
    12: ("norm", "bedrag bijstandsnorm/grondslag", ("bedragbijstandsnorm", "bijstandsnorm", "bedragbijstandsnormgrondslag")),
    13: ("vermindering", "bedrag vermindering n.a.v. afstemming", ("bedragvermindering", "bedragverminderingnavafstemming")),
    14: ("inkomsten_uitkering", "bedrag inkomsten uitkering", ()),
    15: ("bedrag", "betaalbaar gesteld bedrag uitkering", ("betaalbaargesteldbedrag",)),
    16: ("invoering", "datum invoering administratie", ()),
    17: ("cluster_bb", "cluster bijzondere bijstand", ()),
    18: ("bsn", "burgerservicenummer", ("bsn",)),
    19: ("geboortedatum", "geboortedatum", ()),
    20: ("geslacht", "geslacht", ()),
    21: ("huisvesting", "huisvesting", ()),
    22: ("begin", "aanvangsdatum uitkering persoon", ("aanvangsdatumuitkering", "aanvangsdatum")),
    23: ("einde", "einddatum uitkering persoon", ("einddatumuitkering",)),
    24: ("ontheffing", "ontheffing arbeidsverplichting", ()),
    25: ("einde_ontheffing", "einddatum ontheffing", ()),
    26: ("reden_ontheffing", "reden beëindiging ontheffing of opschorting", ()),
    27: ("tegenprestatie", "uitvoering tegenprestatie", ()),
    28: ("reden_vermindering", "reden vermindering n.a.v. afstemming", ("redenvermindering",)),
    29: ("begin_vermindering", "aanvangsdatum vermindering", ()),
    30: ("einde_vermindering", "einddatum vermindering", ()),
    31: ("soort_inkomsten", "soort inkomsten", ()),
    32: ("inkomsten_persoon", "bedrag inkomsten persoon", ()),
    33: ("vrijlating", "vrijlating inkomsten", ()),
    34: ("reden", "reden beëindiging uitkering persoon", ("redenbeeindiginguitkering", "redenbeeindiging")),
}
# What a BUS upload needs to give the monitors (the others are read when present or not used).
BUS_VERPLICHT = (1, 2, 7, 8, 10, 18, 19, 22, 23, 34)
BUS_KENMERK = (8, 18, 22)  # a file with these three is a BUS file

STATISTIEKCODES = {"01": "algemene bijstand", "02": "IOAW", "03": "IOAZ", "11": "periodieke bijzondere bijstand",
                   "12": "eenmalige bijzondere bijstand", "14": "Bbz"}
BIJZONDERE_BIJSTAND = ("11", "12")  # not bijstandsvolume: not stored, counted at upload
ALGEMEEN = "01"  # the volume and flow monitors
EIGEN_REEKSEN = ("02", "03", "14")  # IOAW, IOAZ, Bbz: their own series
LEEFVORM_CODES = {"1": "alleenstaande", "2": "alleenstaande_ouder", "3": "paar", "4": "onbekend"}  # 4 = anders
GESLACHT_CODES = {"1": "man", "2": "vrouw"}
REDENEN: dict[str, str] = {  # kenmerk 34
    "01": "onderwijs met studiefinanciering", "02": "aangaan relatie", "03": "AOW-leeftijd", "04": "overlijden",
    "05": "detentie", "06": "kan onderwijs volgen maar doet het niet", "07": "maximale verblijfsduur buitenland overschreden",
    "11": "inkomsten uit arbeid in dienstbetrekking / uitkering ziekte", "13": "inkomsten uit zelfstandig beroep of bedrijf",
    "14": "inkomsten uit uitkering werkloosheid", "15": "inkomsten uit uitkering arbeidsongeschiktheid",
    "17": "inkomsten uit alimentatie", "18": "inkomsten uit vermogensopbrengsten", "19": "ander inkomen",
    "31": "geen inlichtingen", "32": "verhuizing naar andere gemeente", "33": "verhuizing naar buitenland",
    "34": "niet verschenen op oproep inlichtingenplicht", "35": "niet verschenen op oproep re-integratiegesprek",
    "97": "oorzaak bij partner", "98": "andere oorzaak",
}
WERK_CODES = ("11", "13")  # "naar werk": arbeid in dienstbetrekking and zelfstandig beroep of bedrijf
# The monthly attributes of a record (kenmerken 11, 21, 24–26, 28–33), counted per month at upload (`indicatoren`). Codes
# and names as bijlage 1 writes them (BUS_SRG.md; the names of 26 and the full names of 28 from the same regeling text).
HUISVESTING_CODES = {"1": "huurder", "2": "eigenaar", "3": "inwonend", "4": "in inrichting", "5": "adresloos",
                     "6": "geen vaste woon- of verblijfplaats en niet adresloos"}  # kenmerk 21
ONTHEFFING_CODES = {"2": "nee", "4": "ja, artikel 9a Participatiewet", "5": "ja, artikel 9, lid 1a, Participatiewet",
                    "6": "ja, artikel 9, lid 5, Participatiewet"}  # kenmerk 24
ONTHEFFING_JA = ("4", "5", "6")
REDEN_ONTHEFFING = {"1": "beëindiging wegens niet nakomen verplichtingen plan van aanpak",
                    "2": "beëindiging wegens bereiken maximale termijn ontheffing",
                    "3": "opschorting wegens bereiken 5-jarige leeftijd jongste kind",
                    "4": "opschorting op verzoek van de ouder", "5": "overige reden beëindiging"}  # kenmerk 26
VERMINDERING_REDENEN = {"01": "op het vlak van plicht tot arbeidsinschakeling", "03": "agressie",
                        "05": "niet nakomen tegenprestatie", "06": "niet nakomen verplichtingen plan van aanpak",
                        "07": "niet (voldoende) zoeken naar werk in zoekperiode van 4 weken",
                        "08": "niet (voldoende) zoeken naar scholing in zoekperiode van 4 weken",
                        "98": "oorzaak bij partner"}  # kenmerk 28
SOORT_INKOMSTEN = {"11": "(deeltijd)arbeid in dienstbetrekking", "18": "vermogensopbrengsten", "23": "kinderalimentatie",
                   "24": "partneralimentatie", "31": "heffingskortingen", "98": "andere inkomsten"}  # kenmerk 31
INKOMSTEN_UIT_WERK = ("11",)  # "inkomsten uit werk naast de uitkering": the only code of kenmerk 31 for work
VRIJLATING_CODES = {"1": "ja", "2": "nee"}  # kenmerk 33
KOSTENDELERS_KLASSEN = ("0", "1", "2", "3+")  # kenmerk 11 (aantal kostendelers, two digits), as counted

# SRG (BWBR0031830 bijlage 2): key -> (name, short forms). No numbers in the material read.
SRG_KENMERKEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "jaar": ("statistiekjaar", ()),
    "maand": ("statistiekmaand", ()),
    "statistiekcode": ("statistiekcode", ()),
    "gemeentecode": ("gemeentecode", ("cbsgemeentecode",)),
    "bsn": ("burgerservicenummer", ("bsn",)),
    "geboortedatum": ("geboortedatum", ()),
    "geslacht": ("geslacht", ()),
    "ladder": ("positie op de participatieladder", ("participatieladder", "positieparticipatieladder")),
    "ladder_begin": ("begindatum positie op de participatieladder", ("begindatumparticipatieladder",
                                                                    "begindatumpositieparticipatieladder")),
    "arbeidsvermogen": ("arbeidsvermogen", ()),
    "registratienummer": ("registratienummer voorziening", ("registratienummer", "voorzieningnummer")),
    "type": ("type voorziening", ("soortvoorziening", "voorziening")),
    "begin": ("begindatum voorziening", ("aanvangsdatumvoorziening",)),
    "einde": ("einddatum voorziening", ()),
    "reden_einde": ("reden einde voorziening", ("redeneinde", "redenbeeindigingvoorziening")),
    "loonwaarde": ("loonwaarde", ("loonwaardepercentage",)),
}
SRG_VERPLICHT = ("jaar", "maand", "bsn", "type", "begin", "einde")
SRG_KENMERK = ("type", "bsn")  # with BSN and type voorziening a file is an SRG file
SRG_STATISTIEKCODE = "10"
VOORZIENINGEN = {"01": "tijdelijke loonkostensubsidie", "02": "WIW/ID-baan", "03": "participatieplaats",
                 "04": "loonkostensubsidie (Participatiewet)", "05": "beschut werk",
                 "06": "begeleiding op de werkplek/jobcoach", "07": "vervoersvoorziening woon-werk",
                 "08": "andere voorzieningen voor arbeidsbeperking", "99": "overige"}
REDEN_EINDE = {"1": "volledig afgerond", "2": "voortijdig gestopt",
               "3": "gestopt door verhuizen, overlijden, detentie of zwangerschap"}

BESTAND, RIJ = "\x00bestand", "\x00rij"  # per row: the file (in a zip) and the row number the user sees


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower())


def _name_and_number(column: str) -> tuple[str, int | None]:
    """('statistiekcode', 8) for '8 statistiekcode', 'kenmerk 8 - statistiekcode', 'Statistiekcode (8)'; number None
    when the name holds none."""
    text = unicodedata.normalize("NFKD", str(column)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^\s*kenmerk\b", "", text)
    nr = None
    m = re.match(r"^\s*(\d{1,2})\b", text) or re.search(r"\(\s*(\d{1,2})\s*\)\s*$", text)
    if m:
        nr = int(m.group(1))
        text = text[:m.start()] + text[m.end():]
    return _norm(text), nr


def _bus_names() -> dict[str, int]:
    out: dict[str, int] = {}
    for nr, (_, naam, kort) in BUS_KENMERKEN.items():
        for n in (_norm(naam), *kort):
            out.setdefault(n, nr)
    return out


def _srg_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, (naam, kort) in SRG_KENMERKEN.items():
        for n in (_norm(naam), *kort):
            out.setdefault(n, key)
    return out


_BUS_NAMES, _SRG_NAMES = _bus_names(), _srg_names()


@dataclass(frozen=True)
class Herkenning:
    """What `herken` found: soort "bus", "srg" or None; per kenmerk the column; the kenmerken missed."""

    soort: str | None
    kolommen: dict = field(default_factory=dict)  # BUS: nr -> column; SRG: key -> column
    ontbrekend: tuple = ()  # required kenmerken not found
    overig: tuple = ()  # columns that are no kenmerk
    niet_gevonden: tuple = ()  # every kenmerk not found (required or not)

    def label(self, k) -> str:
        """'kenmerk 8 (statistiekcode)' / 'type voorziening'."""
        return kenmerk_label(self.soort, k)


def kenmerk_label(soort: str | None, k) -> str:
    if soort == "bus":
        return f"kenmerk {k} ({BUS_KENMERKEN[k][1]})"
    return SRG_KENMERKEN[k][0]


def herken(columns: list[str]) -> Herkenning:
    """Which kenmerken the columns are (first match wins; each kenmerk one column) and whether the file is BUS or SRG."""
    bus: dict[int, str] = {}
    srg: dict[str, str] = {}
    for c in columns:
        name, _ = _name_and_number(c)
        nr = _BUS_NAMES.get(name)
        if nr is not None and nr not in bus:
            bus[nr] = c
        key = _SRG_NAMES.get(name)
        if key is not None and key not in srg:
            srg[key] = c
    if all(k in srg for k in SRG_KENMERK) and 22 not in bus:
        gevonden = srg
        return Herkenning("srg", dict(srg), tuple(k for k in SRG_VERPLICHT if k not in srg),
                          tuple(c for c in columns if c not in gevonden.values()),
                          tuple(k for k in SRG_KENMERKEN if k not in srg))
    if all(k in bus for k in BUS_KENMERK):
        return Herkenning("bus", dict(sorted(bus.items())), tuple(k for k in BUS_VERPLICHT if k not in bus),
                          tuple(c for c in columns if c not in bus.values()),
                          tuple(k for k in BUS_KENMERKEN if k not in bus))
    return Herkenning(None)


# ---- reading: one file or a zip of monthly files --------------------------------------------------------------------
@dataclass(frozen=True)
class Bestand:
    """A BUS or SRG upload as read: the rows with their kenmerken under their keys, the file and row per row."""

    frame: pl.DataFrame  # kenmerk keys (String) + BESTAND + RIJ
    herkenning: Herkenning
    bestandsnaam: str
    bestanden: int  # files read (1, or the files in a zip)
    beschrijving: str


def is_zip_of_files(data: bytes) -> bool:
    """A zip that is not an Excel workbook (which is a zip too)."""
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" not in z.namelist()
    except zipfile.BadZipFile:
        return False


def _as_zip_message(exc: UploadFout) -> UploadFout:
    """upload._check_zip speaks of an Excel file; here the zip is a zip of monthly files."""
    text = str(exc).replace("Het Excel-bestand", "Het zipbestand").replace("Een Excel-bestand", "Een zipbestand")
    return UploadFout(text)


def lees_zip(data: bytes, filename: str) -> list[Raw]:
    """The files in a zip of monthly files, each read with upload.read_file (every limit and check of a single file),
    after the zip checks of upload._check_zip. Folders and hidden files (a Mac's __MACOSX) are skipped."""
    if len(data) > MAX_BYTES:
        return [read_file(data, filename)]  # the size message of a single file
    try:
        _check_zip(data)
    except UploadFout as exc:
        raise _as_zip_message(exc) from None
    out: list[Raw] = []
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [i.filename for i in z.infolist() if not i.is_dir() and not i.filename.split("/")[-1].startswith((".", "__"))
                 and "__MACOSX" not in i.filename]
        if not names:
            raise UploadFout(f"Het zipbestand '{filename}' bevat geen bestanden. Zet er de maandbestanden (CSV, XLSX of "
                             "Parquet) in.")
        for name in sorted(names):
            if not name.lower().endswith((".csv", ".txt", ".xlsx", ".parquet")):
                raise UploadFout(f"In het zipbestand staat '{name}': alleen CSV-, Excel- (.xlsx) en Parquet-bestanden "
                                 "worden gelezen. Haal andere bestanden uit de zip.")
            try:
                raw = read_file(z.read(name), name)
            except UploadFout as exc:
                raise UploadFout(f"Bestand '{name}' in het zipbestand: {exc}") from None
            cells += raw.frame.height * raw.frame.width
            if cells > MAX_CELLS:
                raise UploadFout(f"De bestanden in het zipbestand hebben samen meer dan {nl_number(MAX_CELLS)} cellen. Upload "
                                 "ze in delen.")
            out.append(raw)
    return out


def lees(data: bytes, filename: str, read=read_file) -> Bestand | Raw:
    """A BUS or SRG upload as a `Bestand`; a file that is neither comes back as the Raw of upload.read_file (for the
    mapping step of the own layout). A zip must hold BUS or SRG files, all of one kind. UploadFout (Dutch) otherwise.
    `read`: how a single file is read (upload.read_file)."""
    if not is_zip_of_files(data):
        raw = read(data, filename)
        h = herken(raw.kolommen)
        if h.soort is None:
            return raw
        return _bestand([raw], [h], filename, raw.beschrijving())
    raws = lees_zip(data, filename)
    hs = [herken(r.kolommen) for r in raws]
    soorten = {h.soort for h in hs}
    if None in soorten:
        naam = raws[[h.soort for h in hs].index(None)].bestandsnaam
        raise UploadFout(f"Bestand '{naam}' in het zipbestand is geen BUS- of SRG-bestand: de kenmerken "
                         "statistiekcode, burgerservicenummer en aanvangsdatum uitkering persoon (BUS) of type voorziening "
                         "en burgerservicenummer (SRG) zijn niet gevonden. Een zip kan alleen maandbestanden van BUS of "
                         "SRG bevatten; upload een eigen export los.")
    if len(soorten) > 1:
        raise UploadFout("Het zipbestand bevat BUS- én SRG-bestanden. Upload de BUS- en de SRG-bestanden elk in een eigen "
                         "zip.")
    rows = sum(r.frame.height for r in raws)
    return _bestand(raws, hs, filename, f"Zipbestand met {len(raws)} bestanden: {nl_number(rows)} rijen")


def _bestand(raws: list[Raw], hs: list[Herkenning], filename: str, beschrijving: str) -> Bestand:
    """Rename each file's kenmerk columns to their keys and stack the files; the herkenning of the whole upload is the
    union of what each file had only when every file had it (a kenmerk missing in one month is missing)."""
    soort = hs[0].soort
    keys = (lambda k: BUS_KENMERKEN[k][0]) if soort == "bus" else (lambda k: k)
    parts = []
    for raw, h in zip(raws, hs):
        f = raw.frame.select([pl.col(c).alias(keys(k)) for k, c in h.kolommen.items()]).with_columns(
            pl.lit(raw.bestandsnaam).alias(BESTAND), raw.rij.alias(RIJ))
        parts.append(f)
    frame = pl.concat(parts, how="diagonal") if len(parts) > 1 else parts[0]
    common = [k for k in hs[0].kolommen if all(k in h.kolommen for h in hs)]
    first = hs[0]
    kolommen = {k: first.kolommen[k] for k in common}
    allk = list(BUS_KENMERKEN) if soort == "bus" else list(SRG_KENMERKEN)
    verplicht = BUS_VERPLICHT if soort == "bus" else SRG_VERPLICHT
    overig = tuple(dict.fromkeys(c for h in hs for c in h.overig))
    h = Herkenning(soort, kolommen, tuple(k for k in verplicht if k not in kolommen), overig,
                   tuple(k for k in allk if k not in kolommen))
    return Bestand(frame, h, filename, len(raws), beschrijving)


# ---- checks shared by BUS and SRG -------------------------------------------------------------------------------------
def _where(r: dict, bestanden: int) -> str:
    return (f"Bestand '{r[BESTAND]}', rij {r[RIJ]}" if bestanden > 1 else f"Rij {r[RIJ]}")


class _Check:
    """Problems of one upload, each naming kenmerk, file (in a zip) and row; never a BSN."""

    def __init__(self, b: Bestand):
        self.b, self.p = b, Problemen()

    def label(self, key) -> str:
        if self.b.herkenning.soort == "bus":
            nr = next(nr for nr, v in BUS_KENMERKEN.items() if v[0] == key)
            return f"{kenmerk_label('bus', nr)}, kolom '{self.b.herkenning.kolommen.get(nr, '?')}'"
        return f"kenmerk {SRG_KENMERKEN[key][0]}, kolom '{self.b.herkenning.kolommen.get(key, '?')}'"

    def rows(self, soort: str, bad: pl.DataFrame, key, tekst, show: bool = True) -> None:
        """tekst(row) after '<where>, <kenmerk>: '; show=False never repeats the value (the BSN)."""
        n = self.b.bestanden
        self.p.rows(soort, bad.with_columns(pl.col(RIJ).alias("rij")),
                    lambda r: f"{_where(r, n)}, {self.label(key)}: {tekst(r)}")


def _code(s: pl.Expr, width: int) -> pl.Expr:
    """A code as the regeling writes it: '1' and '01' are 01 (for a width of 2); a code from a spreadsheet number '1.0'."""
    s = s.str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(s.str.contains(r"^\d+$")).then(s.str.zfill(width)).otherwise(s)


def _gemeente_digits(gemeente: str) -> str:
    return gemeente.removeprefix("GM")


def _check_common(c: _Check, f: pl.DataFrame, gemeente: str) -> pl.DataFrame:
    """Statistiekjaar and -maand, gemeentecode, BSN; adds t_maand (month index) and t_bsn (normalised)."""
    jaar = pl.col("jaar").str.strip_chars().cast(pl.Int64, strict=False)
    maand = pl.col("maand").str.strip_chars().str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    f = f.with_columns(t_maand=pl.when(jaar.is_between(parse.EARLIEST.year, 2100) & maand.is_between(1, 12))
                       .then(jaar * 12 + maand - 1))
    c.rows("maand", f.filter(pl.col("t_maand").is_null() & pl.col("jaar").is_not_null() & pl.col("maand").is_not_null()
                             & ~jaar.is_between(parse.EARLIEST.year, 2100)), "jaar",
           lambda r: f"'{r['jaar']}' is geen statistiekjaar (jjjj).")
    c.rows("maand", f.filter(pl.col("maand").is_not_null() & ~maand.is_between(1, 12).fill_null(False)), "maand",
           lambda r: f"'{r['maand']}' is geen statistiekmaand (01 tot en met 12).")
    if "gemeentecode" in f.columns:
        code = pl.col("gemeentecode").str.strip_chars().str.replace(r"^(?i:GM)", "").str.zfill(4)
        c.rows("code", f.filter(pl.col("gemeentecode").is_not_null() & (code != _gemeente_digits(gemeente))),
               "gemeentecode", lambda r: f"gemeentecode '{r['gemeentecode']}' is niet die van deze gemeente "
               f"({_gemeente_digits(gemeente)}). Upload alleen het bestand van de eigen gemeente.")
    bsn = pl.col("bsn").str.strip_chars().str.replace(r"\.0+$", "")
    f = f.with_columns(t_bsn=pl.when(bsn.str.contains(r"^\d{1,9}$")).then(pseudo.normalised(bsn)))
    c.rows("leeg", f.filter(pl.col("bsn").is_not_null() & pl.col("t_bsn").is_null()), "bsn",
           lambda r: "de waarde is geen burgerservicenummer (hoogstens 9 cijfers); de waarde wordt hier niet herhaald.")
    return f


def _required(c: _Check, b: Bestand, verplicht, key_of) -> bool:
    """A required kenmerk missing in the file: one problem per kenmerk (naming it and, in a zip, the files)."""
    h = b.herkenning
    for k in h.ontbrekend:
        c.p.note("kolom", f"Het verplichte {kenmerk_label(h.soort, k)} ontbreekt in het bestand"
                 + (" (in minstens één van de bestanden in de zip)" if b.bestanden > 1 else "")
                 + ". Exporteer het bestand met alle kenmerken van de regeling.")
    return not h.ontbrekend


def _empty(c: _Check, f: pl.DataFrame, keys) -> None:
    for k in keys:
        c.rows("leeg", f.filter(pl.col(k).is_null()), k, lambda r: "de waarde ontbreekt.")


def _dates(c: _Check, f: pl.DataFrame, keys, excel: bool) -> pl.DataFrame:
    out = {}
    for k in keys:
        if k not in f.columns:
            out["t_" + k] = pl.lit(None, pl.Date)
            continue
        earliest = parse.BIRTH_EARLIEST if k == "geboortedatum" else parse.EARLIEST
        d = parse.dates(f[k], excel, earliest)
        out["t_" + k] = d
        bad = f.with_columns(d.alias("_d")).filter(pl.col(k).is_not_null() & pl.col("_d").is_null())
        c.rows("datum", bad, k, lambda r, k=k: f"'{r[k]}' is geen geldige datum (jjjjmmdd).")
    return f.with_columns(**out)


def _excel(b: Bestand) -> bool:
    return b.beschrijving.startswith("Excel")


# ---- BUS ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BusGelezen:
    spells: pl.DataFrame  # SPELLS of algemene bijstand (01): what the monitors read
    regelingen: pl.DataFrame  # every stored spell (01, 02, 03, 14): client, regeling, begin, einde, reden_code, leefvorm
    peildatum: date
    records: int  # records read
    bijzondere_bijstand: int  # records with statistiekcode 11 or 12 (not stored)
    per_regeling: dict  # statistiekcode -> spells
    zonder_einddatum: int  # spells that left the file without einddatum (ended at the end of their last month)
    indicatoren: pl.DataFrame | None = None  # INDICATOR_SCHEMA: the monthly counts of the records (`indicatoren`)


REGELING_SCHEMA = {"client": pl.String, "regeling": pl.String, "begin": pl.Date, "einde": pl.Date,
                   "reden_code": pl.String, "leefvorm": pl.String}


def lees_bus(b: Bestand, gemeente: str, secret: bytes | None = None) -> tuple[BusGelezen | None, Problemen]:
    """(the spells to store, problems); None with any problem. The peildatum is the end of the newest statistiekmaand."""
    c = _Check(b)
    if not _required(c, b, BUS_VERPLICHT, None):
        return None, c.p
    f = b.frame
    for key in ("geslacht", "bedrag", "gemeentecode"):
        if key not in f.columns:
            f = f.with_columns(pl.lit(None, pl.String).alias(key))
    if b.herkenning.kolommen.get(4) is None:
        f = f.drop("gemeentecode")
    _empty(c, f, ("jaar", "maand", "registratienummer", "statistiekcode", "bsn", "leefvorm", "geboortedatum", "begin"))
    f = _check_common(c, f, gemeente)
    f = f.with_columns(t_code=_code(pl.col("statistiekcode"), 2), t_leefvorm=_code(pl.col("leefvorm"), 1),
                       t_geslacht=_code(pl.col("geslacht"), 1), t_reden=_code(pl.col("reden"), 2))
    c.rows("code", f.filter(pl.col("statistiekcode").is_not_null() & ~pl.col("t_code").is_in(list(STATISTIEKCODES))),
           "statistiekcode", lambda r: f"statistiekcode '{r['statistiekcode']}' bestaat niet in de regeling "
           f"({', '.join(f'{k} {v}' for k, v in STATISTIEKCODES.items())}).")
    c.rows("code", f.filter(pl.col("leefvorm").is_not_null() & ~pl.col("t_leefvorm").is_in(list(LEEFVORM_CODES))),
           "leefvorm", lambda r: f"leefvorm '{r['leefvorm']}' bestaat niet in de regeling (1 tot en met 4).")
    c.rows("code", f.filter(pl.col("geslacht").is_not_null() & ~pl.col("t_geslacht").is_in(list(GESLACHT_CODES))),
           "geslacht", lambda r: f"geslacht '{r['geslacht']}' bestaat niet in de regeling (1 man, 2 vrouw).")
    c.rows("code", f.filter(pl.col("reden").is_not_null() & ~pl.col("t_reden").is_in(list(REDENEN))), "reden",
           lambda r: f"reden beëindiging '{r['reden']}' bestaat niet in de regeling ({', '.join(REDENEN)}).")
    f = _dates(c, f, ("begin", "einde", "geboortedatum"), _excel(b))
    f = _check_maandkenmerken(c, f, _excel(b))
    if "bedrag" in b.frame.columns:
        f = f.with_columns(t_bedrag=parse.amount(pl.col("bedrag")))
        c.rows("bedrag", f.filter(pl.col("bedrag").is_not_null() & pl.col("t_bedrag").is_null()), "bedrag",
               lambda r: f"'{r['bedrag']}' is geen geldig bedrag.")
    else:
        f = f.with_columns(t_bedrag=pl.lit(None, pl.Float64))
    month_end = parse.month_end(pl.col("t_maand"))
    c.rows("toekomst", f.filter(pl.col("t_begin") > month_end), "begin",
           lambda r: f"aanvangsdatum {r['t_begin']:%d-%m-%Y} ligt na de statistiekmaand van dit record "
           f"({r['maand']}-{r['jaar']}).")
    c.rows("volgorde", f.filter(pl.col("t_einde") < pl.col("t_begin")), "einde",
           lambda r: f"einddatum {r['t_einde']:%d-%m-%Y} ligt vóór de aanvangsdatum {r['t_begin']:%d-%m-%Y}.")
    c.rows("leeg", f.filter(pl.col("t_einde").is_not_null() & (pl.col("t_einde") <= month_end) & pl.col("reden").is_null()),
           "reden", lambda r: f"de uitkering eindigt op {r['t_einde']:%d-%m-%Y} maar de reden beëindiging ontbreekt.")
    age = pl.col("t_maand") // 12 - pl.col("t_geboortedatum").dt.year()
    c.rows("geboortejaar", f.filter(pl.col("t_geboortedatum").is_not_null() & pl.col("t_maand").is_not_null()
                                    & ~age.is_between(15, 110)), "geboortedatum",
           lambda r: f"geboortedatum {r['t_geboortedatum']:%d-%m-%Y} is niet mogelijk voor een bijstandsuitkering.")
    dup = (f.filter(pl.col("t_bsn").is_not_null() & pl.col("t_maand").is_not_null())
           .with_columns(eerste=pl.col(RIJ).min().over("t_bsn", "registratienummer", "t_code", "t_maand", "t_begin"),
                         eerste_bestand=pl.col(BESTAND).first().over("t_bsn", "registratienummer", "t_code", "t_maand",
                                                                      "t_begin"))
           .filter(pl.col(RIJ) != pl.col("eerste")))
    c.rows("overlap", dup, "bsn", lambda r: "dezelfde persoon staat voor deze maand, uitkering en aanvangsdatum al in "
           + (f"bestand '{r['eerste_bestand']}', " if b.bestanden > 1 else "") + f"rij {r['eerste']}.")
    if c.p:
        return None, c.p
    got = _bus_spells(f, gemeente, secret)
    return replace(got, indicatoren=_indicatoren(f, set(b.herkenning.kolommen))), c.p


# ---- the monthly attributes of the records (kenmerken 11, 21, 24–26, 28–33) --------------------------------------------
# key -> (width, code table) of the coded ones; the regeling's name of each is BUS_KENMERKEN's.
MAAND_CODES: dict[str, tuple[int, dict[str, str]]] = {
    "huisvesting": (1, HUISVESTING_CODES), "ontheffing": (1, ONTHEFFING_CODES), "reden_ontheffing": (1, REDEN_ONTHEFFING),
    "reden_vermindering": (2, VERMINDERING_REDENEN), "soort_inkomsten": (2, SOORT_INKOMSTEN),
    "vrijlating": (1, VRIJLATING_CODES)}
MAAND_DATUMS = ("einde_ontheffing", "begin_vermindering", "einde_vermindering")
INDICATOR_SCHEMA = {"maand": pl.Date, "indicator": pl.String, "categorie": pl.String, "aantal": pl.Int64}


def _key_nr(key: str) -> int:
    return next(nr for nr, v in BUS_KENMERKEN.items() if v[0] == key)


def _maand_waarden(f: pl.DataFrame) -> pl.DataFrame:
    """t_<key> of the monthly kenmerken: codes as the regeling writes them ('1' and '01' alike), the aantal kostendelers
    as a number (null when it is no whole number of one or two digits), the bedrag inkomsten persoon as euros (a
    leading + allowed, as the regeling's signed format has it). A kenmerk not in the file gives a null column."""
    def col(key: str) -> pl.Expr:
        return pl.col(key) if key in f.columns else pl.lit(None, pl.String)

    kd = col("kostendelers").str.strip_chars().str.replace(r"\.0+$", "")
    return f.with_columns(
        **{f"t_{key}": _code(col(key), width) for key, (width, _) in MAAND_CODES.items()},
        t_kostendelers=pl.when(kd.str.contains(r"^\d{1,2}$")).then(kd.cast(pl.Int64, strict=False)),
        t_inkomsten_persoon=parse.amount(col("inkomsten_persoon").str.strip_chars().str.strip_chars_start("+")))


def _check_maandkenmerken(c: _Check, f: pl.DataFrame, excel: bool) -> pl.DataFrame:
    """Codes, numbers, amounts and dates of the monthly kenmerken present, each problem with kenmerk, file and row."""
    f = _maand_waarden(f)
    for key, (_, table) in MAAND_CODES.items():
        if key not in f.columns:
            continue
        naam = BUS_KENMERKEN[_key_nr(key)][1]
        codes = ", ".join(f"{k} {v}" for k, v in table.items()) if len(table) <= 6 and key != "reden_ontheffing" \
            else ", ".join(table)
        c.rows("code", f.filter(pl.col(key).is_not_null() & ~pl.col(f"t_{key}").is_in(list(table))), key,
               lambda r, key=key, naam=naam, codes=codes: f"{naam} '{r[key]}' bestaat niet in de regeling ({codes}).")
    if "kostendelers" in f.columns:
        c.rows("code", f.filter(pl.col("kostendelers").is_not_null() & pl.col("t_kostendelers").is_null()), "kostendelers",
               lambda r: f"'{r['kostendelers']}' is geen aantal kostendelers (een geheel getal van 0 tot en met 99).")
    if "inkomsten_persoon" in f.columns:
        c.rows("bedrag", f.filter(pl.col("inkomsten_persoon").is_not_null() & pl.col("t_inkomsten_persoon").is_null()),
               "inkomsten_persoon", lambda r: f"'{r['inkomsten_persoon']}' is geen geldig bedrag.")
    f = _dates(c, f, MAAND_DATUMS, excel)
    c.rows("volgorde", f.filter(pl.col("t_einde_vermindering") < pl.col("t_begin_vermindering")), "einde_vermindering",
           lambda r: f"einddatum vermindering {r['t_einde_vermindering']:%d-%m-%Y} ligt vóór de aanvangsdatum "
           f"{r['t_begin_vermindering']:%d-%m-%Y}.")
    return f


def _indicatoren(f: pl.DataFrame, kenmerken: set[int]) -> pl.DataFrame:
    """Per statistiekmaand the counts of the algemene bijstand (statistiekcode 01) records (INDICATOR_SCHEMA; what
    portal.eigen.kenmerken shows), from a frame with t_maand, t_code, t_bsn, registratienummer and the t_ columns of
    `_maand_waarden` / `_dates`. `kenmerken`: the numbers of the kenmerken the file has.

    Counted are persons (aanvragers and partners: distinct BSN) with a record in the month; a person with two records
    in one month counts once, with the first (file order). Rows per month:
    - personen/totaal (the denominator) and uitkeringen/totaal (distinct registratienummers: for the page's suppression);
    - werk/ja: soort inkomsten (31) in INKOMSTEN_UIT_WERK; werk/vrijlating: of those, vrijlating inkomsten (33) ja;
    - ontheffing/<4, 5, 6> and /totaal: ontheffing arbeidsverplichting (24) ja, running in the month: no einddatum
      ontheffing (25) or one on or after the month's first day;
    - vermindering/<reden> and /totaal: reden vermindering (28) given and running in the month: aanvangsdatum (29) empty
      or on or before the month's last day, einddatum (30) empty or on or after its first day;
    - huisvesting/<1 … 6, leeg> (21) and kostendelers/<0, 1, 2, 3+, leeg> (11): every person once.
    aantal is null ("niet in het bestand", never 0) when the kenmerk is not in the file, and for 11, 21 and 24 (which
    every record fills) also in a month in which no record has a value."""
    a = f.filter(pl.col("t_code") == ALGEMEEN)
    if a.is_empty():
        return pl.DataFrame(schema=INDICATOR_SCHEMA)
    eerste, laatste = parse.month_start(pl.col("t_maand")), parse.month_end(pl.col("t_maand"))
    werk = pl.col("t_soort_inkomsten").is_in(INKOMSTEN_UIT_WERK)
    onth = pl.col("t_ontheffing").is_in(ONTHEFFING_JA) & (pl.col("t_einde_ontheffing").is_null()
                                                          | (pl.col("t_einde_ontheffing") >= eerste))
    verm = (pl.col("t_reden_vermindering").is_not_null()
            & (pl.col("t_begin_vermindering").is_null() | (pl.col("t_begin_vermindering") <= laatste))
            & (pl.col("t_einde_vermindering").is_null() | (pl.col("t_einde_vermindering") >= eerste)))
    kd = pl.col("t_kostendelers")
    regs = a.group_by("t_maand").agg(pl.col("registratienummer").n_unique().alias("uitkeringen"))
    # one record per person per month: the first (file order)
    p = a.filter(pl.struct("t_maand", "t_bsn").is_first_distinct()).select(
        "t_maand", werk=werk, vrij=werk & (pl.col("t_vrijlating") == "1"), onth=pl.when(onth).then(pl.col("t_ontheffing")),
        verm=pl.when(verm).then(pl.col("t_reden_vermindering")), huisv=pl.col("t_huisvesting"),
        kd=pl.when(kd >= 3).then(pl.lit("3+")).otherwise(kd.cast(pl.String)), heeft_onth=pl.col("t_ontheffing").is_not_null())

    def per(col: str, codes) -> list[pl.Expr]:
        return [(pl.col(col).is_null() if c == "leeg" else pl.col(col) == c).sum().alias(f"{col}:{c}") for c in codes]

    g = p.group_by("t_maand").agg(
        pl.len().alias("personen"), pl.col("werk").sum(), pl.col("vrij").sum(),
        pl.col("onth").is_not_null().sum().alias("onth:totaal"), *per("onth", ONTHEFFING_JA),
        pl.col("verm").is_not_null().sum().alias("verm:totaal"), *per("verm", VERMINDERING_REDENEN),
        *per("huisv", [*HUISVESTING_CODES, "leeg"]), *per("kd", [*KOSTENDELERS_KLASSEN, "leeg"]),
        pl.col("heeft_onth").any(), pl.col("huisv").is_not_null().any().alias("heeft_huisv"),
        pl.col("kd").is_not_null().any().alias("heeft_kd")).join(regs, on="t_maand").sort("t_maand")
    groups = {"onth": ("ontheffing", ["totaal", *ONTHEFFING_JA]), "verm": ("vermindering", ["totaal", *VERMINDERING_REDENEN]),
              "huisv": ("huisvesting", [*HUISVESTING_CODES, "leeg"]), "kd": ("kostendelers", [*KOSTENDELERS_KLASSEN, "leeg"])}
    rows = []
    for r in g.iter_rows(named=True):
        m = r["t_maand"]
        maand = date(m // 12, m % 12 + 1, 1)
        there = {"werk": 31 in kenmerken, "vrij": {31, 33} <= kenmerken, "onth": 24 in kenmerken and r["heeft_onth"],
                 "verm": 28 in kenmerken, "huisv": 21 in kenmerken and r["heeft_huisv"], "kd": 11 in kenmerken and r["heeft_kd"]}
        rows += [(maand, "personen", "totaal", r["personen"]), (maand, "uitkeringen", "totaal", r["uitkeringen"]),
                 (maand, "werk", "ja", r["werk"] if there["werk"] else None),
                 (maand, "werk", "vrijlating", r["vrij"] if there["vrij"] else None)]
        for col, (indicator, cats) in groups.items():
            rows += [(maand, indicator, c, r[f"{col}:{c}"] if there[col] else None) for c in cats]
    return pl.DataFrame(rows, schema=INDICATOR_SCHEMA, orient="row")


def indicatoren_uit_records(records: pl.DataFrame) -> pl.DataFrame:
    """`_indicatoren` of monthly BUS records as portal.eigen.bus_synth writes them (kenmerk keys, strings; no checks):
    the synthetic demo's counts, by the same definitions as an upload's."""
    f = records.with_columns(
        t_maand=pl.col("jaar").cast(pl.Int64) * 12 + pl.col("maand").cast(pl.Int64) - 1,
        t_code=_code(pl.col("statistiekcode"), 2), t_bsn=pl.col("bsn"))
    f = _maand_waarden(f).with_columns(
        **{f"t_{k}": (pl.col(k).str.to_date("%Y%m%d") if k in f.columns else pl.lit(None, pl.Date)) for k in MAAND_DATUMS})
    return _indicatoren(f, {nr for nr, v in BUS_KENMERKEN.items() if v[0] in records.columns})


def _bus_spells(f: pl.DataFrame, gemeente: str, secret: bytes | None) -> BusGelezen:
    """Monthly records -> spells (module note)."""
    peil_idx = int(f["t_maand"].max())
    peil = pl.select(parse.month_end(pl.lit(peil_idx))).item()
    records = f.height
    bb = int(f["t_code"].is_in(BIJZONDERE_BIJSTAND).sum())
    f = f.filter(~pl.col("t_code").is_in(BIJZONDERE_BIJSTAND))
    # The uitkering's first person: first person of its earliest record (file order within a file).
    f = f.with_columns(_orde=pl.struct(pl.col("t_maand"), pl.col(BESTAND), pl.col(RIJ)).rank("ordinal"))
    head = (f.sort("_orde").group_by("registratienummer", "t_code", maintain_order=True)
            .agg(pl.col("t_bsn").first().alias("_hoofd")))
    f = f.join(head, on=["registratienummer", "t_code"]).filter(pl.col("t_bsn") == pl.col("_hoofd"))
    key = ["registratienummer", "t_code", "t_bsn", "t_begin"]
    agg = (f.sort("_orde").group_by(key, maintain_order=True)
           .agg(pl.col("t_maand").last().alias("laatste"), pl.col("t_einde").last(), pl.col("t_reden").last(),
                pl.col("t_leefvorm").last(), pl.col("t_geboortedatum").last(), pl.col("t_geslacht").last(),
                pl.col("t_bedrag").last()))
    last_end = parse.month_end(pl.col("laatste"))
    gone = pl.col("t_einde").is_null() & (pl.col("laatste") < peil_idx)  # left the file without einddatum
    einde = (pl.when(pl.col("t_einde").is_not_null() & (pl.col("t_einde") <= pl.lit(peil))).then(pl.col("t_einde"))
             .when(gone).then(last_end))
    agg = agg.with_columns(einde=einde, zonder=gone).with_columns(
        reden_code=pl.when(pl.col("einde").is_not_null() & ~pl.col("zonder")).then(pl.col("t_reden")))
    client = pseudo.pseudonymise(agg["t_bsn"], secret or pseudo.key())
    agg = agg.with_columns(client=client).drop("t_bsn")
    spells = agg.select(
        pl.lit(gemeente, pl.String).alias("gemeente"), pl.lit(None, pl.Int64).alias("upload_id"), "client",
        pl.col("t_begin").alias("begin"), "einde",
        pl.when(pl.col("einde").is_null()).then(None).when(pl.col("reden_code").is_in(WERK_CODES)).then(pl.lit("werk"))
        .otherwise(pl.lit("overig")).alias("reden"),
        pl.col("t_leefvorm").replace_strict(LEEFVORM_CODES, return_dtype=pl.String).alias("leefvorm"),
        pl.col("t_geboortedatum").dt.year().cast(pl.Int32).alias("geboortejaar"),
        pl.col("t_geboortedatum").alias("geboortedatum"),
        pl.col("t_geslacht").replace_strict(GESLACHT_CODES, default=None, return_dtype=pl.String).alias("geslacht"),
        pl.lit(None, pl.String).alias("fasering"), pl.col("t_bedrag").alias("bedrag"), pl.lit(False).alias("synthetisch"),
        pl.col("t_code").alias("regeling"), "reden_code",
    ).sort("client", "begin")
    regelingen = spells.select(list(REGELING_SCHEMA)).cast(REGELING_SCHEMA)
    algemeen = spells.filter(pl.col("regeling") == ALGEMEEN).select(list(SPELLS)).cast(SPELLS)
    per = dict(spells.group_by("regeling").len().iter_rows())
    return BusGelezen(algemeen, regelingen, peil, records, bb, per, int(agg["zonder"].sum()))


# ---- SRG ---------------------------------------------------------------------------------------------------------------
VOORZIENING_SCHEMA = {"client": pl.String, "type": pl.String, "begin": pl.Date, "einde": pl.Date, "reden_einde": pl.String,
                      "ladder": pl.Int32, "ladder_begin": pl.Date, "arbeidsvermogen": pl.Int32, "loonwaarde": pl.Float64,
                      "geboortejaar": pl.Int32, "geslacht": pl.String}


@dataclass(frozen=True)
class SrgGelezen:
    voorzieningen: pl.DataFrame  # VOORZIENING_SCHEMA, client pseudonymised with the same key as BUS
    peildatum: date
    records: int


def lees_srg(b: Bestand, gemeente: str, secret: bytes | None = None) -> tuple[SrgGelezen | None, Problemen]:
    """Monthly SRG records -> one row per voorziening of a person (the last record gives end, reden einde, ladder,
    arbeidsvermogen and loonwaarde). Checked as lees_bus; None with any problem."""
    c = _Check(b)
    if not _required(c, b, SRG_VERPLICHT, None):
        return None, c.p
    f = b.frame
    for key in SRG_KENMERKEN:
        if key not in f.columns:
            f = f.with_columns(pl.lit(None, pl.String).alias(key))
    _empty(c, f, ("jaar", "maand", "bsn", "type", "begin"))
    f = _check_common(c, f.drop("gemeentecode") if "gemeentecode" not in b.herkenning.kolommen else f, gemeente)
    f = f.with_columns(t_type=_code(pl.col("type"), 2), t_reden=_code(pl.col("reden_einde"), 1),
                       t_code=_code(pl.col("statistiekcode"), 2),
                       t_ladder=pl.col("ladder").str.strip_chars().cast(pl.Int32, strict=False),
                       t_av=pl.col("arbeidsvermogen").str.strip_chars().cast(pl.Int32, strict=False),
                       t_lw=parse.amount(pl.col("loonwaarde").str.strip_chars().str.strip_chars_end("%")))
    c.rows("code", f.filter(pl.col("statistiekcode").is_not_null() & (pl.col("t_code") != SRG_STATISTIEKCODE)),
           "statistiekcode", lambda r: f"statistiekcode '{r['statistiekcode']}' is niet die van de SRG (10).")
    c.rows("code", f.filter(pl.col("type").is_not_null() & ~pl.col("t_type").is_in(list(VOORZIENINGEN))), "type",
           lambda r: f"type voorziening '{r['type']}' bestaat niet in de regeling ({', '.join(VOORZIENINGEN)}).")
    c.rows("code", f.filter(pl.col("reden_einde").is_not_null() & ~pl.col("t_reden").is_in(list(REDEN_EINDE))),
           "reden_einde", lambda r: f"reden einde '{r['reden_einde']}' bestaat niet in de regeling (1, 2 of 3).")
    c.rows("code", f.filter(pl.col("ladder").is_not_null() & ~pl.col("t_ladder").is_between(1, 6).fill_null(False)),
           "ladder", lambda r: f"'{r['ladder']}' is geen positie op de participatieladder (1 tot en met 6).")
    c.rows("code", f.filter(pl.col("arbeidsvermogen").is_not_null() & pl.col("t_av").is_null()), "arbeidsvermogen",
           lambda r: f"'{r['arbeidsvermogen']}' is geen code voor arbeidsvermogen (één cijfer).")
    c.rows("bedrag", f.filter(pl.col("loonwaarde").is_not_null() & ~pl.col("t_lw").is_between(0, 100).fill_null(False)),
           "loonwaarde", lambda r: f"'{r['loonwaarde']}' is geen loonwaarde (percentage 0 tot en met 100).")
    f = _dates(c, f, ("begin", "einde", "geboortedatum", "ladder_begin"), _excel(b))
    c.rows("volgorde", f.filter(pl.col("t_einde") < pl.col("t_begin")), "einde",
           lambda r: f"einddatum {r['t_einde']:%d-%m-%Y} ligt vóór de begindatum {r['t_begin']:%d-%m-%Y}.")
    c.rows("toekomst", f.filter(pl.col("t_begin") > parse.month_end(pl.col("t_maand"))), "begin",
           lambda r: f"begindatum {r['t_begin']:%d-%m-%Y} ligt na de statistiekmaand van dit record.")
    if c.p:
        return None, c.p
    peil_idx = int(f["t_maand"].max())
    peil = pl.select(parse.month_end(pl.lit(peil_idx))).item()
    reg = pl.coalesce(pl.col("registratienummer"), pl.lit(""))
    f = f.with_columns(_reg=reg).sort("t_maand", BESTAND, RIJ)
    agg = f.group_by("t_bsn", "_reg", "t_type", "t_begin", maintain_order=True).agg(
        pl.col("t_einde").last(), pl.col("t_reden").last(), pl.col("t_ladder").last(), pl.col("t_ladder_begin").last(),
        pl.col("t_av").last(), pl.col("t_lw").last(), pl.col("t_geboortedatum").last(),
        _code(pl.col("geslacht"), 1).last().alias("t_geslacht"))
    agg = agg.with_columns(client=pseudo.pseudonymise(agg["t_bsn"], secret or pseudo.key()))
    out = agg.select(
        "client", pl.col("t_type").alias("type"), pl.col("t_begin").alias("begin"),
        pl.when(pl.col("t_einde") <= pl.lit(peil)).then(pl.col("t_einde")).alias("einde"),
        pl.when(pl.col("t_einde") <= pl.lit(peil)).then(pl.col("t_reden")).alias("reden_einde"),
        pl.col("t_ladder").alias("ladder"), pl.col("t_ladder_begin").alias("ladder_begin"),
        pl.col("t_av").alias("arbeidsvermogen"), pl.col("t_lw").alias("loonwaarde"),
        pl.col("t_geboortedatum").dt.year().cast(pl.Int32).alias("geboortejaar"),
        pl.col("t_geslacht").replace_strict(GESLACHT_CODES, default=None, return_dtype=pl.String).alias("geslacht"),
    ).cast(VOORZIENING_SCHEMA).sort("client", "begin")
    return SrgGelezen(out, peil, f.height), c.p


def synthetisch(b: Bestand) -> bool:
    """The portal's own synthetic example files carry a column 'synthetisch' = 'ja': never stored as a real upload."""
    return "synthetisch" in [_norm(c) for c in b.herkenning.overig]
