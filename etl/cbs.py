"""Robust fetching of CBS OData v3 tables into snapshot folders (standard library only).

One table: TableInfos + DataProperties (measures resolved by key prefix and title, never by position), the row count
CBS reports (`TypedDataSet/$count`), then the TypedDataSet page by page (`odata.nextLink` when CBS gives one, else
`$skip`/`$top`). Every page is kept in a partial folder so an interrupted fetch resumes where it stopped. Rows are
normalised (`.`, `x`, `-` -> empty; padded keys stripped), written to a temporary folder with PROVENANCE.md,
herkomst.json and SHA256SUMS, verified, and only then moved into place; a short or failed fetch leaves the previous
snapshot untouched. The host is configurable (`CBS_ODATA_URL`) so tests run against a local replay server.
"""

from __future__ import annotations

import csv
import json
import os
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

DEFAULT_BASE = "https://opendata.cbs.nl/ODataApi/odata"
DEFAULT_CATALOGUE = "https://opendata.cbs.nl/ODataCatalog"
# Third-party data CBS publishes for others (Iv3 gemeentefinanciën): the same OData v3 shape on another host.
HOSTS = {"opendata": ("CBS_ODATA_URL", DEFAULT_BASE, "CBS_CATALOGUS_URL", DEFAULT_CATALOGUE),
         "dataderden": ("CBS_DATADERDEN_URL", "https://dataderden.cbs.nl/ODataApi/OData",
                        "CBS_DATADERDEN_CATALOGUS_URL", "https://dataderden.cbs.nl/ODataCatalog")}
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
PAGE_SIZE = 10_000  # CBS's maximum per request
EMPTY = {".", "x", "-", ""}
RETRY_STATUS = {429, 500, 502, 503, 504}


class CbsError(Exception):
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


def base_url(host: str = "opendata") -> str:
    env, default, _, _ = HOSTS[host]
    return os.environ.get(env, default).rstrip("/")


def catalogue_url(host: str = "opendata") -> str:
    _, _, env, default = HOSTS[host]
    return os.environ.get(env, default).rstrip("/")


class Client:
    """GET JSON with time-outs, retries with exponential backoff on 429/5xx (honouring Retry-After)."""

    def __init__(self, base: str | None = None, timeout: float = 60, retries: int = 4, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, host: str = "opendata"):
        self.base = (base or base_url(host)).rstrip("/")
        self.catalogue = catalogue_url(host)
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.connected = False  # True after the first answer; before that a network error means "no connection"
        self.requests: list[str] = []

    def url(self, table: str, path: str, **query: str) -> str:
        q = urllib.parse.urlencode({"$format": "json", **{f"${k}": v for k, v in query.items() if v is not None}},
                                   safe="$,'()", quote_via=urllib.parse.quote)  # readable, spaces as %20 (not +)
        return f"{self.base}/{table}/{path}?{q}"

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
                if exc.code == 404:
                    raise CbsError(f"CBS kent dit adres niet (404): {url}; de tabel bestaat mogelijk niet meer of heeft een "
                                   "nieuw nummer.") from exc
                if exc.code not in RETRY_STATUS:
                    raise CbsError(f"CBS weigerde het verzoek ({exc.code} {exc.reason}) voor {url}.") from exc
                if attempt == self.retries:
                    raise CbsError(f"CBS gaf {self.retries + 1} keer een fout (laatste: {exc.code}) voor {url}; "
                                   "probeer het later opnieuw.") from exc
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after is not None and retry_after.strip().isdigit():
                    wait = min(float(retry_after), 300.0)
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
                if not self.connected:
                    raise CbsError(f"Geen verbinding met CBS ({urllib.parse.urlsplit(url).netloc}): {_why(exc)}; "
                                   "er is niets veranderd.") from exc
                if attempt == self.retries:
                    raise CbsError(f"CBS antwoordde niet na {self.retries + 1} pogingen ({url}); "
                                   "de gedeeltelijke download blijft bewaard en wordt de volgende keer hervat.") from exc
            self.sleep(wait)
        raise AssertionError("unreachable")

    def json(self, url: str) -> dict:
        body = self.get(url)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise CbsError(f"CBS gaf een onleesbaar antwoord (geen geldige JSON) voor {url}.") from exc


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
    members = client.json(client.url(table, dim)).get("value") or []
    norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
    hits = [m for m in members if (key is not None and str(m.get("Key", "")).strip() == key)
            or (key is None and norm(m.get("Title")) == norm(title))]
    if len(hits) != 1:
        seen = ", ".join(f"{str(m.get('Key', '')).strip()} '{m.get('Title')}'" for m in members[:8])
        raise CbsError(f"Tabel {table}: dimensie {dim} heeft geen (eenduidig) lid {key or repr(title)}; CBS geeft: {seen}.")
    return str(hits[0]["Key"]).strip()


