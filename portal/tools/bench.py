"""Benchmark figures (printed, not asserted): build time, warehouse size, one-gemeente fetch warm and cold, warm page
reruns, the nearest-neighbour search, and time to first chart in headless Chromium against a bare Streamlit page.

Run with `python3 dev.py bench`. Targets: build <= 20 s; all indicators of one gemeente on the newest indeling <= 20 ms
warm (issue 2); warm rerun of each page <= 150 ms; nearest neighbours <= 20 ms; time to first chart <= 1.5 x the bare
page (issue 3).

`python3 dev.py bench herbouw [N]`: open files and memory over N rebuilds while a session reads (issue 11; flat).
`python3 dev.py bench belasting [--processen 2]`: twenty simultaneous Gemeenteprofiel sessions against a Streamlit
server, p50/p95/max (portal/tools/loadclient.py; issue 11: p95 <= 3 s on 2 cores).
`python3 dev.py bench eigen-upload [N]`: upload, mapping, validation and pseudonymisation of N (1 000 000) spell rows
from a CSV (portal/tools/bench_upload.py; issue 13: <= 15 s).
`python3 dev.py bench eigen-laden [N [R]]`: store an upload of N (1 000 000) spell rows, then the page's first load of it
in a fresh process (R times), seconds and peak memory (portal/tools/bench_upload.py; issue 22: <= 2 s and <= 1 GB).
`python3 dev.py bench signalen`: the funnel verdicts of issue 20 for the default groups (10 most similar gemeenten):
counts before and after, τ per size band and of the kenmerken model, and how many verdicts change when one neighbour
is dropped or k is 8, 12 or 15 (target: at most 5 %), with the G4 and G40 whose colour changed.
`python3 dev.py bench bus [N]`: twelve monthly BUS files of about N (35 000) records each, in a zip, uploaded as the
page does (portal/tools/bench_bus.py; issue 22: <= 10 s).
`python3 dev.py bench eigen [N]`: all own-file monitors over N (default 5 000 000) synthetic spells, time and peak
memory in a fresh process (issue 13: <= 3 s and <= 2 GB on 2 cores).
`python3 dev.py bench rendement [N]`: the rendementmeters over N (1 000 000) simulated SRG voorzieningen with their BUS
spells (portal/tools/bench_rendement.py; issue 22: <= 5 s).
`python3 dev.py bench prognose [N]`: the own-file volume prognosis with its backtest over N (5 000 000) synthetic spells
(portal/tools/bench_prognose.py; issue 22: <= 2 s) and the backtest of the national monthly series 37789ksz.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from etl.build import build
from portal import metrics, peers
from portal.nl import nl_number
from portal.paths import ROOT, WAREHOUSE
from portal.serve import free_port, wait_healthy
from portal.store import Warehouse

PAGES = [("profiel", {"gemeente": "GM0363"}), ("referentiegroep", {"gemeente": "GM0363"}),
         ("gemeente", {"gemeente": "GM0363"}), ("vergelijken", {"gemeente": "GM0363"}), ("landelijk", {}), ("kaart", {}),
         ("bronnen", {}), ("visitatie", {"gemeente": "GM0363"}), ("eigen_bestand", {"gemeente": "GM0363"})]
BARE = """
import altair as alt
import pandas as pd
import streamlit as st

