"""Read-only access to the warehouse: parametrised queries returning polars frames. No Streamlit here."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from portal.paths import SNAPSHOTS, settings
from portal.derive import OBS_SCHEMA, derive
from portal.fouten import DutchError
from portal.indeling import NATIONAL, compose, harmonise, is_gemeente_code
from portal.metrics import REGISTRY



# The two indelingen every figure is kept on: JAAR = on the boundaries of the figure's own year, as published;
# NIEUWSTE = harmonised onto the newest indeling. JAAR was once called "eigen", a word that now means only a gemeente's
# own client file; the old name is still taken (a link with ?indeling=eigen opens JAAR, see portal.ui.indeling_picker).
JAAR, NIEUWSTE = "jaar", "nieuwste"
INDELINGEN = (JAAR, NIEUWSTE)
OLD_NAMES = {"eigen": JAAR}

TABLES = ("observaties", "indicatoren", "bronnen", "gemeente_jaar", "gemeente_kenmerken", "herindelingen", "build_runs")
REBUILD = "Bouw het (opnieuw) met `python3 dev.py etl build`; gebruikersgegevens (visitaties, groepen) blijven bewaard."


class WarehouseUnavailable(DutchError):
    """The warehouse cannot be used: `dutch()` says why and how to rebuild it (`path` names the file)."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"De cijfers zijn nu niet beschikbaar: {reason}. {REBUILD}")
        self.path, self.reason = str(path), reason


class WarehouseMissing(WarehouseUnavailable):
    """The warehouse file does not exist yet (build it first)."""

    def __init__(self, path: Path | str):
        super().__init__(path, "er is nog geen datawarehouse")


class WarehouseDamaged(WarehouseUnavailable):
    """The file exists but is not a complete warehouse (truncated, overwritten, another database)."""

    def __init__(self, path: Path | str, what: str):
        super().__init__(path, f"het datawarehouse is beschadigd of onvolledig ({what})")