def catalogue(client: Client, title_prefix: str) -> list[dict]:
    """Tables in CBS's catalogue whose title starts with `title_prefix` (Identifier, Title, Modified, ...)."""
    flt = f"startswith(Title,'{title_prefix.replace(chr(39), chr(39) * 2)}')"
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


def row_count(client: Client, table: str, flt: str | None) -> int:
    text = client.get(client.url(table, "TypedDataSet/$count", filter=flt)).decode("utf-8", "replace").strip()
    if not text.isdigit():
        raise CbsError(f"Tabel {table}: CBS gaf geen geldig aantal rijen ({text[:40]!r}).")
    return int(text)


def clean(value):
    """CBS missing-value symbols become empty; string keys lose their padding; numbers stay as they are."""
    if isinstance(value, str):
        value = value.strip()
        return None if value in EMPTY else value
    return value


def fetch_rows(client: Client, table: str, flt: str | None, select: list[str], total: int, partial: Path,
               progress: Callable[[Progress], None] | None = None, page_size: int = PAGE_SIZE) -> list[dict]:
    """All rows, page by page; each page is stored in `partial` (page_00000.json, ...) so a restart continues there."""
    partial.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    pages = sorted(partial.glob("page_*.json"))
    next_url: str | None = client.url(table, "TypedDataSet", filter=flt, select=",".join(select), top=str(page_size),
                                      skip="0")
    for p in pages:  # resume: reuse what an earlier run stored
        stored = json.loads(p.read_text(encoding="utf-8"))
        rows += stored["value"]
        next_url = stored["next"]
    pages_total = max(1, -(-total // page_size))
    started, fetched_here = time.monotonic(), 0
    while next_url and len(rows) < total:
        data = client.json(next_url)
        value = data.get("value")
        if not isinstance(value, list):
            raise CbsError(f"Tabel {table}: een pagina van CBS bevat geen rijen ('value' ontbreekt).")
        if not value:
            break
        rows += value
        link = data.get("odata.nextLink")  # the feed's continuation link wins; otherwise page on with $skip
        next_url = urllib.parse.urljoin(next_url, link) if link else client.url(
            table, "TypedDataSet", filter=flt, select=",".join(select), top=str(page_size), skip=str(len(rows)))
        page_file = partial / f"page_{len(pages):05d}.json"
        tmp = page_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"next": next_url, "value": value}), encoding="utf-8")
        tmp.replace(page_file)  # a page is either fully stored or not at all
        pages.append(page_file)
        fetched_here += len(value)
        if progress:
            rate = fetched_here / max(time.monotonic() - started, 1e-6)
            pages_total = max(len(pages), len(pages) + -(-max(total - len(rows), 0) // len(value)))  # CBS may page smaller
            progress(Progress(table, len(rows), total, len(pages), pages_total,
                              max(total - len(rows), 0) / rate if rate else None))
    if len(rows) != total:
        raise CbsError(f"Tabel {table} is onvolledig: CBS meldt {_nl(total)} rijen, er zijn er {_nl(len(rows))} opgehaald. "
                       "De tabel wordt niet opgeslagen; de vorige snapshot blijft staan.")
    return rows


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


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
            "## Bewerking\n- Alle pagina's opgehaald en het aantal rijen vergeleken met wat CBS meldt (`$count`).\n"
            "- Waarden `.`, `x` en `-` zijn leeg gelaten; opgevulde sleutels (`'GM0363    '`) zijn ingekort.\n"
            "- Rijen per bestand en checksums: `herkomst.json` en `SHA256SUMS`.\n")


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
    total = row_count(client, table, flt)
    if total == 0:
        raise CbsError(f"Tabel {table}: CBS meldt 0 rijen voor filter {flt!r}; er is niets opgeslagen.")
    partial = (partial_root or folder.parent / ".gedeeltelijk") / table
    marker = {"filter": flt, "kolommen": columns, "rijen": total, "cbs_gewijzigd": info.get("Modified"),
              "page_size": page_size}
    mfile = partial / "opdracht.json"
    if mfile.exists() and json.loads(mfile.read_text(encoding="utf-8")) != marker:
        shutil.rmtree(partial)  # CBS changed the table or we ask something else: the stored pages are stale
    partial.mkdir(parents=True, exist_ok=True)
    mfile.write_text(json.dumps(marker), encoding="utf-8")
    rows = fetch_rows(client, table, flt, columns, total, partial, progress, page_size)
    labels = {d: {str(m.get("Key", "")).strip(): m.get("Title") for m in client.json(client.url(table, d)).get("value") or []}
              for d in keep_titles}  # what the keys of a kept dimension mean (e.g. StatusCijfer: Definitief/Voorlopig)
    h = _origin(client.url(table, "TypedDataSet", filter=flt, select=",".join(columns)), table, info, flt, columns,
                [{"prefix": m.prefix, "sleutel": keys[m.prefix], "titel": titles[keys[m.prefix]]} for m in measures],
                {"dimensies": labels, **(extra or {})})
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
