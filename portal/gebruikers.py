"""Accounts for the visitatie module: `python3 dev.py gebruikers toevoegen|lijst|verwijderen`.

Without any account the portal runs in local mode (one person, no login). The first account switches login on for the
Visitaties page. Passwords are asked for on the terminal (or read from PORTAL_WACHTWOORD for scripts) and stored only
as a salted scrypt hash in data/userdata.db, which is not in the repository."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys

from portal.paths import WAREHOUSE
from portal.store import Warehouse, WarehouseMissing
from portal.userdata import ROLLEN, UserData, UserDataError


def known_gemeente(code: str) -> bool:
    """A GM code of the warehouse's indeling; without a warehouse only the form can be checked."""
    if not re.fullmatch(r"GM[0-9]{4}", code):
        return False
    try:
        return code in set(Warehouse(WAREHOUSE).gemeenten()["gemeentecode"])
    except WarehouseMissing:
        return True


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="dev.py gebruikers", description="Gebruikers van de visitatiemodule beheren.")
    sub = p.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("toevoegen", help="een gebruiker toevoegen")
    add.add_argument("naam")
    add.add_argument("--rol", choices=ROLLEN, required=True)
    add.add_argument("--gemeente", help="gemeentecode (GMxxxx), verplicht bij rol 'gemeente'")
    sub.add_parser("lijst", help="alle gebruikers tonen")
    rm = sub.add_parser("verwijderen", help="een gebruiker verwijderen")
    rm.add_argument("naam")
    args = p.parse_args(argv)
    ud = UserData()
    if args.cmd == "toevoegen":
        if args.gemeente is not None and not known_gemeente(args.gemeente):
            print(f"Onbekende gemeentecode '{args.gemeente}': geef een code van de vorm GMxxxx uit de gemeentelijke indeling "
                  "van het portaal (zie de pagina Gemeenteprofiel). Niets opgeslagen.", file=sys.stderr)
            return 1
        try:
            wachtwoord = os.environ.get("PORTAL_WACHTWOORD") or getpass.getpass("Wachtwoord (minstens 10 tekens): ")
            if "PORTAL_WACHTWOORD" not in os.environ and getpass.getpass("Nog eens: ") != wachtwoord:
                print("De wachtwoorden zijn niet gelijk; niets opgeslagen.", file=sys.stderr)
                return 1
        except (EOFError, KeyboardInterrupt):
            print("\nGeen wachtwoord ingevoerd; niets opgeslagen.", file=sys.stderr)
            return 1
        try:
            ud.add_account(args.naam, wachtwoord, args.rol, args.gemeente)
        except UserDataError as e:
            print(e, file=sys.stderr)
            return 1
        print(f"Gebruiker '{args.naam}' ({args.rol}) toegevoegd. De pagina Visitaties vraagt nu om in te loggen.")
    elif args.cmd == "lijst":
        rows = ud.accounts()
        print("\n".join(f"{r['naam']}\t{r['rol']}\t{r['gemeente_code'] or ''}" for r in rows) or "Geen gebruikers: lokale modus.")
    elif not ud.remove_account(args.naam):
        print(f"Gebruiker '{args.naam}' bestaat niet.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
