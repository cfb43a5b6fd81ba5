"""Accounts for the visitatie module: `python3 dev.py gebruikers toevoegen|wijzigen|lijst|verwijderen|uitloggen`.

Without any account the portal runs in local mode (one person, on this machine only, no login). The first account
switches login on for the Visitaties page. Passwords are asked for on the terminal (or read from PORTAL_WACHTWOORD for
scripts) and stored only as an Argon2id hash in data/userdata.db, which is not in the repository."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from portal.indeling import is_gemeente_code
from portal.store import Warehouse, WarehouseUnavailable
from portal.access import ROLLEN
from portal.userdata import UserData, UserDataError


def known_gemeente(code: str) -> bool:
    """A GM code of the warehouse's indeling; without a readable warehouse only the form can be checked."""
    if not is_gemeente_code(code):
        return False
    try:
        return code in set(Warehouse().gemeenten()["gemeentecode"])
    except WarehouseUnavailable:
        return True


def ask_password() -> str | None:
    """From PORTAL_WACHTWOORD, or asked twice on the terminal; None (with a Dutch message) when not given or not equal."""
    if "PORTAL_WACHTWOORD" in os.environ:
        return os.environ["PORTAL_WACHTWOORD"]
    try:
        wachtwoord = getpass.getpass("Wachtwoord (minstens 10 tekens): ")
        if getpass.getpass("Nog eens: ") != wachtwoord:
            print("De wachtwoorden zijn niet gelijk; niets opgeslagen.", file=sys.stderr)
            return None
    except (EOFError, KeyboardInterrupt):
        print("\nGeen wachtwoord ingevoerd; niets opgeslagen.", file=sys.stderr)
        return None
    return wachtwoord


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="dev.py gebruikers", description="Gebruikers van de visitatiemodule beheren.")
    sub = p.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("toevoegen", help="een gebruiker toevoegen")
    add.add_argument("naam")
    add.add_argument("--rol", choices=ROLLEN, required=True)
    add.add_argument("--gemeente", help="gemeentecode (GMxxxx), verplicht bij rol 'gemeente'")
    change = sub.add_parser("wijzigen", help="rol, gemeente of wachtwoord van een gebruiker wijzigen")
    change.add_argument("naam")
    change.add_argument("--rol", choices=ROLLEN)
    change.add_argument("--gemeente", help="gemeentecode (GMxxxx) bij rol 'gemeente'")
    change.add_argument("--wachtwoord", action="store_true", help="een nieuw wachtwoord instellen (heft een blokkade op)")
    sub.add_parser("lijst", help="alle gebruikers tonen")
    rm = sub.add_parser("verwijderen", help="een gebruiker verwijderen (beëindigt ook zijn inlogs)")
    rm.add_argument("naam")
    out = sub.add_parser("uitloggen", help="alle inlogs van een gebruiker beëindigen, in elke browser")
    out.add_argument("naam")
    args = p.parse_args(argv)
    ud = UserData()
    if getattr(args, "gemeente", None) is not None and not known_gemeente(args.gemeente):
        print(f"Onbekende gemeentecode '{args.gemeente}': geef een code van de vorm GMxxxx uit de gemeentelijke indeling "
              "van het portaal (zie de pagina Gemeenteprofiel). Niets opgeslagen.", file=sys.stderr)
        return 1
    try:
        if args.cmd == "toevoegen":
            if (wachtwoord := ask_password()) is None:
                return 1
            ud.add_account(args.naam, wachtwoord, args.rol, args.gemeente)
            print(f"Gebruiker '{args.naam}' ({args.rol}) toegevoegd. De pagina Visitaties vraagt nu om in te loggen.")
        elif args.cmd == "wijzigen":
            wachtwoord = ask_password() if args.wachtwoord else None
            if args.wachtwoord and wachtwoord is None:
                return 1
            ud.change_account(args.naam, args.rol, args.gemeente, wachtwoord)
            print(f"Gebruiker '{args.naam}' gewijzigd; dat geldt vanaf de volgende klik, ook in een sessie die openstaat."
                  + (" Een nieuw wachtwoord beëindigt al zijn inlogs." if wachtwoord else ""))
        elif args.cmd == "lijst":
            rows = ud.accounts()
            print("\n".join(f"{r['naam']}\t{r['rol']}\t{r['gemeente_code'] or ''}" for r in rows) or "Geen gebruikers: lokale modus.")
        elif args.cmd == "uitloggen":
            if ud.account(args.naam) is None:
                print(f"Gebruiker '{args.naam}' bestaat niet.", file=sys.stderr)
                return 1
            n = ud.beeindig_sessies(args.naam)
            print(f"{n} inlog(s) van '{args.naam}' beëindigd; elke browser vraagt bij de volgende klik opnieuw om in te "
                  "loggen.")
        elif not ud.remove_account(args.naam):
            print(f"Gebruiker '{args.naam}' bestaat niet.", file=sys.stderr)
            return 1
    except UserDataError as e:
        print(e.dutch(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
