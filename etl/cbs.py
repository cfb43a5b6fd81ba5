"""Robust fetching of CBS OData v3 tables into snapshot folders (standard library only).

One table: TableInfos + DataProperties (measures resolved by key prefix and title, never by position) from the ODataApi,
the row count CBS reports (`TypedDataSet/$count`, plain digits; else the catalogue's RecordCount, else the pages counted),
then the TypedDataSet page by page from the ODataFeed (pages of 10 000 rows, `odata.nextLink` absolute with `$skip`; the
ODataApi refuses `$skip` and more than 10 000 cells per request). Keys in `eq` filters are padded to CBS's width
(`'GM0363    '`), because CBS compares the padded key. Every page is kept in a partial folder so an interrupted fetch
resumes where it stopped. Rows are normalised (`.`, `x`, `-` -> empty; padded keys stripped), written to a temporary
folder with PROVENANCE.md, herkomst.json and SHA256SUMS, verified, and only then moved into place; a short or failed
fetch leaves the previous snapshot untouched. The hosts are configurable (`CBS_ODATA_URL`, the Feed derived from it or
`CBS_ODATA_FEED_URL`) so tests run against a local replay server (tests/cbs_replay.py, which cites the sources).
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import re
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from etl.snapshot import sha256, write_sums
from portal.fouten import DutchError
from portal.nl import nl_number

DEFAULT_BASE = "https://opendata.cbs.nl/ODataApi/odata"
DEFAULT_CATALOGUE = "https://opendata.cbs.nl/ODataCatalog"
# Third-party data CBS publishes for others (Iv3 gemeentefinanciën): the same OData v3 shape on another host.
HOSTS = {"opendata": ("CBS_ODATA_URL", DEFAULT_BASE, "CBS_CATALOGUS_URL", DEFAULT_CATALOGUE),
         "dataderden": ("CBS_DATADERDEN_URL", "https://dataderden.cbs.nl/ODataApi/OData",
                        "CBS_DATADERDEN_CATALOGUS_URL", "https://dataderden.cbs.nl/ODataCatalog")}
# The data pages come from the ODataFeed next to the ODataApi (same path, `ODataFeed` for `ODataApi`); a variable overrides it.
FEED_ENV = {"opendata": "CBS_ODATA_FEED_URL", "dataderden": "CBS_DATADERDEN_FEED_URL"}
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
PAGE_SIZE = 10_000  # CBS's maximum per request
EMPTY = {".", "x", "-", ""}
RETRY_STATUS = {429, 500, 502, 503, 504}
DIMENSION_TYPES = {"Dimension", "GeoDimension", "GeoDetail", "TimeDimension"}


class CbsError(DutchError):
    """A fetch that must stop; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class Measure:
    """A wanted measure: the key without CBS's `_<n>` suffix, the DataProperties title (None: not known to us; the title
    found is recorded and a later refresh compares against it) and the unit (to tell a count from its percentage)."""

    prefix: str
    title: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Progress:
    table: str
    rows: int
    total: int
    pages: int
    pages_total: int
    seconds_left: float | None
    counted: str = "$count"  # where `total` comes from: "$count", "RecordCount" (catalogue) or "pagina's" (rows so far)


def base_url(host: str = "opendata") -> str:
    env, default, _, _ = HOSTS[host]
    return os.environ.get(env, default).rstrip("/")


def catalogue_url(host: str = "opendata") -> str:
    _, _, env, default = HOSTS[host]
    return os.environ.get(env, default).rstrip("/")


def feed_url(base: str, host: str = "opendata") -> str:
    """The ODataFeed URL of an ODataApi URL (`…/ODataApi/odata` -> `…/ODataFeed/odata`), unless the variable sets it."""
    return (os.environ.get(FEED_ENV[host]) or re.sub(r"/ODataApi/", "/ODataFeed/", base + "/", flags=re.I)).rstrip("/")