st.title("Kale pagina")
st.altair_chart(alt.Chart(pd.DataFrame({"jaar": range(2000, 2025), "waarde": range(25)})).mark_line().encode(x="jaar:Q", y="waarde:Q"))
"""
CHART = ".vega-embed svg.marks, .vega-embed canvas"

COLD = """
import sys, time
t0 = time.perf_counter()
from portal.store import Warehouse
from portal import metrics
wh = Warehouse(__import__('pathlib').Path(sys.argv[1]))
obs = wh.observations('GM0363', list(metrics.REGISTRY), 'nieuwste')
print(time.perf_counter() - t0, obs.height)
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["herbouw"]:
        return rebuild_while_serving(int(argv[1]) if len(argv) > 1 else 6)
    if argv[:1] == ["inloggen"]:
        return login_timing()
    if argv[:1] == ["eigen-upload"]:
        from portal.tools.bench_upload import eigen_upload

        return eigen_upload(int(argv[1]) if len(argv) > 1 else 1_000_000)
    if argv[:1] == ["eigen-laden"]:  # issue 22: the first load of the page for a stored upload
        from portal.tools.bench_upload import eigen_laden

        return eigen_laden(int(argv[1]) if len(argv) > 1 else 1_000_000, int(argv[2]) if len(argv) > 2 else 1)
    if argv[:1] == ["signalen"]:
        return signalen()
    if argv[:1] == ["bus"]:
        from portal.tools.bench_bus import bench_bus

        return bench_bus(int(argv[1]) if len(argv) > 1 else 35_000)
    if argv[:1] == ["eigen"]:
        return eigen_monitors(int(argv[1]) if len(argv) > 1 else 5_000_000)
    if argv[:1] == ["rendement"]:  # issue 22 part 4: the rendementmeters over 1 000 000 voorzieningen
        from portal.tools.bench_rendement import bench_rendement

        return bench_rendement(int(argv[1]) if len(argv) > 1 else 1_000_000)
    if argv[:1] == ["prognose"]:  # issue 22 part 3: the volume prognosis with its backtest
        from portal.tools.bench_prognose import prognose

        return prognose(int(argv[1]) if len(argv) > 1 else 5_000_000)
    if argv[:1] == ["eerste-grafiek"]:  # issue 24: only the time to first chart, optionally against another checkout
        return first_chart_cli(argv[1:])
    if argv[:1] == ["belasting"]:
        from portal.tools.loadclient import main as load_main

        return load_main(argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "warehouse.db"
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            build(target, log=lambda _: None)
            times.append(time.perf_counter() - t0)
        print(f"Volledige databouw uit de snapshots: mediaan {statistics.median(times):.2f} s (3 runs: "
              + ", ".join(f"{t:.2f}" for t in times) + ") — doel ≤ 20 s")
        print(f"Grootte warehouse: {target.stat().st_size / 1e6:.1f} MB")
        ids = list(metrics.REGISTRY)
        wh = Warehouse(target)
        wh.observations("GM0363", ids, "nieuwste")
        warm = []
        for code in ("GM0363", "GM0014", "GM1979", "GM0080", "GM0855") * 20:
            t0 = time.perf_counter()
            wh.observations(code, ids, "nieuwste")
            warm.append((time.perf_counter() - t0) * 1000)
        print(f"Alle {len(ids)} indicatoren van één gemeente, nieuwste indeling, warm: mediaan {statistics.median(warm):.2f} ms, "
              f"max {max(warm):.2f} ms over 5 gemeenten × 20 — doel ≤ 20 ms")
        cold = []
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", COLD, str(target)], cwd=ROOT, capture_output=True, text=True, check=True)
            cold.append(float(out.stdout.split()[0]) * 1000)
        print(f"Koud (nieuw proces: imports + openen + ophalen): mediaan {statistics.median(cold):.0f} ms")
        t0 = time.perf_counter()
        wh.observations("GM0363", ids, 2019)
        print(f"Zelfde gemeente op een gekozen oudere indeling (2019, ter plekke herrekend): {(time.perf_counter() - t0) * 1000:.0f} ms")
        fm = peers.FeatureMatrix.build(peers.feature_table(wh))
        knn = []
        for code in ("GM0363", "GM0014", "GM1979", "GM0080", "GM0855") * 20:
            t0 = time.perf_counter()
            peers.resolve(wh, fm, peers.GroupSpec(), code)
            knn.append((time.perf_counter() - t0) * 1000)
        print(f"Referentiegroep van 10 meest gelijkende gemeenten (zoeken + samenstellen): mediaan {statistics.median(knn):.2f} ms, "
              f"max {max(knn):.2f} ms over 5 gemeenten × 20 — doel ≤ 20 ms")
        visitatie(wh, fm, Path(tmp))
    login_timing()
    if not WAREHOUSE.exists():
        build(WAREHOUSE, log=lambda _: None)
    page_reruns()
    first_chart()
    return 0


SIGNAL_CASES = (("dichtheid_uitkeringen_totaal", "2024"), ("dichtheid_tot_aow_incl_gerelateerd", "2021"))


def signalen() -> int:
    """Issue 20: verdicts from a funnel with overdispersion, and how stable they are (printed, not asserted)."""
    from collections import Counter

    from portal import benchmark as bm
    from portal import funnel

    if not WAREHOUSE.exists():
        build(WAREHOUSE, log=lambda _: None)
    wh = Warehouse(WAREHOUSE)
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    prep = bm.Prepared(wh.all_observations("nieuwste"), bm.rounding_parts(wh))
    t0 = time.perf_counter()
    groups = funnel.default_groups(wh, fm)
    by_k = {k: {c: peers.resolve(wh, fm, peers.GroupSpec(k=k), c).members for c in fm.codes} for k in (8, 12, 15)}
    g40 = set(wh.kenmerken(peers.CLASS_YEAR).filter(pl.col("kenmerk") == "g40")["gemeentecode"])
    for indicator, periode in SIGNAL_CASES:
        f = funnel.build(prep, indicator, periode, fm, groups)
        print(f"\n{metrics.get(indicator).label}, {periode} ({f.table.height} gemeenten; trechter gebouwd in "
              f"{time.perf_counter() - t0:.1f} s met de standaardgroepen)")
        print("Overdispersie (Spiegelhalter 2005, additief, z-scores gewinsoriseerd op P10/P90), elke gemeente tegen de "
              "gepoolde waarde van haar eigen 10 meest gelijkende gemeenten, per grootteband:")
        for _, _, b in funnel.BANDS:
            if b in f.tau2_band:
                print(f"  {b}: τ = {f.tau2_band[b] ** 0.5:.2f}, φ = {f.phi_band[b]:.1f}, n = {f.n_band[b]}")
        if f.model:
            print(f"  Kenmerkenmodel (gewogen kleinste kwadraten, 7 kenmerken + constante, alle gemeenten): τ = "
                  f"{f.model['tau2'] ** 0.5:.2f}, φ = {f.model['phi']:.1f}, n = {f.model['n']}")
        old, new, model = funnel.quartile_verdicts(f, groups), funnel.verdicts(f, groups), funnel.verdicts(f, groups, "kenmerken")
        print("Oordelen vóór (P25–P75-regel):", dict(Counter(old.values())))
        print("Oordelen na (trechter, referentiegroep):", dict(Counter(new.values())))
        print("Oordelen na (trechter, kenmerken):", dict(Counter(model.values())))
        both = sum(1 for c in new if funnel.signal(new[c]) and funnel.signal(new[c]) == funnel.signal(model.get(c)))
        print(f"Gekleurd vóór: {sum(1 for v in old.values() if funnel.signal(v))}; na: {sum(1 for v in new.values() if funnel.signal(v))} "
              f"(100 % buiten de 95 %-trechter, per constructie); in beide verwachtingen dezelfde kant: {both}")
        pairs = changed = signal_pairs = 0
        worst = 0
        for c, m in groups.items():
            if c not in new:
                continue
            flips = [funnel.position(f, c, f.group(c, [x for x in m if x != d])) != new[c] for d in m]
            sflips = [funnel.signal(funnel.position(f, c, f.group(c, [x for x in m if x != d]))) != funnel.signal(new[c]) for d in m]
            pairs, changed, signal_pairs, worst = pairs + len(m), changed + sum(flips), signal_pairs + sum(sflips), worst + any(flips)
        print(f"Eén buur weglaten (elk van de 10, {pairs} keer): oordeel anders in {changed / pairs:.1%} (kleur anders in "
              f"{signal_pairs / pairs:.1%}); gemeenten waarbij minstens één weggelaten buur iets verandert: {worst / len(new):.1%} "
              "— doel ≤ 5 %")
        old_pairs = old_changed = old_worst = 0  # the same measure for the P25–P75 rule, for comparison
        for c, m in groups.items():
            if c not in old:
                continue
            flips = [funnel.quartile_verdicts(f, {c: [x for x in m if x != d]}).get(c) != old[c] for d in m]
            old_pairs, old_changed, old_worst = old_pairs + len(m), old_changed + sum(flips), old_worst + any(flips)
        print(f"  ter vergelijking, de P25–P75-regel: oordeel anders in {old_changed / old_pairs:.1%}; gemeenten waarbij minstens "
              f"één weggelaten buur iets verandert: {old_worst / len(old):.1%}")
        for k, gk in by_k.items():
            vk = funnel.verdicts(f, gk)
            qk = funnel.quartile_verdicts(f, gk)
            dq = sum(1 for c in old if qk.get(c) != old[c])
            print(f"  ter vergelijking, de P25–P75-regel met k = {k}: oordeel anders bij {dq} gemeenten ({dq / len(old):.1%})")
            d = sum(1 for c in new if vk.get(c) != new[c])
            ds = sum(1 for c in new if funnel.signal(vk.get(c)) != funnel.signal(new[c]))
            print(f"k = {k} in plaats van 10: oordeel anders bij {d} gemeenten ({d / len(new):.1%}), kleur anders bij {ds} "
                  f"({ds / len(new):.1%}) — doel ≤ 5 %")
        print("G4 en G40 waarvan de kleur veranderde (vóór → na; waarde, verwachting groep [95 %-grenzen]):")
        for c in sorted(set(peers.G4) | g40, key=lambda c: fm.names.get(c, c)):
            if c in new and funnel.signal(old.get(c)) != funnel.signal(new[c]):
                e, r = f.group(c, groups[c]), f.row(c)
                print(f"  {fm.names[c]}: {old.get(c)} → {new[c]}; {r['waarde']:.1f}, verwacht {e.waarde:.1f} [{e.lo:.1f}–{e.hi:.1f}]")
    return 0


def login_timing() -> None:
    """A wrong password for a known name against an unknown name, interleaved: equal work, so equal time (issue 11)."""
    from portal.userdata import UserData

    with tempfile.TemporaryDirectory() as tmp:
        ud = UserData(Path(tmp) / "userdata.db")
        ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
        times: dict[str, list[float]] = {"bekende naam": [], "onbekende naam": []}
        for i in range(8):
            for label, naam in (("bekende naam", "anna"), ("onbekende naam", f"niemand{i}")):
                with ud._db(write=True) as db:  # the throttle would refuse after five: time the check itself
                    db.execute("delete from inlogpogingen")
                t0 = time.perf_counter()
                ud.login(naam, "fout-wachtwoord")
                times[label].append((time.perf_counter() - t0) * 1000)
        ratios = [a / b for a, b in zip(times["bekende naam"], times["onbekende naam"])]
        print("Inloggen met fout wachtwoord: " + ", ".join(f"{k} mediaan {statistics.median(v):.0f} ms" for k, v in times.items())
              + f"; verhouding mediaan {statistics.median(ratios):.2f} (8 paren) — doel ≈ 1")


def visitatie(wh: Warehouse, fm: peers.FeatureMatrix, tmp: Path) -> None:
    """Foto and PDF report for one visitatie (Amsterdam, 10 nearest peers, 20 notes and 6 findings), warm."""
    from portal import rapport
    from portal import visitatie as vt
    from portal.userdata import UserData

    group = peers.resolve(wh, fm, peers.GroupSpec(), "GM0363")
    obs, own = wh.all_observations("nieuwste"), wh.all_observations("jaar")
    foto_ms, pdf_s = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        foto = vt.make_foto(obs, own, "GM0363", "Amsterdam", group.members, group.label(), wh.newest_indeling, wh.last_build())
        foto_ms.append((time.perf_counter() - t0) * 1000)
    ud = UserData(tmp / "user.db")
    vid = ud.create_visitatie("bench", "GM0363", "Visitatie Amsterdam", "2026", {"naam": group.label(), "leden": group.members})
    for n in range(20):
        ud.add_item(vid, "bench", vt.NOTITIE_SOORTEN[n % 4], f"Waarneming {n} " + "tekst " * 40, thema=vt.DEFAULT_THEMAS[n % 13],
                    indicator=vt.KERN[n % len(vt.KERN)].id if n % 3 == 0 else None)
    for n in range(6):
        ud.add_item(vid, "bench", vt.BEVINDING_SOORTEN[n % 2], f"Bevinding {n} " + "tekst " * 30, thema="Focus", prioriteit="hoog")
    ud.advance_status(vid, 1, "bench", foto)
    names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
    for _ in range(5):
        t0 = time.perf_counter()
        pdf = rapport.build_pdf(ud.visitatie(vid), foto, ud.items(vid), names)
        pdf_s.append(time.perf_counter() - t0)
    print(f"Cijfermatige foto ({len(vt.KERN)} kernindicatoren, gemeente + 10 referentiegemeenten + NL): mediaan {statistics.median(foto_ms):.0f} ms, "
          f"max {max(foto_ms):.0f} ms (5 runs)")
    print(f"PDF-rapport (20 notities, 6 bevindingen, {len(pdf) // 1024} kB): mediaan {statistics.median(pdf_s):.2f} s, "
          f"max {max(pdf_s):.2f} s (5 runs) — doel < 3 s")


WRAPPER = """
import runpy, time
import streamlit as st
t0 = time.perf_counter()
runpy.run_path({app!r}, run_name="__main__")
st.session_state["bench_ms"] = (time.perf_counter() - t0) * 1000
"""


def page_reruns() -> None:
    """Warm rerun of every page, timed inside the script run (what the server executes, without AppTest's own parsing
    of the result); AppTest's whole round trip is printed for reference. Caches are filled by a first run."""
    from streamlit.testing.v1 import AppTest

    wrapper = ROOT / "pages" / "_bench_app.py"  # beside the entry point, so page paths resolve the same way
    wrapper.write_text(WRAPPER.format(app=str(ROOT / "pages" / "app.py")))
    try:
        for name, params in PAGES:
            at = AppTest.from_file(str(wrapper), default_timeout=120)
            for k, v in params.items():
                at.query_params[k] = v
            at.switch_page(f"{name}.py")
            at.run()
            script, total = [], []
            for _ in range(7):
                t0 = time.perf_counter()
                at.run()
                total.append((time.perf_counter() - t0) * 1000)
                script.append(at.session_state["bench_ms"])
            print(f"Warme herhaling pagina {name:<16} script mediaan {statistics.median(script):5.0f} ms, max {max(script):5.0f} ms; "
                  f"met AppTest-verwerking {statistics.median(total):5.0f} ms (7 runs) — doel ≤ 100 ms")
    finally:
        wrapper.unlink(missing_ok=True)


def _serve(script: Path, port: int, root: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=root, env=dict(os.environ, PYTHONPATH=str(root)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _load() -> str:
    return "belasting " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


PROFILE_URL = "/profiel?gemeente=GM0363&rg=knn&k=10"


def first_chart_cli(argv: list[str]) -> int:
    """`bench eerste-grafiek [--rondes N] [--poort P] [--vergelijk MAP]`: only the time to first chart. --vergelijk adds
    the profile of another checkout (e.g. a git worktree of an earlier commit) to the same interleaved rounds, so before
    and after are measured on the same load."""
    import argparse

    ap = argparse.ArgumentParser(prog="dev.py bench eerste-grafiek")
    ap.add_argument("--rondes", type=int, default=7, help="gemeten rondes (plus één om op te warmen)")
    ap.add_argument("--poort", type=int, default=0, help="eerste van de opeenvolgende poorten (standaard: vrije poorten)")
    ap.add_argument("--vergelijk", type=Path, action="append", default=[],
                    help="map van een andere checkout om afwisselend mee te meten (mag vaker)")
    args = ap.parse_args(argv)
    first_chart(args.rondes, args.poort, args.vergelijk)
    return 0


def first_chart(rounds: int = 7, first_port: int = 0, others: list[Path] | None = None) -> None:
    """Time from navigation to the first drawn chart in headless Chromium: the portal's profile page against a bare
    Streamlit page with one Altair chart, alternating (portal, bare, portal, bare, ...), servers warmed up first.
    With `others`, the profile of each of those checkouts takes its turn in each round too (portal, bare, other, bare, ...)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("Tijd tot eerste grafiek: overgeslagen (Debian chromium ontbreekt)")
        return
    from playwright.sync_api import sync_playwright

    others = others or []
    ports = [first_port + i if first_port else free_port() for i in range(2 + len(others))]
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "kaal.py"
        bare.write_text(BARE)
        procs = [_serve(ROOT / "pages" / "app.py", ports[0]), _serve(bare, ports[1])]
        for i, other in enumerate(others):
            procs.append(_serve(other / "pages" / "app.py", ports[2 + i], other))
        try:
            for port in ports:
                wait_healthy(f"http://127.0.0.1:{port}")
            order = [("portaal (gemeenteprofiel)", f"http://127.0.0.1:{ports[0]}{PROFILE_URL}"),
                     ("kale pagina", f"http://127.0.0.1:{ports[1]}/")]
            for i, other in enumerate(others):
                order += [(f"vergelijk ({other.name})", f"http://127.0.0.1:{ports[2 + i]}{PROFILE_URL}"),
                          ("kale pagina", f"http://127.0.0.1:{ports[1]}/")]
            times: dict[str, list[float]] = {k: [] for k, _ in order}
            pairs: dict[str, list[float]] = {k: [] for k, _ in order if k != "kale pagina"}
            loads = [_load()]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                                                            "--disable-background-networking"])
                for round_ in range(rounds + 1):
                    last = None
                    for label, url in order:
                        page = browser.new_page()
                        t0 = time.perf_counter()
                        page.goto(url)
                        page.locator(CHART).first.wait_for(timeout=60_000)
                        ms = (time.perf_counter() - t0) * 1000
                        page.close()
                        if not round_:  # round 0 warms up the servers
                            continue
                        times[label].append(ms)
                        if label == "kale pagina" and last:  # each profile against the bare page right after it
                            pairs[last[0]].append(last[1] / ms)
                        last = None if label == "kale pagina" else (label, ms)
                    loads.append(_load())
                browser.close()
        finally:
            for proc in procs:
                proc.terminate()
    for k, v in times.items():
        print(f"Tijd tot eerste grafiek, {k}: mediaan {nl_number(statistics.median(v), 0)} ms ({len(v)} runs)")
    for k, r in pairs.items():
        print(f"Verhouding {k} / kale pagina, mediaan van {len(r)} paren: {nl_number(statistics.median(r), 2)} "
              f"(paren: {'; '.join(nl_number(x, 2) for x in r)}) — doel ≤ 1,2")
    print(f"Machine tijdens de meting ({os.cpu_count()} cores): {loads[0]} aan het begin; {loads[-1]} aan het eind; "
          f"hoogste 1-minuutwaarde {nl_number(max(float(x.split()[1]) for x in loads), 2)}")


def _rss_mb() -> float:
    return next(int(ln.split()[1]) for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmRSS")) / 1024


def _open_files(path: Path) -> int:
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)") == str(path)
        except OSError:
            pass
    return n


def rebuild_while_serving(n: int) -> int:
    """`bench herbouw [N]`: N real builds into a temporary warehouse while a session keeps reading it (the Gemeenteprofiel
    in AppTest after every build, and a reader thread querying in between); open files on the warehouse and RSS after each."""
    import threading

    from streamlit.testing.v1 import AppTest

    from portal.paths import settings
    from portal.ui import data

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "warehouse.db"
        build(target, log=lambda _: None)
        settings.warehouse, data.GRACE_S = target, 2.0
        at = AppTest.from_file(str(ROOT / "pages" / "app.py"), default_timeout=120)
        at.query_params.update(gemeente="GM0153", rg="knn", k="8")
        at.switch_page("profiel.py")
        at.run()
        stop, reads, errors = threading.Event(), [0], []

        def reader() -> None:
            while not stop.is_set():
                try:
                    data.current().observations("GM0363", ["dichtheid_uitkeringen_totaal"])
                    reads[0] += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    errors.append(repr(exc))
                time.sleep(0.01)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        print(f"Herbouw tijdens gebruik ({n} bouwen, grace {data.GRACE_S:.0f} s): na de eerste paginarun {_open_files(target)} "
              f"open bestand(en) op het warehouse, RSS {_rss_mb():.0f} MB")
        for i in range(n):
            build(target, log=lambda _: None)
            time.sleep(data.GRACE_S + 0.1)
            at.run()
            fail = [e.value for e in at.exception]
            print(f"  bouw {i + 1}: {_open_files(target)} open bestand(en) op het warehouse (ook verwijderde), "
                  f"RSS {_rss_mb():.0f} MB{', FOUT: ' + str(fail) if fail else ''}")
        stop.set()
        thread.join()
        print(f"  lezer: {reads[0]} leesacties, {len(errors)} fouten{': ' + errors[0] if errors else ''}")
    return 0


EIGEN_PEIL = "2024-12-31"


def eigen_monitors(n: int) -> int:
    """`bench eigen [N]`: write N synthetic spells (ten years up to 31-12-2024) to Parquet, then in a fresh process read
    them and run every monitor of the Eigen-bestand page (monthly over 120 months, trend, CBS check, leefvorm mix on three
    peildata, duration profile, budget, uitstroomkans by five groupings for any ending and for werk, the 24-month curve,
    the herinstroom, and the page's one suppression pattern over all of it): wall time per step and peak RSS of that
    process (VmHWM)."""
    import datetime as dt

    from portal.eigen import synth

    peil = dt.date.fromisoformat(EIGEN_PEIL)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spells.parquet"
        t0 = time.perf_counter()
        # About 4.4 spells in ten years per uitkering running at the peildatum (synthetic steady state).
        frame = synth.generate("GM0363", max(n * 10 // 42, 10), 1, peil)
        if frame.height > n:
            frame = frame.sample(n=n, seed=1)
        frame.sort("client", "begin").write_parquet(path)  # sorted as mapping.apply stores an upload
        print(f"Synthetisch bestand: {nl_number(frame.height)} uitkeringsperioden gemaakt in "
              f"{nl_number(time.perf_counter() - t0, 1)} s ({nl_number(path.stat().st_size / 1e6)} MB Parquet)")
        del frame
        out = subprocess.run([sys.executable, "-c", "import sys; from portal.tools.bench import _eigen_child; _eigen_child(sys.argv[1])",
                              str(path)], cwd=ROOT, capture_output=True, text=True)
        print(out.stdout, end="")
        if out.returncode:
            print(out.stderr[-2000:])
        return out.returncode


def _eigen_child(path: str) -> None:
    import datetime as dt

    import polars as pl

    from portal.eigen import monitors as mon
    from portal.eigen import suppress as sp
    from portal.eigen import survival as sv

    peil = dt.date.fromisoformat(EIGEN_PEIL)
    steps: list[tuple[str, float, float]] = []

    def peak_mb() -> float:
        """Peak RSS of this process (VmHWM). Not resource.getrusage: its ru_maxrss also holds the parent's peak when the
        child was started with vfork + exec, as subprocess does."""
        return next(int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")) / 1024

    def step(name: str, fn):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        result = fn()
        steps.append((name, time.perf_counter() - t0, peak_mb()))
        return result

    spells = step("Parquet lezen (monitors.KOLOMMEN en client)", lambda: pl.read_parquet(path, columns=["client", *mon.KOLOMMEN]))
    t_all = time.perf_counter()
    table = step("maandcijfers (120 maanden)", lambda: mon.monthly(spells, dt.date(2015, 1, 1), peil))
    step("trend", lambda: mon.trend(table))
    public = pl.DataFrame({"indicator": ["bijstand_alg_personen_15_aow"] * 3, "periode": ["2015", "2016", "2017"],
                           "waarde": [40000.0, 41000.0, 42000.0]})
    step("CBS-vergelijking", lambda: mon.cbs_check(table, public))
    mix = step("leefvormen (3 peildata)", lambda: mon.leefvorm_mix(spells, [dt.date(2022, 12, 31), dt.date(2023, 12, 31), peil]))
    prof = step("duurprofiel", lambda: mon.duration_profile(spells, peil))
    step("budgetmonitor", lambda: mon.budget(spells, 1e9, 2024, dt.date(2024, 9, 30)))
    prep = step("uitstroomkans: één doorloop (prepare)", lambda: sv.prepare(spells, peil))
    kms = []
    for naar in ("einde", "werk"):
        for per in sv.GROEPERINGEN:
            kms.append(step(f"uitstroomkans {naar}/{per}", lambda: sv.uitstroomkans(prep, peil, naar, per)))
    step("uitstroomcurve", lambda: sv.curve(prep, peil))
    her = step("herinstroom", lambda: mon.herinstroom(spells, peil))
    pagina = step("onderdrukking: één patroon over de hele pagina (alle tabellen, keuzes en peildata)",
                  lambda: sp.page(spells, peil, prep=prep, herinstroom=her))
    step("onderdrukking toepassen", lambda: [pagina.monthly(table), pagina.leefvorm(mix), pagina.duur(prof), pagina.herinstroom(her),
                                             *[pagina.survival(k, per, naar) for k, (naar, per) in
                                               zip(kms, [(n, p) for n in ("einde", "werk") for p in sv.GROEPERINGEN])]])
    total = time.perf_counter() - t_all
    peak = peak_mb()
    print(f"Alle monitors over {nl_number(spells.height)} uitkeringsperioden: {nl_number(total, 2)} s (doel ≤ 3 s), "
          f"piekgeheugen van het proces {nl_number(peak)} MB (doel ≤ 2.048 MB; inclusief Python, polars en het bestand zelf: "
          f"{nl_number(spells.estimated_size() / 1e6)} MB in het geheugen; {len(prep.cube)} rijen na de doorloop)")
    for name, secs, rss in steps:
        print(f"  {name}: {nl_number(secs * 1000)} ms (piek tot dan toe {nl_number(rss)} MB)")


if __name__ == "__main__":
    sys.exit(main())
