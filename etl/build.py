"""The data build: snapshots -> validated tidy observations -> a new SQLite warehouse, swapped in only when valid.

All-or-nothing: the warehouse is written to a temporary file next to the old one, validated, and then moved over it
with one atomic rename. Any problem (bad file, checksum mismatch, an interrupted run) leaves the old file untouched.

One build at a time per warehouse: a build holds an exclusive lock (fcntl.flock, Linux/macOS) on `<warehouse>.lock` next
to the warehouse from its start to the swap. A second build stops at once with a Dutch message (BuildBusy) and touches
nothing; the lock goes with the process, so a killed build never leaves a stale lock (the file itself may stay).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import polars as pl
import sqlite_utils

from etl import herindeling, herkomst
from portal.paths import ROOT, SNAPSHOTS, WAREHOUSE
from etl.sources import (
    cbs_37789ksz,
    cbs_70072ned,
    cbs_80860ned,
    cbs_85615ned,
    cbs_85383ned,
    cbs_bijstand_gemeenten,
    cbs_live,
    cbs_kwb,
    cbs_kwb_2020,
    cbs_maatstaven,
    cbs_maatstaven_extra,
    cbs_reintegratie,
    cbs_uitkeringen_kwartaal,
    gemeenten,
    gemeentefonds,
    gemeentefonds_volumina,
    iv3,
    stedennetwerk,
)
from etl.sources.common import Context, Source
from etl.validate import BuildError, Collector, read_table, verify_checksums
from portal import metrics
from portal.derive import derive
from portal.indeling import NATIONAL, compose, harmonise
from portal.nl import nl_number

SOURCE_MODULES = [cbs_80860ned, cbs_maatstaven, cbs_bijstand_gemeenten, cbs_85383ned, cbs_37789ksz, cbs_70072ned, cbs_kwb,
                  iv3, gemeentefonds, cbs_reintegratie, cbs_kwb_2020, stedennetwerk, cbs_uitkeringen_kwartaal,
                  cbs_maatstaven_extra, gemeentefonds_volumina, cbs_85615ned, cbs_live]
NEWEST = herindeling.LAST
EXTRA_FOLDERS = ["gemeente_herindelingen", "geo_gemeentegrenzen", "nationaal_buig_macro"]
Log = Callable[[str], None]
SOURCES: list[Source] = [s for m in [gemeenten, *SOURCE_MODULES] for s in m.SOURCES]
SNAPSHOT_FOLDERS = sorted({s.folder for s in SOURCES} | set(EXTRA_FOLDERS))


def snapshot_folders(snapshots: Path) -> list[str]:
    """The shipped folders plus the tables `etl vernieuw` fetched into this snapshots root (live_*)."""
    return SNAPSHOT_FOLDERS + [f.name for f in cbs_live.folders(snapshots)]


@dataclass
class Result:
    path: Path
    content_sha256: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def code_version() -> str:
    """Hash of the code that shapes the warehouse (works without git, e.g. in an exported tree)."""
    h = hashlib.sha256()
    for p in sorted([*ROOT.glob("etl/**/*.py"), ROOT / "portal" / "metrics.py", ROOT / "portal" / "indeling.py"]):
        h.update(p.relative_to(ROOT).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def collect(snapshots: Path = SNAPSHOTS, log: Log = print) -> dict[str, pl.DataFrame | list[Source]]:
    """Read and validate every source; raise BuildError listing all problems. Returns the frames to load."""
    col = Collector()
    ctx = Context(snapshots=snapshots, col=col)
    for folder in snapshot_folders(snapshots):
        verify_checksums(snapshots / folder, col)
    col.raise_if_any()  # never read a snapshot that does not match its provenance

    ref = gemeenten.read(ctx)
    jaar = gemeenten.gemeente_jaar(ref)
    gemeenten.fill_context(ctx, jaar, ref)
    kenmerken = gemeenten.kenmerken(ctx, ref)
    log(f"  gemeenten: {jaar.height} gemeente-jaren ({jaar['jaar'].min()}–{jaar['jaar'].max()}), {kenmerken.height} kenmerken")
    steps = herindeling.read_steps(col)
    ctx.mergers = herindeling.mergers(steps)
    old_list = read_table(snapshots / "gemeente_herindelingen" / "gm_changes_before_2018.csv", col,
                          required=["Eindjaar", "Oude", "Nieuwe"], counts=["Eindjaar"], sep=";", encoding="latin-1")
    if not steps.is_empty():
        herindeling.check_steps(steps, ctx.active, old_list, col)

    frames = []
    steps_log: dict[str, dict[str, int]] = {"gemeenten": {"gemeente_jaren": jaar.height, "kenmerken": kenmerken.height}}
    for module in SOURCE_MODULES:
        t0 = time.perf_counter()
        raw = module.read(ctx)
        n_raw = sum(f.height for f in raw.values())
        obs = module.transform(raw, ctx)
        frames.append(obs)
        if hasattr(module, "kenmerken"):  # a source of gemeente characteristics (e.g. G40 membership), not of figures
            extra = module.kenmerken(raw, ctx)
            if not extra.is_empty():
                kenmerken = pl.concat([kenmerken, extra.select(kenmerken.columns).cast(kenmerken.schema)])  # type: ignore[arg-type]
        steps_log[module.__name__.split(".")[-1]] = {"rijen_gelezen": n_raw, "observaties": obs.height}
        ids = ", ".join(s.id for s in (cbs_live.sources(snapshots) if module is cbs_live else module.SOURCES))
        log(f"  {module.__name__.split('.')[-1]} ({ids}): {n_raw} rijen gelezen, {obs.height} observaties "
            f"({time.perf_counter() - t0:.2f} s)")
    col.raise_if_any()
    base = prefer_live(frames[:-1], frames[-1], log)
    unknown = set(base["indicator"].unique()) - set(metrics.REGISTRY)
    for u in sorted(unknown):
        col.add("etl", None, "indicator", f"indicator '{u}' staat niet in het register (portal/metrics.py)")
    dup = base.filter(pl.struct("gemeente_code", "indeling", "periode", "indicator").is_duplicated())
    for r in dup.select("gemeente_code", "indeling", "periode", "indicator", "bron").unique().head(10).iter_rows():
        col.add("etl", None, "indicator", f"twee bronnen voor hetzelfde cijfer: {r}")
    steps = herindeling.split_weights(steps, col)
    col.raise_if_any()

    own = pl.concat([base, derive(base)]).with_columns(pl.lit(False).alias("geharmoniseerd"))
    mappings = {y: compose(steps, ctx.active[y], y, NEWEST) for y in sorted(set(base["indeling"].unique()) - {0})}
    harm_base = harmonise(base, mappings, NEWEST)
    harm = pl.concat([harm_base, derive(harm_base)]).with_columns(pl.lit(True).alias("geharmoniseerd"))
    observaties = pl.concat([own, harm]).sort("geharmoniseerd", "gemeente_code", "indicator", "indeling", "periode", "bron")
    return {"observaties": observaties, "gemeente_jaar": jaar, "gemeente_kenmerken": kenmerken,
            "herindelingen": steps.drop("_rij"), "sources": SOURCES + cbs_live.sources(snapshots), "base": base,
            "stappen": {**steps_log, "eigen_grenzen": {"observaties": own.height}, "geharmoniseerd": {"observaties": harm.height}}}


def prefer_live(shipped: list[pl.DataFrame], fetched: pl.DataFrame, log: Log) -> pl.DataFrame:
    """Figures from a refreshed CBS table replace the shipped ones: every shipped figure of a table that was fetched again
    (same table id, same indicator, both for gemeenten or both for Nederland), and any shipped figure with the same gemeente, indeling, period and indicator (the
    same definition, by the registry) from an older table. So a refresh never makes two sources for one figure."""
    base = pl.concat(shipped)
    if fetched.is_empty():
        return base
    keys = ["gemeente_code", "indeling", "periode", "indicator"]
    level = (pl.col("gemeente_code") == NATIONAL).alias("_nl")  # Nederland apart: a fetch without it keeps the shipped one
    again = base.with_columns(level).join(fetched.select("bron", "indicator", level).unique(), on=["bron", "indicator", "_nl"],
                                          how="semi").drop("_nl")
    kept = base.join(fetched.select(keys).unique(), on=keys, how="anti").join(again, on=[*keys, "bron"], how="anti")
    if kept.height < base.height:
        log(f"  cbs_live: {base.height - kept.height} meegeleverde observaties vervangen door de vernieuwde CBS-tabellen")
    return pl.concat([kept, fetched])


def sanity(data: dict, log: Log) -> list[str]:
    """Suspicious but not impossible, reported as warnings.

    1. National total vs the sum over gemeenten of the same table (CBS rounds each gemeente and suppresses small cells,
       so small differences are normal; the message says how many gemeente cells were empty).
    2. For additive indicators: the sum on the newest indeling vs the sum on the tables' own boundaries. They must be
       equal unless a part is missing; such a gemeente has no harmonised figure (e.g. a suppressed cell).
    """
    warnings = []
    obs: pl.DataFrame = data["base"].filter(pl.col("indicator").is_in([i.id for i in metrics.REGISTRY.values() if i.additive]))
    local = obs.filter(pl.col("gemeente_code") != NATIONAL).group_by("indicator", "periode", "bron").agg(
        pl.col("waarde").sum().alias("som"), pl.col("waarde").is_null().sum().alias("leeg"))
    nat = obs.filter(pl.col("gemeente_code") == NATIONAL).select("indicator", "periode", "bron", pl.col("waarde").alias("nl"))
    cmp = local.join(nat, on=["indicator", "periode", "bron"]).with_columns(((pl.col("som") - pl.col("nl")) / pl.col("nl")).alias("rel"))
    for r in cmp.filter(pl.col("rel").abs() > 0.01).sort("indicator", "periode").iter_rows(named=True):
        leeg = f", {r['leeg']} gemeente(n) zonder cijfer" if r["leeg"] else ""
        pct = ("+" if r["rel"] >= 0 else "") + nl_number(r["rel"] * 100, 1)
        warnings.append(f"{r['indicator']} {r['periode']} ({r['bron']}): som gemeenten {nl_number(r['som'])} ≠ Nederland {nl_number(r['nl'])}"
                        f" ({pct} %{leeg})")
    all_obs: pl.DataFrame = data["observaties"]
    additive = {i.id for i in metrics.BASE if i.additive}
    sums = all_obs.filter((pl.col("gemeente_code") != NATIONAL) & pl.col("indicator").is_in(sorted(additive))).group_by(
        "indicator", "periode", "bron", "geharmoniseerd").agg(pl.col("waarde").sum().alias("som"))
    own = sums.filter(~pl.col("geharmoniseerd")).drop("geharmoniseerd")
    harm = sums.filter(pl.col("geharmoniseerd")).drop("geharmoniseerd")
    both = own.join(harm, on=["indicator", "periode", "bron"], suffix="_h").filter(
        (pl.col("som_h") - pl.col("som")).abs() > 1e-6 * pl.col("som").abs().clip(lower_bound=1))
    for r in both.sort("indicator", "periode", "bron").iter_rows(named=True):
        warnings.append(f"{r['indicator']} {r['periode']} ({r['bron']}): som op indeling {NEWEST} {nl_number(r['som_h'])} ≠ som op eigen "
                        f"grenzen {nl_number(r['som'])}: niet elk deel is omgerekend (onderdrukt of ontbrekend)")
    for w in warnings[:10]:
        log(f"  let op: {w}")
    if len(warnings) > 10:
        log(f"  let op: en nog {len(warnings) - 10} verschillen (zie `etl check`)")
    return warnings


def content_checksum(db_path: Path) -> str:
    """Checksum of the warehouse content (every table except the build history), independent of file layout."""
    h = hashlib.sha256()
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' order by name")]
        for t in tables:
            if t == "build_runs":
                continue
            h.update(t.encode())
            for row in conn.execute(f'select * from "{t}" order by rowid'):  # noqa: S608 - table names from sqlite_master
                h.update(repr(row).encode())
    finally:
        conn.close()
    return h.hexdigest()


def _write(path: Path, data: dict, run: dict, previous_runs: list[dict], snapshots: Path) -> dict[str, int]:
    db = sqlite_utils.Database(path)
    db.conn.execute("pragma journal_mode=off")
    db.conn.execute("pragma synchronous=off")
    obs: pl.DataFrame = data["observaties"]
    db["observaties"].create(
        {"gemeente_code": str, "indeling": int, "periode": str, "peildatum": str, "indicator": str, "waarde": float, "bron": str,
         "afgerond": int, "onderdrukt": int, "voorlopig": int, "synthetisch": int, "geharmoniseerd": int})
    _insert_rows(db, "observaties", obs)
    db["observaties"].create_index(["gemeente_code", "geharmoniseerd", "indicator"])
    db["observaties"].create_index(["indicator", "geharmoniseerd", "periode"])
    db["indicatoren"].insert_all(
        [{"id": i.id, "label": i.label, "eenheid": i.unit, "definitie": i.definition, "formule": i.formula.text() if i.formula else None,
          "bronnen": ", ".join(i.sources), "peildatum": i.peildatum, "thema": i.theme, "kanttekeningen": i.caveats}
         for i in metrics.REGISTRY.values()], pk="id")
    sums = {}
    for folder in snapshot_folders(snapshots):
        for line in (snapshots / folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
            digest, name = line.split(maxsplit=1)
            sums.setdefault(folder, []).append(f"{name}={digest}")
    db["bronnen"].insert_all(
        [{"id": s.id, "uitgever": s.publisher, "titel": s.title, "licentie": s.licence, "url": s.url, "snapshot": s.folder,
          "snapshot_sha256": hashlib.sha256(";".join(sums.get(s.folder, [])).encode()).hexdigest()} for s in data["sources"]],
        pk="id", replace=True)
    db["snapshot_bestanden"].insert_all(
        [{"snapshot": f, "bestand": e.split("=")[0], "sha256": e.split("=")[1]} for f, es in sorted(sums.items()) for e in es])
    db["herkomst"].create({"snapshot": str, "bestand": str, "tabel": str, "titel": str, "soort": str, "cbs_gewijzigd": str,
                           "opgehaald": str, "rijen": int, "sha256": str})
    db["herkomst"].insert_all(herkomst.rows(snapshots, snapshot_folders(snapshots)))
    for name in ("gemeente_jaar", "gemeente_kenmerken", "herindelingen"):
        _insert_frame(db, name, data[name])
    db["gemeente_jaar"].create_index(["gemeentecode", "jaar"], unique=True)
    rows = {t: db[t].count for t in db.table_names()}
    db["build_runs"].insert_all([*previous_runs, {**run, "rijen_per_tabel": json.dumps(rows, sort_keys=True),
                                                   "rijen_per_stap": json.dumps(data["stappen"], sort_keys=True)}])
    db.conn.commit()  # no VACUUM: a file written once into an empty database has no free pages to reclaim
    db.close()
    return rows


_SQL_TYPES = {pl.String: str, pl.Float64: float, pl.Int32: int, pl.Int64: int, pl.Boolean: int}


def _insert_rows(db: sqlite_utils.Database, name: str, frame: pl.DataFrame) -> None:
    cols = frame.columns
    db.conn.executemany(f"insert into {name} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})", frame.iter_rows())


def _insert_frame(db: sqlite_utils.Database, name: str, frame: pl.DataFrame) -> None:
    """A table with the frame's columns (the types sqlite-utils would give them) and its rows, inserted in one go (not
    row by row through sqlite-utils, which is slow for the gemeente tables)."""
    db[name].create({c: _SQL_TYPES[t.base_type()] for c, t in frame.schema.items()})
    _insert_rows(db, name, frame)


def _previous_runs(target: Path) -> list[dict]:
    if not target.exists():
        return []
    try:
        db = sqlite_utils.Database(sqlite3.connect(f"file:{target}?mode=ro", uri=True))
        return list(db["build_runs"].rows) if "build_runs" in db.table_names() else []
    except sqlite3.DatabaseError:
        return []


def validate_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        # quick_check reads every page and record like integrity_check, but does not compare each index with its table:
        # the indexes were made here by CREATE INDEX from those tables, so that comparison would only look for a SQLite bug
        if conn.execute("pragma quick_check").fetchone()[0] != "ok":
            raise BuildError([])
        for table in ("observaties", "indicatoren", "bronnen", "gemeente_jaar", "herindelingen", "build_runs"):
            if conn.execute(f'select count(*) from "{table}"').fetchone()[0] == 0:  # noqa: S608
                raise RuntimeError(f"tabel {table} is leeg in het nieuwe warehouse")
    finally:
        conn.close()


class BuildBusy(BuildError):
    """Another build of the same warehouse (or another `etl vernieuw` of the same snapshots) is running."""

    def __init__(self, lock: Path, holder: str, what: str = "databouw voor dit warehouse"):
        self.lock, self.holder, self.what = lock, holder, what
        super().__init__([], f"Er loopt al een {what} ({holder}). Wacht tot die klaar is en start dan zo nodig opnieuw. Het "
                             f"bestaande warehouse is niet gewijzigd. (Slot: {lock})")


@contextmanager
def build_lock(target: Path, lock: Path | None = None, what: str = "databouw voor dit warehouse") -> Iterator[None]:
    """Hold the exclusive lock `lock` (default: the build lock of `target`) or raise BuildBusy (see the module docstring)."""
    lock = lock or target.with_name(target.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "een ander proces"
            raise BuildBusy(lock, holder, what) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"proces {os.getpid()}, gestart {dt.datetime.now():%d-%m-%Y %H:%M:%S}".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def build(target: Path = WAREHOUSE, snapshots: Path = SNAPSHOTS, log: Log = print) -> Result:
    target.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(target):
        return _build(target, snapshots, log)


def _build(target: Path, snapshots: Path, log: Log) -> Result:
    t0 = time.perf_counter()
    for stale in target.parent.glob(target.name + ".bouw-*"):
        stale.unlink(missing_ok=True)  # left by an interrupted build; the real warehouse was never touched
    log(f"Bronnen lezen uit {snapshots} ...")
    data = collect(snapshots, log)
    warnings = sanity(data, log)
    tmp = target.with_name(f"{target.name}.bouw-{os.getpid()}")
    run = {"tijd": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "codeversie": code_version(),
           "snapshots_sha256": hashlib.sha256("".join(sorted(
               (snapshots / f / "SHA256SUMS").read_text(encoding="utf-8") for f in snapshot_folders(snapshots))).encode()).hexdigest(),
           "inhoud_sha256": ""}
    try:
        log("Warehouse schrijven ...")
        rows = _write(tmp, data, run, _previous_runs(target), snapshots)
        if os.environ.get("PORTAL_ETL_PAUSE_BEFORE_SWAP"):  # test hook: lets a test kill the build at this point
            time.sleep(float(os.environ["PORTAL_ETL_PAUSE_BEFORE_SWAP"]))
        validate_db(tmp)
        checksum = content_checksum(tmp)
        conn = sqlite3.connect(tmp)
        conn.execute("update build_runs set inhoud_sha256 = ? where rowid = (select max(rowid) from build_runs)", (checksum,))
        conn.commit()
        conn.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    log(f"Klaar in {nl_number(seconds, 1)} s: {target} ({nl_number(target.stat().st_size / 1e6, 1)} MB), inhoud-checksum {checksum[:16]}")
    return Result(target, checksum, rows, seconds, warnings)
