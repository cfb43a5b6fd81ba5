"""A local stand-in for CBS's OData v3 API and catalogue, for tests only (never the internet).

Serves, per table: TableInfos, DataProperties, dimension member lists, TypedDataSet/$count and TypedDataSet pages (with
`$filter`, `$select`, `$top`/`$skip`), plus the catalogue `/ODataCatalog/Tables`. Faults are scripted: answers to send
before anything else (429, 500, bad JSON, a connection reset), slow pages (time-outs), pages cut mid-JSON, a silent cut
at N rows, a refused `$count`.

It behaves as real CBS v3 does, as far as public sources record it:
- `/ODataApi/…` serves metadata and small data answers, but answers HTTP 500 to `$skip` ("The 'Skip' query option is not
  supported on the ODataApi. This functionality is available only on the ODataFeed endpoint.": recorded in
  soulnai/nl-opendata-mcp nl_opendata_mcp/config.py and another public 2026 file quoting the live answer) and refuses
  more than 10 000 cells per request (cbs.nl "StatLine als open data"). The error body's JSON shape (WCF Data Services'
  `odata.error.message.value`) and the wording of the cells refusal are RECONSTRUCTED, not recorded.
- `/ODataFeed/…` serves the data in pages of 10 000 rows (`cap`); `odata.nextLink` is an absolute URL repeating the query
  with `$skip=<n>`; the last page has none (HenricoWitvliet/CBSOData3.jl test/tables_2.json: IDs 0–9999, then
  "odata.nextLink":"https://opendata.cbs.nl/ODataFeed/OData/83599NED/UntypedDataSet/?$format=json&$skip=10000"). Without
  `$format=json` the Feed answers Atom XML.
- Keys are padded to the dimension's width (tables_2.json: RegioS 'NL01  ') and `eq` compares the padded key, so a
  stripped key finds 0 rows (issue 19; not verified against the live service here).
- `$count` answers plain digits; with `$format` it answers 415 (WCF Data Services' behaviour per issue 19; not recorded
  for CBS itself).
- The catalogue answers `substringof('…',Title)` and `Identifier eq '…'` filters (the forms in recorded use) and gives
  `RecordCount`; other filters get a 400 here.

Data come from recorded CBS responses and our real data files in tests/fixtures/cbs (see the PROVENANCE files there):
`kwb2020()` is the recorded KWB 2020 (84799NED) metadata with its 5 recorded rows; `wijkbuurt(year)` is the real gemeente and
Nederland rows of "Personen met een uitkering; soort uitkering, wijken en buurten <year>" (the shipped dump kept 29–61
gemeenten per year). Reconstructed, not recorded: the DataProperties titles/units of the wijkbuurt tables (from the column
names) and their period keys (`2024KW03` for "2024 september").

`iv3(year, names)` is "Gemeenten <year> onbewerkte Iv3-data" (dataderden) built from the real Iv3 figures we ship
(data/snapshots/michielsd_iv3_gemeentefonds: baten, lasten and L1.1 salarissen per gemeente and taakveld 6.3/6.4/6.5, x 1 000
euro). Those files hold totals, not CBS's category rows, so the category split is RECONSTRUCTED: baten is served as one
category row `B`, lasten as the real L1.1 row (empty where the file has none, like the cube's empty cells) plus one row `L`
with the rest. Summing the categories gives the shipped totals back exactly. The DataProperties titles are reconstructed too;
the Nederland row of the files is not served (CBS's key for a national total is not known to us).
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import json
import re
import sqlite3
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from etl.sources.live_tables import PREFIX
from portal.nl import MAANDEN

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cbs"
WIJKBUURT_CSV = FIXTURES / "uitkeringen_soort_gemeenten_kwartaal_2013_2024_partial.csv"
IV3_DIR = Path(__file__).resolve().parent.parent / "data" / "snapshots" / "michielsd_iv3_gemeentefonds"
IV3_TITLE = "Gemeenten {jaar} onbewerkte Iv3-data"
IV3_SOORTEN = {"begroting": "X000", "jaarrekening": "X005"}
WIJKBUURT_TITLE = "Personen met een uitkering; soort uitkering, wijken en buurten"
QUARTER = {"maart": 1, "juni": 2, "september": 3, "december": 4}


@dataclass
class FakeTable:
    info: list[dict]
    props: list[dict]
    rows: list[dict]
    dims: dict[str, list[dict]] = field(default_factory=dict)
    cap: int = 10_000  # rows per Feed page (CBS: 10 000)
    links: bool = True  # the Feed gives odata.nextLink (CBS does); False: it stops giving them, the client pages with $skip
    cut_at: int | None = None  # serve no row beyond this index (the silently truncated copies)
    slow_pages: int = 0  # this many data pages answer only after 1.5 s (past a short client time-out)
    fail_pages_after: int | None = None  # 500 for every data page after this many were served
    torn_pages: int = 0  # this many data pages are cut off mid-JSON (the connection ends early)
    count_status: int | None = None  # `$count` answers this HTTP status (e.g. 500) instead of the number
    pages_served: int = 0
    fail: list[tuple] = field(default_factory=list)  # (status, headers[, body]) answered before anything about this table
    log: list[str] = field(default_factory=list)  # request paths about this table

    def rename(self, old: str, new: str, title: str | None = None) -> None:
        for p in self.props:
            if p["Key"] == old:
                p["Key"] = new
                p["Title"] = title or p["Title"]
        for r in self.rows:
            r[new] = r.pop(old)


def _recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"reconstructed_v3_84799NED_{name}.json").read_text(encoding="utf-8"))


def kwb2020(n: int) -> FakeTable:
    """The recorded KWB 2020 table: its 5 recorded rows, then copies with new padded buurt keys (CBS pads keys to 10)."""
    sample = _recorded("TypedDataSet_sample_NL_G4")["value"]
    rows = []
    for i in range(n):
        r = copy.deepcopy(sample[i % len(sample)])
        if i >= len(sample):
            key = f"BU{i:08d}"[:10].ljust(10)
            r.update(ID=i, WijkenEnBuurten=key, Codering_3=key, SoortRegio_2="Buurt     ")
        rows.append(r)
    return FakeTable(_recorded("TableInfos")["value"], _recorded("DataProperties")["value"], rows)


def _number(text: str):
    if text == "":
        return None
    v = float(text)
    return int(v) if v.is_integer() else v


@functools.cache
def _wijkbuurt_rows() -> dict[int, tuple[dict, ...]]:
    """The rows of WIJKBUURT_CSV by tabeljaar, read once per process (every `env` of a refresh test serves 12 years;
    nothing changes these rows: wijkbuurt() makes new ones from them)."""
    by_year: dict[int, list[dict]] = {}
    with WIJKBUURT_CSV.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            by_year.setdefault(int(r["tabeljaar"]), []).append(r)
    return {y: tuple(rows) for y, rows in by_year.items()}


def wijkbuurt(year: int, table: str | None = None, modified: str = "2025-03-28T02:00:00") -> FakeTable:
    src = _wijkbuurt_rows().get(year, ())
    table = table or src[0]["cbs_tabel"]
    measures = [c for c in src[0] if re.fullmatch(r"[A-Za-z0-9]+_\d+", c)]
    props = [{"ID": 0, "Position": None, "Type": "Dimension", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
             {"ID": 1, "Position": None, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"}]
    for i, m in enumerate(measures, start=2):
        n = int(m.rsplit("_", 1)[1])
        title = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m.rsplit("_", 1)[0]).capitalize()
        props.append({"ID": i, "Type": "Topic", "Key": m, "Title": title,
                      "Unit": "%" if 9 <= n <= 12 else "aantal", "Decimals": 0})
    rows, periods = [], {}
    for i, r in enumerate(src):
        jaar, maand = r["perioden"].split(" ")
        key = f"{jaar}KW{QUARTER[maand]:02d}"
        periods[key] = r["perioden"]
        rows.append({"ID": i, "WijkenEnBuurten": r["regiocode"].ljust(10), "Perioden": key,
                     **{m: _number(r[m]) for m in measures}})
    info = [{"Identifier": table, "Title": f"{WIJKBUURT_TITLE} {year}", "Modified": modified, "Period": str(year)}]
    return FakeTable(info, props, rows, {"Perioden": [{"Key": k, "Title": t} for k, t in sorted(periods.items())]})


FVW_CSV = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "cbs_85383NED_maatstaven_fvw_2023_2025" / \
    "85383NED_gemeenten_bijstand_inwoners.csv"
FVW_STATUS = {"Definitief": "A050406", "Voorlopig": "A050405"}  # reconstructed keys; the titles are CBS's


def fvw(modified: str = "2025-04-01T02:00:00") -> FakeTable:
    """The shipped 85383NED rows (real: every gemeente and Nederland, 2023–2024) as CBS would serve them."""
    with FVW_CSV.open(encoding="utf-8", newline="") as f:
        src = list(csv.DictReader(f))
    measures = [c for c in src[0] if re.fullmatch(r"[A-Za-z0-9]+_\d+", c)]
    props = [{"Type": "Dimension", "Key": "StatusCijfer", "Title": "Status cijfer"},
             {"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
             {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
             *[{"Type": "Topic", "Key": m, "Title": re.sub(r"(?<=[a-z])(?=[A-Z0-9])", " ", m.rsplit("_", 1)[0]).capitalize(),
                "Unit": "aantal"} for m in measures]]
    rows = [{"ID": i, "StatusCijfer": FVW_STATUS[r["statuscijfer"]], "RegioS": r["gemeentecode"].ljust(6),
             "Perioden": f"{r['uitkeringsjaar']}JJ00", **{m: _number(r[m]) for m in measures}} for i, r in enumerate(src)]
    info = [{"Identifier": "85383NED", "Title": "Maatstaven Financiële-verhoudingswet (Fvw)", "Modified": modified}]
    return FakeTable(info, props, rows, {"StatusCijfer": [{"Key": k, "Title": t} for t, k in FVW_STATUS.items()]})


KWB2020_CSV = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "cbs_kwb_2020_84799NED" / \
    "kwb2020_84799NED_nl_gemeenten_bijstand_bevolking.csv"


def kwb2020_gemeenten() -> FakeTable:
    """KWB 2020 (84799NED) with its recorded TableInfos and DataProperties and the shipped gemeente and Nederland rows (real;
    the wijk and buurt rows are not in the snapshot)."""
    t = kwb2020(0)
    with KWB2020_CSV.open(encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            key = "NL00" if r["SoortRegio_2"] == "Land" else r["Codering_3"]
            t.rows.append({"ID": i, "WijkenEnBuurten": key.ljust(10), "SoortRegio_2": r["SoortRegio_2"].ljust(10),
                           "Codering_3": key.ljust(10), **{c: _number(v) for c, v in r.items() if c not in ("SoortRegio_2", "Codering_3", "Gemeentenaam_1")}})
    return t


STROMEN_CSV = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "cbs_85615NED_stromen_nationaal" / \
    "85615NED_nederland_totaal_kwartaal_2012_2024.csv"
STROMEN_TOTALS = {"Geslacht": ("T001038", "Totaal mannen en vrouwen"), "Leeftijd": ("10000", "Totaal"),
                  "Herkomstland": ("T001040", "Totaal"), "GeboortelandOuders": ("T001638", "Totaal")}


def stromen(modified: str = "2025-01-10T02:00:00") -> FakeTable:
    """85615NED as CBS serves it: the shipped national totals (real, 2012–2024), with the dimension keys of the totals that
    etl/sources/live_tables.py names (the other members of each dimension are not in our copy and not served)."""
    with STROMEN_CSV.open(encoding="utf-8", newline="") as f:
        src = list(csv.DictReader(f))
    measures = ["Instromers_1", "HerInstromersBinnenEenJaar_2", "Uitstromers_3"]
    props = [*[{"Type": "Dimension", "Key": d, "Title": d} for d in STROMEN_TOTALS],
             {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
             *[{"Type": "Topic", "Key": m, "Title": t, "Unit": "aantal"}
               for m, t in zip(measures, ("Instromers", "(Her)instromers binnen een jaar", "Uitstromers"))]]
    rows = [{"ID": i, **{d: k for d, (k, _) in STROMEN_TOTALS.items()}, "Perioden": r["Perioden"],
             **{m: _number(r[m]) for m in measures}} for i, r in enumerate(src)]
    info = [{"Identifier": "85615NED", "Title": "Personen met bijstand; (her)instromers en uitstromers", "Modified": modified}]
    return FakeTable(info, props, rows, {d: [{"Key": k, "Title": t}] for d, (k, t) in STROMEN_TOTALS.items()})


VORDERINGEN_CSV = FIXTURES / "82020NED_dump_excerpt_2023_2024.csv"


def vorderingen(modified: str = "2025-02-20T02:00:00") -> FakeTable:
    """82020NED with the real rows of tests/fixtures/cbs/82020NED_dump_excerpt_2023_2024.csv (Nederland, Albrandswaard,
    Alkmaar, Ameland; see PROVENANCE_82020NED.md), ontstaansgrond Totaal (the only member our copy has; its key is
    reconstructed)."""
    with VORDERINGEN_CSV.open(encoding="utf-8", newline="") as f:
        src = list(csv.DictReader(f))
    measures = ["AantalOpenstaandeVorderingen_1", "OpenstaandSaldo_2"]
    props = [{"Type": "Dimension", "Key": "Vorderingen", "Title": "Vorderingen"},
             {"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
             {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
             {"Type": "Topic", "Key": measures[0], "Title": "Aantal openstaande vorderingen", "Unit": "aantal"},
             {"Type": "Topic", "Key": measures[1], "Title": "Openstaand saldo", "Unit": "mln euro"}]

    def key(label: str) -> str:
        jaar, maand = label.split(" ")
        return f"{jaar}MM{MAANDEN.index(maand) + 1:02d}"

    rows = [{"ID": i, "Vorderingen": "T001   ", "RegioS": r["regiocode"].ljust(6), "Perioden": key(r["perioden"]),
             **{m: _number(r[m]) for m in measures}} for i, r in enumerate(src)]
    info = [{"Identifier": "82020NED", "Title": "Bijstand; bijstandsvorderingen naar ontstaansgrond en regio", "Modified": modified}]
    return FakeTable(info, props, rows, {"Vorderingen": [{"Key": "T001   ", "Title": "Totaal"}]})


REINTEGRATIE_CSV = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "cbs_reintegratie_voorzieningen_gemeenten" / \
    "85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv"
REINTEGRATIE_NL_CSV = FIXTURES / "reintegratie_84510NED_83062NED_nederland_excerpt.csv"
# table -> (its fixed dimensions: name -> (reconstructed key, the dump's title)), its measure key
REINTEGRATIE = {
    "85588NED": ({"TypeReIntegratieParticipatievoorz": ("T001   ", "Totaal re-integratie-/participatievoorz."),
                  "StatusVoorziening": ("A0001  ", "Lopend eind verslagperiode")}, "ReIntegratieParticipatievoorzieningen_1"),
    "84510NED": ({"TypeReIntegratieParticipatievoorz": ("T001   ", "Totaal re-integratie-/participatievoorz."),
                  "StatusVoorzieningEindeVerslagperiode": ("T002   ", "Totaal voorzieningen:Lopend en beëindigd")},
                 "ReIntegratieParticipatievoorzieningen_1"),
    "83062NED": ({"ReIntegratievoorzieningen": ("T001   ", "Totaal re-integratievoorzieningen")}, "VoorzieningenEindVerslagperiode_1"),
}


def reintegratie(table: str, modified: str = "2025-03-01T02:00:00") -> FakeTable:
    """A re-integratie table as CBS would serve it: 85588NED with the shipped rows (real: Nederland and every gemeente,
    2023-01 … 2024-09, status 'Lopend eind verslagperiode'), 84510NED and 83062NED with the Nederland rows of one year we
    copied from a StatLine dump (tests/fixtures/cbs/PROVENANCE_reintegratie_2015_2022.md)."""
    fixed, measure = REINTEGRATIE[table]
    path = REINTEGRATIE_CSV if table == "85588NED" else REINTEGRATIE_NL_CSV
    with path.open(encoding="utf-8", newline="") as f:
        src = [r for r in csv.DictReader(f) if r["cbs_tabel"] == table]
    props = [*[{"Type": "Dimension", "Key": d, "Title": d} for d in fixed],
             {"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"}, {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
             {"Type": "Topic", "Key": measure, "Title": "Voorzieningen", "Unit": "aantal"}]

    def key(label: str) -> str:
        jaar, maand = label.split(" ")
        return f"{jaar}MM{MAANDEN.index(maand) + 1:02d}"

    rows = [{"ID": i, **{d: k for d, (k, _) in fixed.items()}, "RegioS": r["regiocode"].ljust(6), "Perioden": key(r["Perioden"]),
             measure: _number(r["waarde"] if "waarde" in r else r["ReIntegratieParticipatievoorzieningen_1"])} for i, r in enumerate(src)]
    info = [{"Identifier": table, "Title": f"Re-integratievoorzieningen {table}", "Modified": modified}]
    return FakeTable(info, props, rows, {d: [{"Key": k, "Title": t}] for d, (k, t) in fixed.items()})


GEMEENTEN_CSV = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "nlextract_gemeentelijke_indeling" / \
    "gemeenten_per_jaar_1990_2025.csv"


def gebieden(year: int, table: str, extra: dict[str, str] | None = None, of_year: int | None = None) -> FakeTable:
    """"Gebieden in Nederland <year>": only its RegioS member list, the gemeenten active on 1 January `of_year` (default
    `year`) in the shipped gemeente list (real), plus `extra` codes, plus two provinces (CBS lists other regions too)."""
    with GEMEENTEN_CSV.open(encoding="utf-8", newline="") as f:
        members = [{"Key": r["gemeentecode"].ljust(6), "Title": r["gemeentenaam"]} for r in csv.DictReader(f)
                   if int(r["jaar"]) == (of_year or year) and r["actief_op_1_januari"] == "1"]
    members += [{"Key": k.ljust(6), "Title": t} for k, t in (extra or {}).items()]
    members += [{"Key": "PV20  ", "Title": "Groningen (PV)"}, {"Key": "PV21  ", "Title": "Fryslân (PV)"}]
    info = [{"Identifier": table, "Title": f"Gebieden in Nederland {year}", "Modified": f"{year}-01-05T02:00:00"}]
    return FakeTable(info, [], [], {"RegioS": members})

def iv3(year: int, names: dict[str, str], table: str, modified: str = "2026-06-01T02:00:00",
        as_year: int | None = None) -> FakeTable:
    """The shipped Iv3 figures of `year` as a dataderden cube (see the module docstring); `names` maps normalised gemeente
    names to codes. `as_year` serves them as a later year's table (title and Verslagsoort keys of that year)."""
    from etl.sources.common import normalise_name

    label = as_year or year
    rows: list[dict] = []
    for soort, suffix in IV3_SOORTEN.items():
        path = IV3_DIR / f"iv3_{year}_{soort}_taakveld_6_3_6_4_6_5.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter=";"):
                if normalise_name(r["Gemeenten"]) == "nederland":
                    continue
                base = {"Gemeenten": names[normalise_name(r["Gemeenten"])].ljust(10), "Verslagsoort": f"{label}{suffix}",
                        "TaakveldBalanspost": r["Taakveld"][:3].ljust(6)}
                salaris = _number(r["L1.1 Salarissen en sociale lasten"])
                for cat, amount in (("B", _number(r["Baten"])), ("L1.1", salaris),
                                    ("L", _number(r["Lasten"]) - (salaris or 0))):
                    rows.append({"ID": len(rows), **base, "Categorie": cat.ljust(10), "k_1ePlaatsing_1": None, "k_2ePlaatsing_2": amount})
    props = [{"ID": i, "Type": "Dimension", "Key": k, "Title": k} for i, k in
             enumerate(("Gemeenten", "TaakveldBalanspost", "Categorie", "Verslagsoort"))]
    props += [{"ID": 4, "Type": "Topic", "Key": "k_1ePlaatsing_1", "Title": "1e plaatsing", "Unit": "x 1 000 euro"},
              {"ID": 5, "Type": "Topic", "Key": "k_2ePlaatsing_2", "Title": "2e plaatsing", "Unit": "x 1 000 euro"}]
    info = [{"Identifier": table, "Title": IV3_TITLE.format(jaar=label), "Modified": modified, "Period": str(label)}]
    return FakeTable(info, props, rows)


