"""`etl vernieuw`: fetch the newest CBS tables the portal knows how to use, then rebuild the warehouse (all or nothing per table).

Each entry of LIVE (etl/sources/live_tables.py, which the build reads as well) says which CBS table (or yearly series of
tables, found in CBS's catalogue by title with our known ids as fallback) to fetch, which rows (gemeenten and Nederland;
dimensions fixed to their totals) and which measures, and to which registry indicator each measure maps. A refresh:

1. finds the tables (a yearly series: by default the newest year, the years the shipped snapshots lack and the years
   installed before; `years` widens it) and, per table, asks CBS's modification date; a table whose local snapshot has
   the same date is skipped (a dry run stops here and lists what is newer at CBS);
2. fetches each newer table into a staging folder (etl/cbs.py: paging, row-count check, retries, resume); a table that
   fails is dropped and reported, the others go on;
3. builds a new warehouse from the shipped snapshots plus the staged tables; a table the build's problems name is left
   out (and marked as refused in staging) and the build is tried again without it. Only when a build validates (codes,
   herindelingen, registry) are its staged folders moved into the store (`live_<bron>_<TABEL>`) and the warehouse
   swapped; else snapshots and warehouse stay as they were. Nothing half-fetched or unvalidated is ever installed.

Everything a refresh writes (live_* folders, staging, partial downloads, lock) goes to the store: PORTAL_DATA_DIR's
snapshots folder (portal.paths.LIVE), which is data/snapshots in the checkout only when no data folder is given.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from etl import cbs
from etl.build import BuildBusy, build, build_lock
from etl.sources.live_tables import BY_NAME, LIVE, PREFIX, LiveSource
from etl.validate import BuildError
from portal import paths
from portal.paths import SNAPSHOTS, WAREHOUSE
from portal.nl import nl_date, nl_number

Log = Callable[[str], None]


@dataclass(frozen=True)
class Table:
    source: LiveSource
    id: str
    year: int  # 0 for a single table
    title: str
    modified: str | None = None
    rows: int | None = None  # the whole table's row count when the catalogue gives it (RecordCount)

    @property
    def folder(self) -> str:
        return f"{PREFIX}{self.source.bron}_{self.id}"


def tables(client: cbs.Client, source: LiveSource, log: Log) -> list[Table]:
    """The source's current tables: from CBS's catalogue by title (newest version per year), else the known ids."""
    try:
        found = cbs.catalogue(client, source.title.split("{jaar}")[0].strip())
    except cbs.CbsError as exc:
        if not client.connected:
            raise
        log(f"  catalogus niet bruikbaar ({exc.dutch()}); de bekende tabelnummers worden gebruikt")
        found = []
    pattern = re.compile(re.escape(source.title).replace(re.escape("{jaar}"), r"(\d{4})"))
    by_year: dict[int, Table] = {}
    for t in found:
        title, ident = str(t.get("Title", "")).strip(), str(t.get("Identifier", ""))
        m = pattern.fullmatch(title)  # not another table that merely starts with the same words
        if not m:
            continue
        year = int(m.group(1)) if source.yearly else 0
        current = by_year.get(year)
        if current is None or (t.get("Modified") or "") > (current.modified or ""):
            n = t.get("RecordCount")
            by_year[year] = Table(source, ident, year, title, t.get("Modified"), int(n) if str(n).isdigit() else None)
    if not by_year:  # the catalogue is the authority when it answers; our list is the fallback
        by_year = {y: Table(source, ident, y, source.title.replace("{jaar}", str(y))) for y, ident in source.known.items()}
    return [by_year[y] for y in sorted(by_year)]


def local_modified(folder: Path) -> str | None:
    try:
        return json.loads((folder / "herkomst.json").read_text(encoding="utf-8")).get("cbs_gewijzigd")
    except (OSError, ValueError):
        return None


def region_filter(source: LiveSource) -> str | None:
    if source.region is None:
        return None
    r = source.region
    return f"(startswith({r},'GM') or startswith({r},'NL'))"


def fetch(client: cbs.Client, table: Table, staging: Path, partial: Path, log: Log) -> Path:
    src = table.source
    if src.members:
        out = cbs.fetch_members(table.id, staging / table.folder, src.members, client,
                                extra={"bron": src.bron, "jaar": table.year or None})
        log(f"  {table.id}: lijst {src.members} opgehaald")
        return out
    fixed = [f"{d.name} eq '{cbs.dimension_key(client, table.id, d.name, d.key, d.title)}'" for d in src.fixed]
    flt = " and ".join(x for x in [region_filter(src), *fixed, src.where] if x) or None
    dims = [d for d in [src.region, *[d.name for d in src.fixed], *src.keep, src.period] if d]
    started = time.monotonic()

    def progress(p: cbs.Progress) -> None:
        left = f", nog ongeveer {p.seconds_left:.0f} s" if p.seconds_left and p.seconds_left >= 1 else ""
        log(f"    {table.id}: {nl_number(p.rows)} van {nl_number(p.total)} rijen, pagina {p.pages}/{p.pages_total}{left}")

    out = cbs.fetch_table(table.id, staging / table.folder, list(src.measures), dims, flt, client, partial, progress,
                          extra={"bron": src.bron, "jaar": table.year or None}, keep_titles=src.keep)
    log(f"  {table.id} opgehaald in {nl_number(time.monotonic() - started, 1)} s")
    return out


def check_titles(new: Path, old: Path) -> None:
    """A measure we know only by key must keep the title it had at the previous refresh (else the definition may differ)."""
    try:
        before = {m["prefix"]: m["titel"] for m in json.loads((old / "herkomst.json").read_text(encoding="utf-8"))["maatstaven"]}
    except (OSError, ValueError, KeyError):
        return
    h = json.loads((new / "herkomst.json").read_text(encoding="utf-8"))
    for m in h["maatstaven"]:
        if m["prefix"] in before and before[m["prefix"]] != m["titel"]:
            raise cbs.CbsError(f"Tabel {h['tabel']}: maatstaf {m['sleutel']} heet nu '{m['titel']}' in plaats van "
                               f"'{before[m['prefix']]}'; de definitie is mogelijk veranderd, de tabel wordt niet opgeslagen.")


def superseded(snapshots: Path, fetched: list[Table]) -> set[str]:
    """Installed tables that a fetched one replaces: same source and year, another table id (CBS republished the year
    under a new number). Keeping both would give two sources for one figure."""
    new = {(t.source.bron, t.year): t.folder for t in fetched}
    out = set()
    for f in snapshots.glob(f"{PREFIX}*/herkomst.json"):
        try:
            h = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        folder = new.get((h.get("bron"), h.get("jaar") or 0))
        if folder is not None and folder != f.parent.name:
            out.add(f.parent.name)
    return out


ALL = "alle"


def parse_years(text: str) -> tuple[int, int] | str:
    """`--jaren`: '2019-2024', '2024' or 'alle'; raises ValueError (with a Dutch message) otherwise."""
    text = text.strip().lower()
    if text == ALL:
        return ALL
    m = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", text)
    if not m or int(m[2] or m[1]) < int(m[1]):
        raise ValueError(f"--jaren '{text}' begrijp ik niet: geef een jaar (2024), een reeks (2019-2024) of 'alle'.")
    return int(m[1]), int(m[2] or m[1])


def installed_years(store: Path, source: LiveSource) -> set[int]:
    """The years of a series that an earlier refresh installed (they stay refreshed)."""
    out = set()
    for f in store.glob(f"{PREFIX}{source.bron}_*/herkomst.json"):
        try:
            out.add(int(json.loads(f.read_text(encoding="utf-8")).get("jaar") or 0))
        except (OSError, ValueError):
            continue
    return out


def bounded(found: list[Table], source: LiveSource, years: tuple[int, int] | str | None, installed: set[int]) -> list[Table]:
    """The tables of a yearly series a run looks at: `years` (a range or ALL), by default the newest year, the years from
    `since` that the shipped snapshots lack, and the years installed before. A single table is always kept."""
    if not source.yearly or not found or years == ALL:
        return found
    if years is not None:
        return [t for t in found if years[0] <= t.year <= years[1]]
    newest, since = max(t.year for t in found), source.since or min(source.known)
    return [t for t in found if t.year == newest or t.year in installed or (t.year >= since and t.year not in source.shipped)]


def store_for(snapshots: Path) -> Path:
    """Where a refresh writes (live_* folders, staging, partial downloads, lock): the data folder's snapshots when the
    shipped ones are read (PORTAL_DATA_DIR moves them out of the checkout), else the given snapshots root (tests)."""
    return paths.LIVE if snapshots == SNAPSHOTS else snapshots  # (LIVE in this module is the list of sources)


def link_view(view: Path, snapshots: Path, store: Path, staged: dict[str, Path] | None = None,
              gone: set[str] = frozenset()) -> Path:
    """A snapshots root of symlinks: the shipped folders of `snapshots`, the live_* folders of `store` (minus `gone`),
    and `staged` folders (name -> path) over them."""
    shutil.rmtree(view, ignore_errors=True)
    view.mkdir(parents=True)
    roots = [snapshots] if store == snapshots else [snapshots, store]
    for root in roots:
        for f in root.iterdir() if root.is_dir() else []:
            live_folder = f.name.startswith(PREFIX)
            if (f.is_dir() and not f.name.startswith(".") and f.name not in gone
                    and (root == store or not live_folder) and not (view / f.name).exists()):
                (view / f.name).symlink_to(f.resolve())
    for name, path in (staged or {}).items():
        (view / name).unlink(missing_ok=True)
        (view / name).symlink_to(path.resolve())
    return view


@dataclass
class Outcome:
    newer: list[tuple[Table, str | None]] = field(default_factory=list)  # (table, local CBS date) newer at CBS
    fetched: list[Table] = field(default_factory=list)  # fetched (or staged earlier) and valid on their own
    installed: list[Table] = field(default_factory=list)  # in data/snapshots and in the new warehouse
    failed: list[tuple[str, str]] = field(default_factory=list)  # (table id, Dutch message)
    skipped: int = 0  # older tables of yearly series left out (see --jaren)
    built: bool = False

    @property
    def partial(self) -> bool:
        return self.built and bool(self.failed)


def refresh(names: list[str] | None = None, dry_run: bool = False, snapshots: Path | None = None,
            target: Path | None = None, clients: dict[str, cbs.Client] | None = None, log: Log = print,
            years: tuple[int, int] | str | None = None, fresh: bool = False, store: Path | None = None) -> Outcome:
    """See the module docstring. Raises CbsError only for 'no connection' (then nothing at all happened), and BuildBusy
    when another refresh of these snapshots is running. `clients` per host ("opendata", "dataderden"); by default made
    from the environment (CBS_ODATA_URL, ...). `years`: see `bounded`; `fresh`: fetch again what waits in staging."""
    snapshots, target = snapshots or SNAPSHOTS, target or WAREHOUSE
    store = store or store_for(snapshots)
    clients = dict(clients or {})
    sources = [BY_NAME[n] for n in names] if names else LIVE
    out = Outcome()
    for src in sources:
        log(f"Bron '{src.bron}': {src.title.replace('{jaar}', '<jaar>')}")
        client = clients.setdefault(src.host, cbs.Client(host=src.host))
        found = tables(client, src, log)
        chosen = bounded(found, src, years, installed_years(store, src))
        if len(chosen) < len(found):
            left = sorted(t.year for t in found if t not in chosen)
            out.skipped += len(left)
            log(f"  {len(left)} andere jaargang(en) overgeslagen ({_years(left)}); ophalen met --jaren (bijv. --jaren "
                f"{left[0]}-{left[-1]} of --jaren alle)")
        for t in chosen:
            try:
                info = cbs.table_info(client, t.id)
            except cbs.CbsError as exc:
                if not client.connected:
                    raise
                out.failed.append((t.id, exc.dutch()))
                log(f"  {t.id}: {exc.dutch()}")
                continue
            t = Table(src, t.id, t.year, info.get("Title") or t.title, info.get("Modified"), t.rows)
            local = local_modified(store / t.folder)
            if local is not None and (t.modified or "") <= local:
                log(f"  {t.id} ({t.title}): ongewijzigd sinds {nl_date(local) or 'onbekend'}")
                continue
            out.newer.append((t, local))
            log(f"  {t.id} ({t.title}): bij CBS gewijzigd op {nl_date(t.modified) or 'onbekend'}"
                + (f", lokaal van {nl_date(local) or 'onbekend'}" if local else ", nog niet lokaal")
                + (f"; de tabel heeft {nl_number(t.rows)} rijen" if t.rows is not None else ""))
    if dry_run or not out.newer:
        if not out.newer:
            log("Niets nieuws bij CBS; er is niets veranderd." if not out.failed else "Niets opgehaald; er is niets veranderd.")
        return out

    store.mkdir(parents=True, exist_ok=True)
    with build_lock(target, store / ".vernieuw.lock", "vernieuwing van de CBS-tabellen"):  # BuildBusy: one at a time
        return _fetch_and_build(out, snapshots, store, target, clients, log, fresh)


@contextmanager
def snapshots_root(snapshots: Path | None = None) -> Iterator[Path]:
    """The snapshots `etl build` and `etl check` read: the shipped ones, plus the live_* tables in the data folder when
    PORTAL_DATA_DIR put them there (then through a temporary folder of links in the data folder)."""
    snapshots = snapshots or SNAPSHOTS
    store = store_for(snapshots)
    if store == snapshots or not any(store.glob(f"{PREFIX}*")):
        yield snapshots
        return
    view = store / f".bouw-{os.getpid()}"
    try:
        yield link_view(view, snapshots, store)
    finally:
        shutil.rmtree(view, ignore_errors=True)


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if len(years) <= 3 else f"{years[0]}–{years[-1]}"


REFUSED = ".afgekeurd.json"  # in the staging folder: staged tables a build refused, with the reason


def _refused(staging: Path) -> dict[str, str]:
    try:
        return json.loads((staging / REFUSED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _fetch_and_build(out: Outcome, snapshots: Path, store: Path, target: Path, clients: dict[str, cbs.Client], log: Log,
                     fresh: bool = False) -> Outcome:
    staging = store / ".vernieuw"  # fetched tables wait here until the build with them validates
    partial = store / ".gedeeltelijk"
    staging.mkdir(parents=True, exist_ok=True)
    wanted = {t.folder for t, _ in out.newer}
    for stale in staging.iterdir():
        if stale.name not in wanted and stale.name != REFUSED:
            shutil.rmtree(stale)
    refused = {k: v for k, v in _refused(staging).items() if k in wanted}

    def save_refused() -> None:
        (staging / REFUSED).write_text(json.dumps(refused, ensure_ascii=False, indent=1), encoding="utf-8")

    try:
        for t, _ in out.newer:
            staged = staging / t.folder
            if fresh:  # --opnieuw: whatever waits from an earlier attempt goes; the table is fetched from CBS again
                shutil.rmtree(staged, ignore_errors=True)
                shutil.rmtree(partial / t.id, ignore_errors=True)
            if staged.exists() and local_modified(staged) == t.modified and not cbs.verify(staged):
                if t.folder in refused:
                    log(f"  LET OP {t.id}: de klaarstaande kopie (zelfde CBS-versie) is bij de vorige poging door de databouw "
                        f"afgekeurd ({refused[t.folder]}). Hij wordt opnieuw geprobeerd; opnieuw ophalen bij CBS kan met --opnieuw.")
                else:
                    log(f"  {t.id}: al opgehaald bij een eerdere poging (zelfde CBS-versie), hergebruikt")
                out.fetched.append(t)
                continue
            refused.pop(t.folder, None)
            try:
                folder = fetch(clients[t.source.host], t, staging, partial, log)
                check_titles(folder, store / t.folder)
                out.fetched.append(t)
            except cbs.CbsError as exc:
                shutil.rmtree(staged, ignore_errors=True)  # nothing half-fetched or unvalidated stays staged
                out.failed.append((t.id, exc.dutch()))
                log(f"  MISLUKT {t.id}: {exc.dutch()}")
        save_refused()
        if not out.fetched:
            log("Geen enkele tabel opgehaald: er is niets vervangen, snapshots en warehouse zijn niet veranderd.")
            return out
        if out.failed:
            log(f"{len(out.failed)} tabel(len) niet opgehaald (zie hierboven); het warehouse wordt gebouwd met de "
                f"{len(out.fetched)} tabel(len) die wel goed zijn opgehaald.")
        pending = list(out.fetched)
        while True:
            gone = superseded(store, pending)
            view = link_view(store / ".vernieuw-bouw", snapshots, store, {t.folder: staging / t.folder for t in pending}, gone)
            log(f"Warehouse opnieuw bouwen met {len(pending)} vernieuwde tabel(len) ...")
            try:
                build(target, view, log=lambda m: log("  " + m))
                break
            except BuildError as exc:
                if isinstance(exc, BuildBusy):
                    out.failed.append(("databouw", exc.dutch()))
                    log(exc.dutch())
                    return out
                # the tables the problems name are left out and the build is tried again without them
                blamed = [t for t in pending if any(t.id in str(p) or t.folder in str(p) for p in exc.problems)]
                if blamed and len(blamed) < len(pending):
                    for t in blamed:
                        why = "; ".join(str(p) for p in exc.problems if t.id in str(p) or t.folder in str(p))
                        out.failed.append((t.id, f"afgekeurd door de databouw: {why}"))
                        refused[t.folder] = why
                        log(f"  AFGEKEURD {t.id} door de databouw: {why}")
                    save_refused()
                    pending = [t for t in pending if t not in blamed]
                    log(f"Opnieuw bouwen zonder {', '.join(t.id for t in blamed)}.")
                    continue
                out.failed.append(("databouw", exc.dutch()))
                for t in pending:
                    refused[t.folder] = exc.dutch().splitlines()[1].removeprefix("- ") if exc.problems else "databouw gestopt"
                save_refused()
                log(exc.dutch())
                log("De databouw met de nieuwe tabellen is afgekeurd: snapshots en warehouse zijn niet veranderd.")
                return out
        for t in pending:  # the new warehouse is in place; now the snapshots it was built from
            dest, old = store / t.folder, store / f".{t.folder}.oud"
            shutil.rmtree(old, ignore_errors=True)
            if dest.exists():
                dest.rename(old)
            (staging / t.folder).rename(dest)
            shutil.rmtree(old, ignore_errors=True)
            refused.pop(t.folder, None)
        for name in gone:
            shutil.rmtree(store / name)
            log(f"  {name} vervalt: CBS publiceerde voor hetzelfde jaar een nieuwere tabel")
        out.installed, out.built = pending, True
        if refused:
            save_refused()  # the refused tables stay staged, marked, for the next attempt
        else:
            shutil.rmtree(staging, ignore_errors=True)
        return out
    finally:
        shutil.rmtree(store / ".vernieuw-bouw", ignore_errors=True)