class Client:
    """GET JSON with time-outs, retries with exponential backoff on 429/5xx (honouring Retry-After)."""

    def __init__(self, base: str | None = None, timeout: float = 60, retries: int = 4, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, host: str = "opendata"):
        self.base = (base or base_url(host)).rstrip("/")
        self.feed = feed_url(self.base, host)
        self.catalogue = catalogue_url(host)
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.connected = False  # True after the first answer; before that a network error means "no connection"
        self.requests: list[str] = []
        self.members: dict[tuple[str, str], list[dict]] = {}  # (table, dimension) -> CBS's member list, asked once

    def dimension(self, table: str, dim: str) -> list[dict]:
        if (table, dim) not in self.members:
            self.members[table, dim] = self.json(self.url(table, dim)).get("value") or []
        return self.members[table, dim]

    def url(self, table: str, path: str, feed: bool = False, fmt: bool = True, **query: str) -> str:
        """An ODataApi URL (metadata) or, with `feed`, an ODataFeed URL (data pages); `fmt=False` leaves out `$format`
        (`$count` answers plain digits and refuses `$format=json` with 415)."""
        q = urllib.parse.urlencode({**({"$format": "json"} if fmt else {}),
                                    **{f"${k}": v for k, v in query.items() if v is not None}},
                                   safe="$,'()", quote_via=urllib.parse.quote)  # readable, spaces as %20 (not +)
        return f"{self.feed if feed else self.base}/{table}/{path}" + (f"?{q}" if q else "")

    def get(self, url: str) -> bytes:
        for attempt in range(self.retries + 1):
            self.requests.append(url)
            wait = self.backoff * 2 ** attempt
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                    body = resp.read()
                self.connected = True
                return body
            except urllib.error.HTTPError as exc:
                self.connected = True
                said = _said(exc)
                if exc.code == 404:
                    raise CbsError(f"CBS kent dit adres niet (404): {url}; de tabel bestaat mogelijk niet meer of heeft een "
                                   f"nieuw nummer.{said}") from exc
                if exc.code not in RETRY_STATUS or "not supported" in said:  # a refusal does not pass by waiting
                    raise CbsError(f"CBS weigerde het verzoek ({exc.code} {exc.reason}) voor {url}.{said}") from exc
                if attempt == self.retries:
                    raise CbsError(f"CBS gaf {self.retries + 1} keer een fout (laatste: {exc.code}) voor {url}; "
                                   f"probeer het later opnieuw.{said}") from exc
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after is not None and retry_after.strip().isdigit():
                    wait = min(float(retry_after), 300.0)
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                if not self.connected:
                    raise CbsError(f"Geen verbinding met CBS ({urllib.parse.urlsplit(url).netloc}): {_why(exc)}; "
                                   "er is niets veranderd.") from exc
                if attempt == self.retries:
                    raise CbsError(f"CBS antwoordde niet na {self.retries + 1} pogingen ({url}); "
                                   "de gedeeltelijke download blijft bewaard en wordt de volgende keer hervat.") from exc
            self.sleep(wait)
        raise AssertionError("unreachable")

    def json(self, url: str) -> dict:
        """GET and parse; an answer cut off mid-JSON is asked again like any transient failure."""
        for attempt in range(self.retries + 1):
            body = self.get(url)
            try:
                return json.loads(body)
            except ValueError as exc:
                if attempt == self.retries:
                    raise CbsError(f"CBS gaf {self.retries + 1} keer een onleesbaar antwoord (geen geldige JSON) voor {url}"
                                   f"{'; begin: ' + repr(body[:60].decode('utf-8', 'replace')) if body else ''}.") from exc
            self.sleep(self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")


def _said(exc: urllib.error.HTTPError) -> str:
    """CBS's own reason from an error answer (OData JSON `odata.error.message.value`, else plain text), as a Dutch
    sentence to append; empty when CBS gives none (or an HTML page)."""
    try:
        body = exc.read().decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - the reason is a courtesy; the status is reported anyway
        return ""
    try:
        err = json.loads(body).get("odata.error")
        text = err.get("message", {}).get("value") if isinstance(err, dict) else err
    except (ValueError, AttributeError):
        text = None if body.startswith("<") else body
    text = " ".join(str(text or "").split())
    return f' CBS meldt: "{text[:300]}{"…" if len(text) > 300 else ""}"' if text else ""


def _why(exc: Exception) -> str:
    """A network failure in Dutch (the exception texts are English)."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return "de servernaam is onbekend (geen internet of geen DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "de verbinding werd geweigerd"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "geen antwoord binnen de tijd"
    return "netwerkfout"


def table_info(client: Client, table: str) -> dict:
    value = client.json(client.url(table, "TableInfos")).get("value") or []
    if not value:
        raise CbsError(f"Tabel {table}: CBS gaf geen TableInfos terug.")
    return value[0]


def dimension_key(client: Client, table: str, dim: str, key: str | None = None, title: str | None = None) -> str:
    """The key of one member of a dimension (e.g. the total of `Geslacht`), checked against CBS's own list: by key when we
    know it, else by title. A member that is gone is a Dutch error naming table, dimension and what CBS has instead."""
    members = client.dimension(table, dim)
    norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
    hits = [m for m in members if (key is not None and str(m.get("Key", "")).strip() == key)
            or (key is None and norm(m.get("Title")) == norm(title))]
    if len(hits) != 1:
        seen = ", ".join(f"{str(m.get('Key', '')).strip()} '{m.get('Title')}'" for m in members[:8])
        raise CbsError(f"Tabel {table}: dimensie {dim} heeft geen (eenduidig) lid {key or repr(title)}; CBS geeft: {seen}.")
    return str(hits[0]["Key"]).strip()


def catalogue(client: Client, title_prefix: str) -> list[dict]:
    """Tables in CBS's catalogue whose title starts with `title_prefix` (Identifier, Title, Modified, ...). Asked with
    `substringof` (the form recorded in public use; `startswith` is not) and narrowed here."""
    rows = _catalogue(client, f"substringof('{title_prefix.replace(chr(39), chr(39) * 2)}',Title)")
    return [t for t in rows if str(t.get("Title", "")).strip().startswith(title_prefix)]


def _catalogue(client: Client, flt: str) -> list[dict]:
    q = urllib.parse.urlencode({"$format": "json", "$filter": flt}, safe="$,'()", quote_via=urllib.parse.quote)
    return client.json(f"{client.catalogue}/Tables?{q}").get("value") or []


def resolve_measures(table: str, props: list[dict], wanted: list[Measure]) -> dict[str, str]:
    """Map each wanted prefix to the table's current key, by key prefix and title; a missing or changed measure raises."""
    topics = [p for p in props if p.get("Type") == "Topic" and p.get("Key")]
    norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
    found: dict[str, str] = {}
    for m in wanted:
        cands = [p for p in topics if m.unit is None or norm(p.get("Unit")) == norm(m.unit)]
        by_key = [p for p in cands if p["Key"].rsplit("_", 1)[0] == m.prefix]
        if m.title is None:
            if len(by_key) != 1:
                raise CbsError(f"Tabel {table}: maatstaf {m.prefix}_… " + ("ontbreekt in DataProperties" if not by_key else
                               f"is niet eenduidig ({', '.join(p['Key'] for p in by_key)})") + "; de tabel wordt niet opgeslagen.")
            found[m.prefix] = by_key[0]["Key"]
            continue
        by_title = [p for p in cands if norm(p.get("Title")) == norm(m.title)]
        if len(by_key) == 1 and norm(by_key[0].get("Title")) == norm(m.title):
            found[m.prefix] = by_key[0]["Key"]
        elif by_key and not by_title:
            raise CbsError(f"Tabel {table}: maatstaf {by_key[0]['Key']} heet nu '{by_key[0].get('Title')}' in plaats van "
                           f"'{m.title}'; de definitie is mogelijk veranderd, de tabel wordt niet opgeslagen.")
        elif len(by_title) == 1:
            found[m.prefix] = by_title[0]["Key"]  # key renamed, same title
        elif not by_key and not by_title:
            raise CbsError(f"Tabel {table}: maatstaf '{m.title}' ({m.prefix}_…) ontbreekt in DataProperties; "
                           "de tabel wordt niet opgeslagen.")
        else:
            raise CbsError(f"Tabel {table}: maatstaf '{m.title}' ({m.prefix}_…) is niet eenduidig "
                           f"({', '.join(p['Key'] for p in by_key + by_title)}).")
    return found


def pad_filter(client: Client, table: str, flt: str | None, props: list[dict]) -> str | None:
    """The filter with every `Col eq 'key'` key padded as CBS stores it ('GM0363' -> 'GM0363    '): CBS's `eq` compares the
    padded key, so a stripped one finds 0 rows. The width comes from the dimension's members, or for a string topic
    (KWB's SoortRegio_2) from the value CBS returns in one row."""
    if not flt:
        return flt
    types = {p.get("Key"): p.get("Type") for p in props}

    def pad(m: re.Match) -> str:
        col, val = m.group(1), m.group(2).replace("''", "'")
        if types.get(col) in DIMENSION_TYPES:
            keys = [str(x.get("Key", "")) for x in client.dimension(table, col)]
            hit = [k for k in keys if k.strip() == val.strip()]
            key = hit[0] if hit else val.ljust(max(map(len, keys), default=0))
        else:
            first = (client.json(client.url(table, "TypedDataSet", top="1", select=col)).get("value") or [{}])[0]
            key = val.ljust(len(first[col])) if isinstance(first.get(col), str) else val
        return f"{col} eq '{key.replace(chr(39), chr(39) * 2)}'"

    return re.sub(r"(\w+) eq '((?:[^']|'')*)'", pad, flt)


def row_count(client: Client, table: str, flt: str | None) -> tuple[int | None, str, str | None]:
    """(rows, how, why): `$count` (plain digits, asked without `$format`); when CBS refuses it, the catalogue's RecordCount
    (only for an unfiltered table: it counts the whole table); else None, "pagina's": the rows are counted over the pages.
    `why` says why `$count` was not used."""
    try:
        text = client.get(client.url(table, "TypedDataSet/$count", fmt=False, filter=flt)).decode("utf-8", "replace").strip()
        if text.isdigit():
            return int(text), "$count", None
        why = f"CBS gaf geen getal ({text[:40]!r})"
    except CbsError as exc:
        if not client.connected:
            raise
        why = exc.dutch()
    if flt is None:
        try:
            hit = [t for t in _catalogue(client, f"Identifier eq '{table}'") if str(t.get("Identifier", "")).strip() == table]
        except CbsError:
            hit = []
        if hit and str(hit[0].get("RecordCount", "")).isdigit():
            return int(hit[0]["RecordCount"]), "RecordCount", why
    return None, "pagina's", why


def clean(value):
    """CBS missing-value symbols become empty; string keys lose their padding; numbers stay as they are."""
    if isinstance(value, str):
        value = value.strip()
        return None if value in EMPTY else value
    return value


def fetch_rows(client: Client, table: str, flt: str | None, select: list[str], total: int | None, partial: Path,
               progress: Callable[[Progress], None] | None = None, page_size: int = PAGE_SIZE,
               counted: str = "$count") -> list[dict]:
    """All rows from the ODataFeed, page by page over its `odata.nextLink` (on the Feed `$skip` when a link is missing
    while rows are due); each page is stored in `partial` (page_00000.json, ...) so a restart continues there. `total`
    None: CBS gave no count, the pages run until the last one (no link)."""
    partial.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    pages = sorted(partial.glob("page_*.json"))
    next_url: str | None = client.url(table, "TypedDataSet", feed=True, filter=flt, select=",".join(select))
    for p in pages:  # resume: reuse what an earlier run stored
        stored = json.loads(p.read_text(encoding="utf-8"))
        rows += stored["value"]
        next_url = stored["next"]
    started, fetched_here = time.monotonic(), 0
    while next_url and (total is None or len(rows) < total):
        data = client.json(next_url)
        value = data.get("value")
        if not isinstance(value, list):
            raise CbsError(f"Tabel {table}: een pagina van CBS bevat geen rijen ('value' ontbreekt).")
        if not value:
            break
        rows += value
        link = data.get("odata.nextLink")  # the feed's continuation link (absolute, `$skip=<n>`); else page on with $skip
        next_url = urllib.parse.urljoin(next_url, link) if link else None if total is None or len(rows) >= total else \
            client.url(table, "TypedDataSet", feed=True, filter=flt, select=",".join(select), skip=str(len(rows)))
        page_file = partial / f"page_{len(pages):05d}.json"
        tmp = page_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"next": next_url, "value": value}), encoding="utf-8")
        tmp.replace(page_file)  # a page is either fully stored or not at all
        pages.append(page_file)
        fetched_here += len(value)
        if progress and total is None:  # counting the pages: only what is known so far
            progress(Progress(table, len(rows), len(rows), len(pages), len(pages), None, counted))
        elif progress:
            rate = fetched_here / max(time.monotonic() - started, 1e-6)
            pages_total = max(len(pages), len(pages) + -(-max(total - len(rows), 0) // len(value)))  # CBS may page smaller
            progress(Progress(table, len(rows), total, len(pages), pages_total,
                              max(total - len(rows), 0) / rate if rate else None, counted))
    if total is not None and len(rows) != total:
        raise CbsError(f"Tabel {table} is onvolledig: CBS meldt {nl_number(total)} rijen, er zijn er {nl_number(len(rows))} opgehaald. "
                       "De tabel wordt niet opgeslagen; de vorige snapshot blijft staan.")
    return rows


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if (v := clean(r.get(c))) is None else v for c in columns])