def iv3_names(warehouse: Path, year: int) -> dict[str, str]:
    """Normalised gemeente name -> code for `year` from a warehouse's gemeente_jaar, also without a suffix like '(L.)'
    where that is unambiguous (the Iv3 files of 2025 write 'Beek' for 'Beek (L.)')."""
    import sqlite3

    from etl.sources.common import normalise_name

    with sqlite3.connect(f"file:{warehouse}?mode=ro", uri=True) as conn:
        pairs = conn.execute("select gemeentenaam, gemeentecode from gemeente_jaar where jaar = ?", (year,)).fetchall()
    short: dict[str, list[str]] = {}
    for name, code in pairs:
        short.setdefault(normalise_name(name, strip_suffix=True), []).append(code)
    return {**{k: v[0] for k, v in short.items() if len(v) == 1}, **{normalise_name(n): c for n, c in pairs}}


def _term(row: dict, term: str) -> bool:
    term = term.strip()
    if term.startswith("(") and term.endswith(")"):
        return any(_term(row, t) for t in term[1:-1].split(" or "))
    if m := re.fullmatch(r"startswith\((\w+),'(.*)'\)", term):
        return str(row.get(m.group(1), "")).startswith(m.group(2))
    col, val = re.fullmatch(r"(\w+) eq '(.*)'", term).groups()
    return str(row.get(col, "")) == val.replace("''", "'")  # CBS compares the padded key: 'GM0363' finds no 'GM0363    '