def probe(conn: sqlite3.Connection, path: Path) -> None:
    """Cheap integrity probe of an opened warehouse (about 0,1 s for 45 MB, once per build and process): our tables, a
    file as long as SQLite's header says, `pragma quick_check` and a finished build. Raises WarehouseDamaged."""
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        missing = [t for t in TABLES if t not in names]
        if missing:
            raise WarehouseDamaged(path, "tabel(len) " + ", ".join(missing) + " ontbreken")
        pages, size = conn.execute("pragma page_count").fetchone()[0], conn.execute("pragma page_size").fetchone()[0]
        if path.stat().st_size < pages * size:
            raise WarehouseDamaged(path, "het bestand is afgekapt")
        if conn.execute("pragma quick_check").fetchone()[0] != "ok":
            raise WarehouseDamaged(path, "de integriteitscontrole van SQLite faalt")
        if conn.execute("select count(*) from build_runs where inhoud_sha256 != ''").fetchone()[0] == 0:
            raise WarehouseDamaged(path, "er staat geen voltooide databouw in")
    except sqlite3.DatabaseError as exc:
        raise WarehouseDamaged(path, "geen leesbaar SQLite-bestand") from exc


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking a gemeente code against an indeling."""

    ok: bool
    message: str = ""
    successors: tuple[str, ...] = ()


class Warehouse:
    def __init__(self, path: Path | None = None):
        path = path or settings.warehouse
        if not path.exists():
            raise WarehouseMissing(str(path))
        self.path = path
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            probe(self.conn, path)
        except WarehouseDamaged:
            self.conn.close()
            raise
        self._all: dict[str, pl.DataFrame] = {}
        self._kenmerken: dict[int, pl.DataFrame] = {}
        self._boundaries: dict[int, dict | None] = {}

    def close(self) -> None:
        """Close the file and drop the frames held in memory (the portal does this for a build that was replaced)."""
        self._all.clear()
        self._kenmerken.clear()
        self._boundaries.clear()
        self.__dict__.pop("newest_indeling", None)
        self.__dict__.pop("indelingen", None)
        self.conn.close()

    def query(self, sql: str, params: tuple = ()) -> pl.DataFrame:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        frame = pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
        casts = {c: t for c, t in {**OBS_SCHEMA, "geharmoniseerd": pl.Boolean}.items() if c in names}
        return frame.cast(casts) if "indicator" in names and "waarde" in names else frame  # type: ignore[arg-type]

    @cached_property
    def newest_indeling(self) -> int:
        return int(self.conn.execute("select max(jaar) from gemeente_jaar").fetchone()[0])

    @cached_property
    def indelingen(self) -> list[int]:
        """Indelingen for which the warehouse holds data on a gemeente's own boundaries."""
        rows = self.conn.execute("select distinct indeling from observaties where indeling > 0 and geharmoniseerd = 0 order by 1")
        return [r[0] for r in rows]

    def gemeenten(self, jaar: int | None = None) -> pl.DataFrame:
        """Active gemeenten on 1 January of `jaar` (default: the newest), sorted by name."""
        jaar = jaar or self.newest_indeling
        return self.query("select gemeentecode, gemeentenaam, provincienaam from gemeente_jaar where jaar = ? order by gemeentenaam", (jaar,))

    def name(self, code: str) -> str:
        row = self.conn.execute("select gemeentenaam from gemeente_jaar where gemeentecode = ? order by jaar desc limit 1", (code,)).fetchone()
        return row[0] if row else code

    def check_code(self, code: str, jaar: int | None = None) -> CodeCheck:
        """Is `code` a gemeente in indeling `jaar`? If it was merged away, name its successor(s)."""
        jaar = jaar or self.newest_indeling
        if not is_gemeente_code(code):
            return CodeCheck(False, f"'{code}' is geen geldige gemeentecode (verwacht: GM gevolgd door vier cijfers, bijv. GM0363).")
        if self.conn.execute("select 1 from gemeente_jaar where gemeentecode = ? and jaar = ?", (code, jaar)).fetchone():
            return CodeCheck(True)
        last = self.conn.execute("select max(jaar), gemeentenaam from gemeente_jaar where gemeentecode = ?", (code,)).fetchone()
        if last[0] is None:
            return CodeCheck(False, f"Gemeentecode {code} is onbekend: die code heeft sinds 1990 geen gemeente gehad.")
        mapping = compose(self.herindelingen(), {code}, int(last[0]), jaar)
        succ = tuple(mapping.sort("gewicht", descending=True)["naar_code"])
        names = ", ".join(f"{self.name(s)} ({s})" for s in succ)
        return CodeCheck(False, f"{last[1]} ({code}) bestaat niet meer in de indeling van {jaar}: de gemeente is opgegaan in {names}.", succ)

    def all_observations(self, indeling: str) -> pl.DataFrame:
        """Every observation on its year's boundaries ("jaar") or on the newest indeling ("nieuwste"), held in memory."""
        indeling = OLD_NAMES.get(indeling, indeling)
        if indeling not in INDELINGEN:
            raise ValueError(f"onbekende indeling {indeling!r} (kan zijn: {', '.join(INDELINGEN)})")
        if indeling not in self._all:
            self._all[indeling] = self.query(
                "select * from observaties where geharmoniseerd = ?", (0 if indeling == JAAR else 1,)
            ).drop("geharmoniseerd")
        return self._all[indeling]

    def kenmerken(self, jaar: int) -> pl.DataFrame:
        """Classes and regions per gemeente (gemeentegrootte, stedelijkheid, provincie, ...) as published for `jaar`."""
        if jaar not in self._kenmerken:
            self._kenmerken[jaar] = self.query("select gemeentecode, kenmerk, code, waarde, bron from gemeente_kenmerken where jaar = ?", (jaar,))
        return self._kenmerken[jaar]

    def herindelingen(self) -> pl.DataFrame:
        return self.query("select indeling_jaar, oude_code, nieuwe_code, soort, gewicht, gewicht_bron from herindelingen")

    def boundary_changes(self, code: str) -> pl.DataFrame:
        """Herindelingen in which `code` received (part of) another gemeente, with the year it took effect."""
        return self.query(
            "select indeling_jaar, datum, oude_code, soort from herindelingen where nieuwe_code = ? and oude_code != ? order by indeling_jaar",
            (code, code),
        )

    def observations(self, code: str, indicators: list[str], indeling: str | int = NIEUWSTE) -> pl.DataFrame:
        """Observations of one gemeente (plus nothing else) for the given indicators.

        indeling: "jaar" = each figure on its own year's boundaries; "nieuwste" = harmonised onto the newest indeling
        (precomputed); an int = harmonised onto that indeling (computed here from the herindeling steps).
        """
        marks = ",".join("?" * len(indicators))
        indeling = OLD_NAMES.get(indeling, indeling)
        if indeling in INDELINGEN or indeling == self.newest_indeling:
            harm = 0 if indeling == JAAR else 1
            return self.query(
                f"select * from observaties where gemeente_code = ? and geharmoniseerd = ? and indicator in ({marks})"  # noqa: S608
                " order by indicator, periode",
                (code, harm, *indicators),
            )
        return self.harmonised(int(indeling), indicators).filter(pl.col("gemeente_code") == code)

    def harmonised(self, target: int, indicators: list[str]) -> pl.DataFrame:
        """All gemeenten on indeling `target`: base indicators summed over the herindelingen, derived ones recomputed."""
        wanted = [REGISTRY[i] for i in indicators]
        base = sorted({i.id for i in wanted if i.base} | {x for i in wanted if i.formula for x in i.formula.inputs()})
        marks = ",".join("?" * len(base))
        obs = self.query(f"select * from observaties where geharmoniseerd = 0 and indicator in ({marks})", tuple(base))  # noqa: S608
        steps = self.herindelingen()
        active = {y: set(self.gemeenten(y)["gemeentecode"]) for y in obs["indeling"].unique() if 0 < y <= target}
        mappings = {y: compose(steps, codes, y, target) for y, codes in active.items()}
        h = harmonise(obs.drop("geharmoniseerd"), mappings, target)
        return pl.concat([h, derive(h)]).filter(pl.col("indicator").is_in(indicators))

    def national(self, indicators: list[str]) -> pl.DataFrame:
        marks = ",".join("?" * len(indicators))
        return self.query(
            f"select * from observaties where gemeente_code = ? and geharmoniseerd = 0 and indicator in ({marks}) order by periode",  # noqa: S608
            (NATIONAL, *indicators),
        )

    def boundaries(self, year: int) -> dict | None:
        """Gemeente boundaries (TopoJSON, CBS/Kadaster generalised) of the indeling of 1 January `year`; None if not shipped."""
        if year not in self._boundaries:
            path = SNAPSHOTS / "geo_gemeentegrenzen" / f"gemeente_{year}.topojson"
            self._boundaries[year] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        return self._boundaries[year]

    def sources(self) -> pl.DataFrame:
        return self.query("select * from bronnen order by id")

    def herkomst(self) -> pl.DataFrame:
        """Origin of every data file of every snapshot the build read (table `herkomst`); empty for an older warehouse."""
        if not self.conn.execute("select 1 from sqlite_master where type = 'table' and name = 'herkomst'").fetchone():
            return pl.DataFrame(schema={"snapshot": pl.String, "bestand": pl.String, "tabel": pl.String, "titel": pl.String,
                                        "soort": pl.String, "cbs_gewijzigd": pl.String, "opgehaald": pl.String,
                                        "rijen": pl.Int64, "sha256": pl.String})
        return self.query("select snapshot, bestand, tabel, titel, soort, cbs_gewijzigd, opgehaald, rijen, sha256 from herkomst "
                          "order by soort = 'meegeleverd', snapshot, bestand")

    def last_build(self) -> dict:
        row = self.query("select * from build_runs order by rowid desc limit 1")
        return row.row(0, named=True) if row.height else {}
