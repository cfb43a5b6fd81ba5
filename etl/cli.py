"""Command-line tool for the data build: `build`, `check`, `info`, `vernieuw` (python3 dev.py etl <command>)."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from portal.paths import SNAPSHOTS, WAREHOUSE
from etl.validate import BuildError
from portal.nl import nl_number


def cmd_build(args: argparse.Namespace) -> int:
    from etl.build import build
    from etl.live import snapshots_root

    try:
        with snapshots_root(SNAPSHOTS) as snapshots:
            result = build(snapshots=snapshots)
    except BuildError as exc:
        print(exc.dutch(), file=sys.stderr)
        return 1
    if result.warnings:
        print(f"{len(result.warnings)} waarschuwing(en): zie hierboven.")
    return cmd_info(args)


def cmd_check(args: argparse.Namespace) -> int:
    from etl.live import snapshots_root

    with snapshots_root(SNAPSHOTS) as snapshots:
        return _check(snapshots)


def _check(snapshots) -> int:
    from etl import cbs
    from etl.build import collect, sanity
    from etl.sources.cbs_live import folders

    live = [f.name for f in folders(snapshots)]
    problems = [p for folder in live for p in cbs.verify(snapshots / folder)]
    try:
        data = collect(snapshots)  # the shipped folders' SHA256SUMS, then every file's content
    except BuildError as exc:
        print(exc.dutch(), file=sys.stderr)
        data = None
    if problems:
        n = len(problems)
        print(f"{n} {'probleem' if n == 1 else 'problemen'} in de bij CBS vernieuwde snapshots (herkomst.json en SHA256SUMS):\n"
              + "\n".join(f"  - {p}" for p in problems) + "\nHaal die tabellen opnieuw op met `python3 dev.py etl vernieuw`.",
              file=sys.stderr)
    if data is None or problems:
        return 1
    sanity(data, print)
    if live:
        print(f"Vernieuwde snapshots in orde: {', '.join(live)}.")
    print(f"Alle bronnen zijn geldig: {data['observaties'].height} observaties zouden worden geladen (niets geschreven).")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from portal.store import Warehouse, WarehouseUnavailable

    try:
        Warehouse(WAREHOUSE).close()  # the portal's own check: missing, truncated, overwritten, another database
    except WarehouseUnavailable as exc:
        print(f"{exc.dutch()} ({WAREHOUSE})", file=sys.stderr)
        return 1
    conn = sqlite3.connect(f"file:{WAREHOUSE}?mode=ro", uri=True)
    print(f"\nWarehouse {WAREHOUSE}")
    print(f"{'indicator':<46} {'bron':<28} {'periodes':<24} {'gemeenten':>9} {'observaties':>11}")
    q = """select indicator, bron, min(periode), max(periode), count(distinct periode), count(distinct gemeente_code), count(*)
           from observaties where geharmoniseerd = 0 group by indicator, bron order by indicator, bron"""
    for ind, bron, lo, hi, n_per, n_gm, n in conn.execute(q):
        per = lo if lo == hi else f"{lo}–{hi} ({n_per})"
        print(f"{ind:<46} {bron[:28]:<28} {per:<24} {n_gm:>9} {n:>11}")
    n_h = conn.execute("select count(*), max(indeling) from observaties where geharmoniseerd = 1").fetchone()
    print(f"\nGeharmoniseerd op indeling {n_h[1]}: {n_h[0]} observaties.")
    print("\nLaatste databouw(en):")
    for tijd, versie, inhoud in conn.execute("select tijd, codeversie, inhoud_sha256 from build_runs order by rowid desc limit 3"):
        print(f"  {tijd}  code {versie}  inhoud {inhoud[:16]}")
    conn.close()
    return 0


PARTIAL = 3  # exit code of `etl vernieuw` when some tables were refreshed and others failed ("gedeeltelijk vernieuwd")


def cmd_vernieuw(args: argparse.Namespace) -> int:
    from etl import cbs, live
    from etl.build import BuildBusy
    from etl.sources.live_tables import BY_NAME

    names = [n.strip() for part in args.bron or [] for n in part.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown or (args.bron is not None and not names):
        print(f"Onbekende bron(nen): {', '.join(unknown) or '(leeg)'}. Kies uit: {', '.join(BY_NAME)}.", file=sys.stderr)
        return 2
    try:
        years = live.parse_years(args.jaren) if args.jaren is not None else None
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        out = live.refresh(names or None, dry_run=args.droog, years=years, fresh=args.opnieuw)
    except cbs.CbsError as exc:
        print(exc.dutch(), file=sys.stderr)
        return 2
    except BuildBusy as exc:
        print(exc.dutch(), file=sys.stderr)
        return 1
    if args.droog:
        known = [t.rows for t, _ in out.newer if t.rows is not None]
        rows = (f"; van {len(known)} daarvan geeft de CBS-catalogus het aantal rijen: samen {nl_number(sum(known))} "
                "(hele tabellen; opgehaald wordt alleen wat het portaal gebruikt)") if known else ""
        print(f"\nDroog: een vernieuwing zou {len(out.newer)} tabel(len) ophalen{rows}. Er is niets opgehaald."
              + (f" {out.skipped} oudere jaargang(en) vallen erbuiten (zie --jaren)." if out.skipped else ""))
    failed = "\n".join(f"  - {t}: {why.splitlines()[0]}" for t, why in out.failed)
    if out.partial:
        print(f"\nGedeeltelijk vernieuwd: {len(out.installed)} tabel(len) vernieuwd en het warehouse is opnieuw gebouwd "
              f"({', '.join(t.id for t in out.installed)}); {len(out.failed)} niet, die blijven zoals ze waren:\n{failed}\n"
              "Probeer die later opnieuw (python3 dev.py etl vernieuw) of beperk de vernieuwing met --bron.", file=sys.stderr)
        return PARTIAL
    if out.failed:
        print(f"\nNiet gelukt, er is niets vervangen:\n{failed}\n(zie de meldingen hierboven).", file=sys.stderr)
        return 1
    if out.built:
        print(f"\n{len(out.installed)} tabel(len) vernieuwd en het warehouse is opnieuw gebouwd: "
              f"{', '.join(t.id for t in out.installed)}. Wat het warehouse nu bevat: python3 dev.py etl info.")
    return 0


def _live_names() -> list[str]:
    from etl.sources.live_tables import BY_NAME

    return list(BY_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py etl", description="Databouw van het bijstandsportaal")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="bouw het warehouse uit de snapshots (alles-of-niets)").set_defaults(fn=cmd_build)
    sub.add_parser("check", help="controleer de snapshots zonder te schrijven").set_defaults(fn=cmd_check)
    sub.add_parser("info", help="toon wat het warehouse bevat per indicator, jaar en bron").set_defaults(fn=cmd_info)
    v = sub.add_parser("vernieuw", help="haal de nieuwste CBS-tabellen op en bouw het warehouse opnieuw (alles-of-niets)")
    v.add_argument("--bron", action="append", metavar="NAAM",
                   help="alleen deze bron(nen), komma-gescheiden of herhaald: " + ", ".join(_live_names()))
    v.add_argument("--droog", action="store_true", help="toon alleen wat bij CBS nieuwer is dan de lokale snapshots")
    v.add_argument("--jaren", metavar="JAREN", help="welke jaargangen van jaarlijkse reeksen: 2019-2024, 2024 of alle "
                   "(standaard: de nieuwste en de jaren die de meegeleverde snapshots missen)")
    v.add_argument("--opnieuw", action="store_true", help="haal tabellen die van een eerdere poging klaarstaan opnieuw op bij CBS")
    v.set_defaults(fn=cmd_vernieuw)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:  # Ctrl+C: every step keeps the old warehouse until its final swap
        print("\nAfgebroken. Het warehouse is niet veranderd; wat al bij CBS is opgehaald blijft klaarstaan en een nieuwe "
              "`etl vernieuw` gaat daar verder.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
