"""What the pages read: the open warehouse of the current build, the user database, and the computations on the warehouse
that pages share, each cached once per build (portal.ui.cache)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import polars as pl
import streamlit as st

from portal import benchmark, metrics, peers, views
from portal import funnel as funnel_mod
from portal import visitatie as vt
from portal.paths import settings
from portal.store import Warehouse, WarehouseMissing, WarehouseUnavailable
from portal.ui.cache import build_key, clear_all, per_build
from portal.userdata import UserData
from portal.ui.einde import stop_page

# The open warehouse per path, with the mtime of its build. A rebuild replaces the file (atomic rename): the next call opens
# the new build, clears every per-build cache and retires the old Warehouse; a retired one is closed (file and frames)
# GRACE_S seconds later, when page runs that picked it up before the swap have finished. Memory and open files thus stay
# flat however often the data is rebuilt while the portal runs (measured by `python3 dev.py bench herbouw`).
GRACE_S = 30.0
_held: dict[str, tuple[float, Warehouse]] = {}
_retired: list[tuple[float, Warehouse]] = []
_held_lock = threading.Lock()


def _warehouse(path: str, mtime: float) -> Warehouse:
    with _held_lock:
        now = time.monotonic()
        while _retired and now - _retired[0][0] >= GRACE_S:
            _retired.pop(0)[1].close()
        held = _held.get(path)
        if held and mtime <= held[0]:  # an older key from a run that started before the swap: the file holds the newest
            return held[1]
        wh = Warehouse(Path(path))  # raises WarehouseUnavailable (missing or damaged file)
        _held[path] = (mtime, wh)
        if held:
            _retired.append((now, held[1]))
            clear_all()
    return wh


def current() -> Warehouse:
    """The Warehouse of the current build (of the build being computed for, inside a per-build computation); raises
    FileNotFoundError or WarehouseUnavailable."""
    return _warehouse(*build_key())


def _open() -> tuple[Warehouse | None, str]:
    """The current build's Warehouse, or None and the Dutch message (missing or damaged) with how to rebuild it."""
    try:
        return current(), ""
    except FileNotFoundError:
        return None, WarehouseMissing(settings.warehouse).dutch()
    except WarehouseUnavailable as exc:
        return None, exc.dutch()


def warehouse_problem() -> str | None:
    """None when the warehouse can be read; otherwise the Dutch message (missing or damaged) with how to rebuild it."""
    return _open()[1] or None


def warehouse() -> Warehouse:
    """The read-only warehouse; reopened when a new build has replaced the file. Stops the page with a Dutch message when
    it is missing or damaged."""
    wh, problem = _open()
    if wh is None:
        st.error(problem)
        stop_page()
    return wh


def build_id() -> str:
    """Short id of the warehouse build (its content checksum), recorded in a shared link."""
    try:
        return str(current().last_build().get("inhoud_sha256") or "")[:10]
    except (FileNotFoundError, WarehouseUnavailable):
        return ""


def through_line() -> str:
    """'Cijfers tot en met: …' for the current data build (views.through_line, computed once per build); '' without a
    readable warehouse (the page itself says why)."""
    try:
        return _through_line()
    except (FileNotFoundError, WarehouseUnavailable):
        return ""


@per_build(max_entries=4)
def _through_line() -> str:
    return views.through_line(current())


@st.cache_resource(show_spinner=False)
def _userdata(path: str) -> UserData:
    return UserData(Path(path))


def userdata() -> UserData:
    return _userdata(str(settings.userdata))


def _obs(indeling: str) -> pl.DataFrame:
    return current().all_observations(indeling)


@per_build(max_entries=2, shared=True)
def features() -> peers.FeatureMatrix:
    return peers.FeatureMatrix.build(peers.feature_table(current()))


@per_build(max_entries=4, shared=True)
def _prep(indeling: str) -> benchmark.Prepared:
    """What the group statistics need for every gemeente, computed once per build (not per gemeente and group)."""
    parts = benchmark.rounding_parts(current()) if indeling == "nieuwste" else None
    return benchmark.Prepared(_obs(indeling), parts)


@per_build(max_entries=2, shared=True)
def default_groups() -> dict[str, list[str]]:
    return funnel_mod.default_groups(current(), features())


@per_build(max_entries=64, shared=True)
def signal_funnel(indicator: str, periode: str) -> funnel_mod.Funnel | None:
    """The funnel of one indicator and period for all gemeenten (portal.funnel), once per warehouse build."""
    indeling = "jaar" if metrics.get(indicator).rate else "nieuwste"
    return funnel_mod.build(_prep(indeling), indicator, periode, features(), default_groups())


@per_build(max_entries=64)
def caterpillar(indicator: str, periode: str, soort: str) -> pl.DataFrame:
    """Every gemeente against its expected value (its default referentiegroep, or its characteristics), sorted by the
    difference: portal.funnel.caterpillar, once per warehouse build."""
    f = signal_funnel(indicator, periode)
    return pl.DataFrame() if f is None else funnel_mod.caterpillar(f, soort, default_groups())


