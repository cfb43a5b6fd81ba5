"""Computations cached once per warehouse build: `@per_build(max_entries=…)` instead of a cached function with the build
as its first argument and a wrapper that passes the current one.

A build is the warehouse file's path and mtime: a rebuild replaces the file (new mtime), so nothing computed from the old
build is served again, and the first page run that opens the new build empties every per-build cache at once
(clear_all, called from portal.ui.data)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

import streamlit as st

from portal.paths import settings

Build = tuple[str, float]  # the warehouse's path and mtime


class Clearable(Protocol):
    def clear(self) -> None: ...


_caches: list[Clearable] = []  # every per-build cache; clear_all empties them together
# The build a cached computation is running for: the per-build functions it calls use the same one, also when the file is
# replaced halfway through.
_computing: ContextVar[Build | None] = ContextVar("computing", default=None)


def build_key() -> Build:
    """The build the page reads now, or the one being computed for (raises FileNotFoundError without a warehouse)."""
    if (build := _computing.get()) is not None:
        return build
    path = settings.warehouse
    return str(path), path.stat().st_mtime


def per_build(max_entries: int | None = None, shared: bool = False) -> Callable[[Callable], Callable]:
    """Cache a function once per warehouse build and argument values (st.cache_data: each caller gets its own copy; with
    `shared` st.cache_resource: one object for all sessions, for results that are read only). The function itself reads
    the build's warehouse through portal.ui.data."""

    def decorate(fn: Callable) -> Callable:
        def compute(build: Build, *args):
            token = _computing.set(build)
            try:
                return fn(*args)
            finally:
                _computing.reset(token)

        compute.__name__ = compute.__qualname__ = fn.__name__  # Streamlit keys a cache on the function's name and code
        compute.__module__ = fn.__module__
        cache = st.cache_resource if shared else st.cache_data
        cached = cache(show_spinner=False, max_entries=max_entries)(compute)
        register(cached)
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)  # one cache entry however the arguments are passed
            bound.apply_defaults()
            return cached(build_key(), *bound.args)

        return call

    return decorate


def register(cache: Clearable) -> None:
    """Something else kept per build (e.g. the finished chart specs) that a new build must empty."""
    _caches.append(cache)


def clear_all() -> None:
    """Drop everything computed from a replaced build (called once per new build)."""
    for cache in _caches:
        cache.clear()