def _provenance(h: dict) -> str:
    measures = "\n".join(f"  - `{m['sleutel']}`: {m['titel']}" for m in h["maatstaven"])
    return (f"# CBS {h['tabel']} \"{h['titel']}\" — opgehaald via de CBS OData v3-API\n\n"
            f"## Bron\n- URL: {h['url']}\n- Tabel: **{h['tabel']}**, titel \"{h['titel']}\"\n"
            f"- Laatst gewijzigd door CBS: {h['cbs_gewijzigd']}\n- Opgehaald op: {h['opgehaald']} (UTC)\n"
            f"- Uitgever: Centraal Bureau voor de Statistiek; licentie {h['licentie']}\n\n"
            f"## Selectie\n- Filter: `{h['filter'] or '(geen)'}`\n- Kolommen: {', '.join(f'`{c}`' for c in h['kolommen'])}\n"
            f"- Maatstaven (opgezocht op sleutel en titel in DataProperties):\n{measures}\n\n"
            f"## Bewerking\n- {COUNTED[h.get('telling', '$count')].format(why=h.get('telling_reden'))}\n"
            "- Waarden `.`, `x` en `-` zijn leeg gelaten; opgevulde sleutels (`'GM0363    '`) zijn ingekort.\n"
            "- Rijen per bestand en checksums: `herkomst.json` en `SHA256SUMS`.\n")