def _filtered(rows: list[dict], flt: str | None) -> list[dict]:
    if not flt:
        return rows
    terms = flt.split(" and ")
    return [r for r in rows if all(_term(r, t) for t in terms)]


class FakeCbs:
    """The server state: tables by id, the catalogue rows, scripted answers and a log of every request path."""

    def __init__(self, tables: dict[str, FakeTable] | None = None):
        self.tables = tables or {}
        self.catalogue: list[dict] | None = None  # None: derived from the tables' TableInfos
        self.fail: list[tuple] = []  # (status, headers[, body]) answered before anything else
        self.log: list[str] = []

    def catalogue_rows(self) -> list[dict]:
        if self.catalogue is not None:
            return self.catalogue
        return [{**{k: t.info[0].get(k) for k in ("Identifier", "Title", "Modified")}, "RecordCount": len(t.rows)}
                for t in self.tables.values()]


def kwb_catalogue(years: range = range(2005, 2025)) -> list[dict]:
    """Catalogue rows of a long yearly series, as CBS lists it: "Kerncijfers wijken en buurten <year>" for every year
    (twenty by default), some titles ending in a space. 84799NED (2020), 85984NED (2024) are real ids; the others are
    RECONSTRUCTED (made up)."""
    real = {2020: "84799NED", 2024: "85984NED"}
    return [{"Identifier": real.get(y, f"9{y % 100:02d}{y % 7}0NED"), "Title": f"Kerncijfers wijken en buurten {y}" + " " * (y % 2),
             "Modified": f"{y + 1}-03-28T02:00:00", "RecordCount": 18_000 + y} for y in years]