@per_build(max_entries=64)
def unknown_residence_note(indicator: str) -> str:
    """benchmark.unknown_residence_note, once per build."""
    return benchmark.unknown_residence_note(_prep("jaar"), indicator)


@per_build(max_entries=1024)
def group_series(indeling: str, code: str, members: list[str], ids: list[str]) -> pl.DataFrame:
    """benchmark.group_series on `indeling` ("jaar" or "nieuwste"), cached per warehouse build."""
    return benchmark.group_series(_prep(indeling), _prep("jaar"), code, list(members), list(ids))


@per_build(max_entries=256)
def ranking(indeling: str, indicator: str, periode: str, codes: list[str]) -> pl.DataFrame:
    """benchmark.ranking on `indeling` for Vergelijken's ranked view, cached per warehouse build."""
    names = dict(current().gemeenten().select("gemeentecode", "gemeentenaam").rows())
    return benchmark.ranking(_prep(indeling), indicator, periode, list(codes), names)


def implausible(indeling: str) -> pl.DataFrame:
    """The flows the source makes implausible (signals.implausible) on `indeling`, from the per-build preparation."""
    return _prep(indeling).bad


@per_build(max_entries=256)
def volume_at_group_density(indeling: str, code: str, members: list[str]) -> pl.DataFrame:
    return benchmark.volume_at_group_density(_prep(indeling), code, list(members))


@per_build(max_entries=256)
def pooled(indeling: str, codes: list[str], indicator: str) -> pl.DataFrame:
    return benchmark.pooled(_prep(indeling), list(codes), indicator)


@per_build(max_entries=256)
def reduction_potential(code: str, members: list[str], density_id: str) -> dict | None:
    """On the newest indeling; None without a group."""
    return benchmark.reduction_potential(_prep("nieuwste"), code, list(members), density_id) if members else None


@per_build(max_entries=256)
def decomposition(code: str, members: list[str], periode: str) -> dict | None:
    """On the newest indeling; None without a group."""
    return benchmark.decomposition(_obs("nieuwste"), code, list(members), periode) if members else None


@per_build(max_entries=64)
def change(indicator: str, van: str, tot: str, min_base: float) -> pl.DataFrame:
    return benchmark.change(_obs("nieuwste"), indicator, van, tot, min_base)


@per_build(max_entries=64)
def funnel(density_id: str, periode: str) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    return benchmark.funnel(_obs("nieuwste"), density_id, periode)


@per_build(max_entries=512)
def periods(indeling: str, indicator: str, local: bool = False) -> list[str]:
    """The periods with a value of `indicator` (local: for a gemeente, not only for Nederland), in time order."""
    obs = _obs(indeling)
    return views.periods(obs.filter(pl.col("gemeente_code") != "NL01") if local else obs, indicator)


@per_build(max_entries=4)
def national_views() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The national monthly/quarterly series, the yearly volume sums and the quarterly flows of the Landelijk overzicht."""
    own = _obs("jaar")
    return views.national_series(own), views.yearly_volume(own), views.national_flows(own)


@per_build(max_entries=64)
def distribution(density_id: str, year: str) -> pl.DataFrame:
    wh = current()
    names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
    return views.distribution(_obs("nieuwste"), wh.kenmerken(peers.CLASS_YEAR), density_id, year, names)


@per_build(max_entries=16)
def wdeel(indicator: str, year: str) -> pl.DataFrame:
    """The W-deel proxy per size class as the Landelijk table."""
    sizes = current().kenmerken(peers.CLASS_YEAR).filter(pl.col("kenmerk") == "gemeentegrootte")
    return views.wdeel_table(benchmark.wdeel_by_class(_obs("nieuwste"), sizes, indicator, year))


@per_build(max_entries=4)
def local_indicators(indeling: str) -> list[str]:
    """Registry indicators with figures per gemeente on `indeling`, in registry order."""
    present = set(_obs(indeling).filter(pl.col("gemeente_code") != "NL01")["indicator"].unique())
    return [i for i in metrics.REGISTRY if i in present]


@per_build(max_entries=64)
def map_data(indicator: str, year: str) -> tuple[pl.DataFrame, int, dict[str, str]]:
    """The Kaart's figures for one period, the indeling they use and its gemeente names."""
    wh, own = current(), _obs("jaar")
    indeling = views.map_indeling(own, indicator, year)
    names = dict(wh.gemeenten(indeling).select("gemeentecode", "gemeentenaam").rows())
    return views.map_values(own, indicator, year, indeling, names), indeling, names


@per_build(max_entries=64)
def live_foto(code: str, members: list[str], groep_naam: str) -> dict:
    """The cijfermatige foto from the current warehouse (cached per build)."""
    wh = current()
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("jaar"), code, wh.name(code), list(members),
                        groep_naam, wh.newest_indeling, wh.last_build(), trechter=signal_funnel)