COUNTED = {"$count": "Alle pagina's opgehaald en het aantal rijen vergeleken met wat CBS meldt (`$count`).",
           "RecordCount": "Alle pagina's opgehaald en het aantal rijen vergeleken met het aantal in CBS's catalogus "
                          "(`RecordCount`); `$count` werkte niet: {why}",
           "pagina's": "Alle pagina's opgehaald tot de laatste (zonder vervolglink); het aantal rijen is geteld over de "
                       "pagina's, niet vergeleken met een aantal van CBS: `$count` werkte niet: {why}"}


def write_snapshot(folder: Path, h: dict, columns: list[str], rows: list[dict]) -> Path:
    """Write into a temp folder next to `folder`, verify, then swap it into place; the old folder survives any failure."""
    tmp = folder.parent / f".{folder.name}.nieuw"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    data_name = f"{h['tabel']}_TypedDataSet.csv"
    _write_csv(tmp / data_name, columns, rows)
    (tmp / "PROVENANCE.md").write_text(_provenance(h), encoding="utf-8")
    h = {**h, "bestanden": {data_name: {"sha256": sha256(tmp / data_name), "rijen": len(rows)},
                            "PROVENANCE.md": {"sha256": sha256(tmp / "PROVENANCE.md")}}}
    (tmp / "herkomst.json").write_text(json.dumps(h, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_sums(tmp)
    problems = verify(tmp)
    if problems:
        shutil.rmtree(tmp)
        raise CbsError(f"Tabel {h['tabel']}: de nieuwe snapshot klopt niet: " + "; ".join(problems))
    old = folder.parent / f".{folder.name}.oud"
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def verify(folder: Path) -> list[str]:
    """Check a fetched snapshot against its herkomst.json and SHA256SUMS; return Dutch problems (empty = in order)."""
    try:
        h = json.loads((folder / "herkomst.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{folder.name}/herkomst.json ontbreekt of is onleesbaar"]
    if not isinstance(h, dict) or not isinstance(h.get("bestanden", {}), dict):
        return [f"{folder.name}/herkomst.json is onvolledig"]
    missing = [k for k in ("url", "tabel", "titel", "cbs_gewijzigd", "opgehaald", "licentie", "bestanden") if k not in h]
    if missing:
        return [f"{folder.name}/herkomst.json mist {', '.join(missing)}"]
    problems = []
    for name, meta in h["bestanden"].items():
        path = folder / name
        meta = meta if isinstance(meta, dict) else {}
        if not path.is_file():
            problems.append(f"{folder.name}/{name} ontbreekt")
            continue
        if sha256(path) != meta.get("sha256"):
            problems.append(f"{folder.name}/{name}: checksum wijkt af van herkomst.json (gewijzigd of beschadigd)")
        if "rijen" in meta:
            with path.open(encoding="utf-8", newline="") as f:
                n = sum(1 for _ in csv.reader(f)) - 1
            if n != meta["rijen"]:
                problems.append(f"{folder.name}/{name}: {n} rijen, herkomst.json zegt {meta['rijen']}")
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return problems + [f"{folder.name}/SHA256SUMS ontbreekt"]
    for line in filter(str.strip, sums.read_text(encoding="utf-8", errors="replace").splitlines()):
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            problems.append(f"{folder.name}/SHA256SUMS: onleesbare regel '{line[:40]}'")
            continue
        digest, name = parts
        if not (folder / name).is_file() or sha256(folder / name) != digest:
            problems.append(f"{folder.name}/{name}: klopt niet met SHA256SUMS")
    return problems


def fetch_table(table: str, folder: Path, measures: list[Measure], dimensions: list[str], flt: str | None = None,
                client: Client | None = None, partial_root: Path | None = None,
                progress: Callable[[Progress], None] | None = None, page_size: int = PAGE_SIZE,
                extra: dict | None = None, keep_titles: tuple[str, ...] = ()) -> Path:
    """Fetch one CBS v3 table into `folder` (replaced only after validation); returns the folder."""
    client = client or Client()
    info = table_info(client, table)
    props = client.json(client.url(table, "DataProperties")).get("value") or []
    keys = resolve_measures(table, props, measures)
    titles = {p["Key"]: p.get("Title") for p in props if p.get("Key")}
    columns = dimensions + list(keys.values())
    asked, flt = flt, pad_filter(client, table, flt, props)
    total, counted, why = row_count(client, table, flt)
    if total == 0:
        raise CbsError(f"Tabel {table}: CBS meldt 0 rijen voor filter {asked!r}; er is niets opgeslagen.")
    partial = (partial_root or folder.parent / ".gedeeltelijk") / table
    marker = {"filter": flt, "kolommen": columns, "rijen": total, "cbs_gewijzigd": info.get("Modified"),
              "page_size": page_size}
    mfile = partial / "opdracht.json"
    if mfile.exists() and json.loads(mfile.read_text(encoding="utf-8")) != marker:
        shutil.rmtree(partial)  # CBS changed the table or we ask something else: the stored pages are stale
    partial.mkdir(parents=True, exist_ok=True)
    mfile.write_text(json.dumps(marker), encoding="utf-8")
    rows = fetch_rows(client, table, flt, columns, total, partial, progress, page_size, counted)
    if not rows:
        raise CbsError(f"Tabel {table}: CBS gaf 0 rijen voor filter {asked!r}; er is niets opgeslagen.")
    labels = {d: {str(m.get("Key", "")).strip(): m.get("Title") for m in client.json(client.url(table, d)).get("value") or []}
              for d in keep_titles}  # what the keys of a kept dimension mean (e.g. StatusCijfer: Definitief/Voorlopig)
    h = _origin(client.url(table, "TypedDataSet", feed=True, filter=flt, select=",".join(columns)), table, info, flt,
                columns, [{"prefix": m.prefix, "sleutel": keys[m.prefix], "titel": titles[keys[m.prefix]]} for m in measures],
                {"dimensies": labels, "telling": counted, **({"telling_reden": why} if why else {}), **(extra or {})})
    write_snapshot(folder, h, columns, rows)
    shutil.rmtree(partial, ignore_errors=True)
    return folder


def _origin(url: str, table: str, info: dict, flt: str | None, columns: list[str], measures: list[dict], extra: dict) -> dict:
    """The herkomst.json content of a fetched table (the files and their checksums are added when written)."""
    return {"url": url, "tabel": table, "titel": info.get("Title"), "cbs_gewijzigd": info.get("Modified"),
            "opgehaald": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "licentie": LICENCE, "filter": flt,
            "kolommen": columns, "maatstaven": measures, **extra}


def fetch_members(table: str, folder: Path, dim: str, client: Client | None = None, extra: dict | None = None) -> Path:
    """Only the member list (Key, Title) of one dimension of a table, e.g. the gemeenten of "Gebieden in Nederland 2026"."""
    client = client or Client()
    info = table_info(client, table)
    members = client.json(client.url(table, dim)).get("value")
    if not isinstance(members, list) or not members:
        raise CbsError(f"Tabel {table}: de lijst {dim} is leeg of onleesbaar; er is niets opgeslagen.")
    rows = [{"Key": clean(m.get("Key")), "Title": clean(m.get("Title"))} for m in members]
    write_snapshot(folder, _origin(client.url(table, dim), table, info, None, ["Key", "Title"], [], extra or {}),
                   ["Key", "Title"], rows)
    return folder