def odata_error(text: str) -> bytes:
    """An error body in WCF Data Services' JSON shape (reconstructed), with CBS's text."""
    return json.dumps({"odata.error": {"code": "", "message": {"lang": "en-US", "value": text}}}).encode()


SKIP_REFUSED = ("The 'Skip' query option is not supported on the ODataApi. This functionality is available only on the "
                "ODataFeed endpoint.")


def _handler(state: FakeCbs):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):  # keep pytest output clean
            pass

        def send(self, status: int, body: bytes, headers: dict | None = None, ctype: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def json(self, value) -> None:
            self.send(200, json.dumps({"value": value}).encode())

        def fault(self, status, headers: dict | None = None, *body) -> None:
            if status == "reset":  # the connection ends without an answer
                self.close_connection = True
                return
            return self.send(status, body[0] if body else b'{"odata.error": "replay"}', headers)

        def do_GET(self):
            state.log.append(self.path)
            if state.fail:
                return self.fault(*state.fail.pop(0))
            u = urllib.parse.urlparse(self.path)
            q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
            parts = u.path.strip("/").split("/")
            feed = parts[0].lower() == "odatafeed"
            if parts[-2:] == ["ODataCatalog", "Tables"]:
                flt = q.get("$filter", "")
                if m := re.fullmatch(r"substringof\('(.*)',Title\)", flt):
                    return self.json([t for t in state.catalogue_rows() if m.group(1).replace("''", "'") in str(t["Title"])])
                if m := re.fullmatch(r"Identifier eq '(.*)'", flt):
                    return self.json([t for t in state.catalogue_rows() if t["Identifier"] == m.group(1)])
                return self.send(400, odata_error(f"The replay does not know the catalogue filter {flt!r}."))
            count = parts[-1] == "$count"
            if count:
                parts = parts[:-1]
            table, what = parts[-2], parts[-1]
            t = state.tables.get(table)
            if t is None:
                return self.send(404, b'{"odata.error": "onbekende tabel"}')
            t.log.append(self.path)
            if t.fail:
                return self.fault(*t.fail.pop(0))
            if what == "TableInfos":
                return self.json(t.info)
            if what == "DataProperties":
                return self.json(t.props)
            if what in t.dims:
                return self.json(t.dims[what])
            if t.rows and what in t.rows[0]:  # a dimension without recorded titles: its keys, titled by themselves
                return self.json([{"Key": k, "Title": k.strip()} for k in sorted({str(r[what]) for r in t.rows})])
            if what != "TypedDataSet":
                return self.send(404, b"{}")
            rows = _filtered(t.rows, q.get("$filter"))
            if count:
                if "$format" in q:
                    return self.send(415, b"Unsupported media type requested.", ctype="text/plain")
                if t.count_status is not None:
                    return self.send(t.count_status, odata_error("The $count segment failed (replay)."))
                return self.send(200, str(len(rows)).encode(), ctype="text/plain")
            keep = q["$select"].split(",") if "$select" in q else None
            if not feed:  # the ODataApi: no $skip, at most 10 000 cells
                if "$skip" in q:
                    return self.send(500, odata_error(SKIP_REFUSED))
                n = min(len(rows), int(q.get("$top", len(rows))))
                if n * len(keep or (rows[0] if rows else [])) > 10_000:
                    return self.send(500, odata_error("The request exceeds the limit of 10000 cells on the ODataApi; "
                                                      "use the ODataFeed endpoint (replay wording)."))
                page = rows[:n]
                return self.json([{k: r.get(k) for k in keep} for r in page] if keep else page)
            if q.get("$format") != "json":
                return self.send(200, b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
                                 ctype="application/atom+xml")
            if t.fail_pages_after is not None and t.pages_served >= t.fail_pages_after:
                return self.send(500, b"{}")
            t.pages_served += 1
            if t.slow_pages:
                t.slow_pages -= 1
                time.sleep(1.5)
            skip, top = int(q.get("$skip", 0)), min(int(q.get("$top", t.cap)), t.cap)
            limit = len(rows) if t.cut_at is None else t.cut_at
            page = rows[skip:min(skip + top, limit)]
            body = {"odata.metadata": f"http://{self.headers['Host']}/ODataFeed/odata/{table}/$metadata#Cbs.OData.WebAPI.TypedDataSet",
                    "value": [{k: r.get(k) for k in keep} for r in page] if keep else page}
            if t.links and skip + top < min(len(rows), limit) and "$top" not in q:
                nxt = {**q, "$skip": str(skip + top)}
                body["odata.nextLink"] = f"http://{self.headers['Host']}{u.path}?{urllib.parse.urlencode(nxt, safe='$,()')}"
            data = json.dumps(body).encode()
            if t.torn_pages:  # cut mid-JSON: the answer ends early (its length says so, so the client reads it whole)
                t.torn_pages -= 1
                data = data[: len(data) // 2]
            return self.send(200, data)

    return H


class Server:
    """Run a FakeCbs on a free local port; `base` and `catalogue` are the URLs for CBS_ODATA_URL and CBS_CATALOGUS_URL
    (the client derives the Feed, `feed`, from `base`)."""

    def __init__(self, state: FakeCbs):
        self.state = state
        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{self.srv.server_port}"
        self.base, self.feed, self.catalogue = f"{root}/ODataApi/odata", f"{root}/ODataFeed/odata", f"{root}/ODataCatalog"

    def close(self) -> None:
        self.srv.shutdown()
        self.srv.server_close()


# ---- checks shared by the refresh tests ----
def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_folders(snaps: Path) -> list[str]:
    return sorted(p.name for p in snaps.iterdir() if p.name.startswith(PREFIX))


def intact(e) -> None:
    assert digest(e.target) == e.before
    assert live_folders(e.snaps) == []
    assert not (e.snaps / ".vernieuw-bouw").exists()


def query(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def main(argv: list[str] | None = None) -> None:
    """Serve every replay table at once (`python -m tests.cbs_replay [--poort N]`), to try `etl vernieuw` without internet:
    CBS_ODATA_URL=http://127.0.0.1:N/ODataApi/odata CBS_CATALOGUS_URL=http://127.0.0.1:N/ODataCatalog (and the same for
    CBS_DATADERDEN_URL / CBS_DATADERDEN_CATALOGUS_URL) python3 dev.py etl vernieuw. Needs a built warehouse (Iv3 names)."""
    import argparse

    from portal.paths import WAREHOUSE

    args = argparse.ArgumentParser(description="Lokale nabootsing van CBS (alleen voor tests en demonstraties)")
    args.add_argument("--poort", type=int, default=8765)
    port = args.parse_args(argv).poort
    tables = {t.info[0]["Identifier"]: t for t in [wijkbuurt(y) for y in range(2013, 2025)] + [fvw(), kwb2020_gemeenten()]}
    tables["86100NED"] = gebieden(2025, "86100NED")
    tables |= {"85615NED": stromen(), "82020NED": vorderingen(), **{t: reintegratie(t) for t in REINTEGRATIE}}
    for year, table in ((2023, "45063NED"), (2024, "45067NED"), (2025, "45071NED")):
        tables[table] = iv3(year, iv3_names(WAREHOUSE, year), table)
    for t in tables.values():
        t.cap = 1_000  # pages of 1 000 rows over continuation links, so paging shows
    srv = ThreadingHTTPServer(("127.0.0.1", port), _handler(FakeCbs(tables)))
    print(f"Nabootsing van CBS op http://127.0.0.1:{port} met {len(tables)} tabellen; stoppen met Ctrl+C.", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
