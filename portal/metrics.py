"""THE indicator registry: every indicator once, with Dutch label, unit, definition, formula and source tables.

Base indicators are counts or amounts read from a source (additive, so they can be summed over a herindeling).
Derived indicators are a `Ratio` of base indicators on the same gemeente, indeling and period; they are recomputed
after harmonisation, never summed. Different CBS definitions are different indicators: they are never spliced.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ratio:
    """(sum(plus) - sum(minus)) / sum(denominator) * factor."""

    plus: tuple[str, ...]
    denominator: tuple[str, ...]
    minus: tuple[str, ...] = ()
    factor: float = 1.0

    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.plus + self.minus + self.denominator))

    def text(self) -> str:
        num = " + ".join(self.plus) + "".join(f" − {m}" for m in self.minus)
        if self.minus:
            num = f"({num})"
        den = " + ".join(self.denominator)
        den = f"({den})" if len(self.denominator) > 1 else den
        return f"{num} / {den} × {self.factor:g}"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    unit: str
    definition: str
    sources: tuple[str, ...]
    peildatum: str
    theme: str
    formula: Ratio | None = None
    caveats: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def additive(self) -> bool:
        return self.formula is None


AGE_GROUPS = {
    "15plus": ("15 jaar of ouder", "20150"),
    "15_aow": ("15 jaar tot AOW-leeftijd", "90100"),
    "aow_plus": ("AOW-leeftijd of ouder", "90200"),
}
AGE_CAVEAT = (
    "De leeftijdsgroepen zijn afgeleid uit de CBS-sleutels 20150/90100/90200 en de inwonertallen (niet uit de "
    "tabelmetadata gelezen)."
)
T_8345 = ("83450NED", "83747NED", "84066NED")
T_MAATSTAF = ("83440NED", "83718NED", "83997NED", "84590NED", "84860NED", "85052NED", "85309NED")
IV3_TABLES = ("45063NED", "45067NED", "45071NED")
GF = ("BZK-circulaires gemeentefonds",)

_R: list[Indicator] = [
    # ---- bijstandsvolume: each CBS definition its own indicator ------------------------------------------------
    Indicator(
        "bijstand_personen_abw_wwb",
        "Personen met een bijstandsuitkering (Abw/WWB, 1999–2008)",
        "personen",
        "Personen met een bijstandsuitkering (tot 2004 Abw, daarna WWB), CBS 80860ned, herberekend door CBS op de "
        "gemeentelijke indeling van 2009.",
        ("80860ned",),
        "eind september (afgeleid, niet in de bron; zie kanttekening)",
        "volume",
        caveats="Peilmoment niet in de dump; de landelijke totalen komen overeen met CBS 70852ned (laatste vrijdag van "
        "september). Afgerond op tientallen. Niet vergelijkbaar met de reeksen vanaf 2014 (andere wet, peildatum en "
        "leeftijdsgrens).",
        tags=("volume",),
    ),
    Indicator(
        "bijstand_personen_tot_aow_incl_gerelateerd",
        "Personen met bijstand(-gerelateerde uitkering) tot AOW-leeftijd",
        "personen",
        "Personen met algemene bijstand, IOAW, IOAZ of Bbz, jonger dan de AOW-leeftijd, standcijfer 31 december "
        "(maatstaf gemeentefonds sociaal domein). Zonder Tozo.",
        T_MAATSTAF,
        "31 december (2018–2021 in de kolomnaam van de bron; 2014–2016 afgeleid)",
        "volume",
        caveats="Peildata van 83440/83718/83997NED afgeleid uit de landelijke totalen (niet in de bron); 31-12-2017 "
        "ontbreekt in de bron. Afgerond op tientallen, behalve 31-12-2018 (84590NED, onafgerond). 31-12-2021 (85309NED): "
        "CBS publiceerde deze tabel op de grenzen van na de samenvoeging van Weesp met Amsterdam (24-3-2022). Het "
        "cijfer van Amsterdam voor 2021 omvat Weesp; Weesp heeft voor 2021 geen eigen cijfer (opgegaan in Amsterdam, "
        "niet onderdrukt).",
        tags=("volume",),
    ),
    Indicator(
        "bijstand_uitkeringen_totaal",
        "Bijstandsuitkeringen totaal (huishoudens)",
        "uitkeringen",
        "Aantal bijstandsuitkeringen: een uitkering per huishouden. Het totaal van CBS 85383NED Maatstaven Fvw, "
        "maatstafjaar 2024 (definitief), is de som van algemene bijstand, Bbz, IOAW, IOAZ, adreslozen, overig adreslozen "
        "en elders verzorgden.",
        ("85383NED",),
        "maatstafjaar 2024 (peildatum niet in de bron)",
        "volume",
        caveats="Telt uitkeringen (huishoudens), geen personen: niet vergelijkbaar met de persoonsreeksen. Bevat ook "
        "overig adreslozen en elders verzorgden: landelijk 2 830 + 13 270 = 16 100 van de 375 990 uitkeringen (4,3 %); "
        "algemene bijstand alleen is een aparte indicator.",
        tags=("volume",),
    ),
    Indicator(
        "bijstand_uitkeringen_algemeen",
        "Uitkeringen algemene bijstand (huishoudens)",
        "uitkeringen",
        "Aantal uitkeringen algemene bijstand, CBS 85383NED, maatstafjaar 2024 (definitief).",
        ("85383NED",),
        "maatstafjaar 2024 (peildatum niet in de bron)",
        "volume",
    ),
    Indicator(
        "bijstand_uitkeringen_tot_aow_nl",
        "Bijstandsuitkeringen tot AOW-leeftijd, Nederland (maandcijfer)",
        "uitkeringen",
        "Bijstandsuitkeringen aan personen tot de AOW-leeftijd, Nederland, CBS 37789ksz (gepubliceerd in duizendtallen, "
        "hier × 1 000).",
        ("37789ksz",),
        "maandcijfer (peilmoment binnen de maand niet in de bron)",
        "volume",
        caveats="Alleen landelijk; telt uitkeringen (huishoudens). Laatste maanden van 2018 ontbreken in de snapshot.",
        tags=("landelijk",),
    ),
    # ---- population -----------------------------------------------------------------------------------------
    Indicator(
        "inwoners_totaal",
        "Inwoners totaal",
        "personen",
        "Aantal inwoners (CBS 80860ned 1999–2009; CBS 70072ned 2015; CBS 85383NED 2023–2024).",
        ("80860ned", "70072ned", "85383NED"),
        "jaar (80860ned/70072ned: 1 januari volgens de CBS-gewoonte, niet in de bron); maatstafjaar (85383NED)",
        "bevolking",
    ),
    Indicator(
        "inwoners_15_65",
        "Inwoners 15 tot 65 jaar",
        "personen",
        "Inwoners van 15 tot en met 64 jaar: som van de leeftijdsklassen 15–25, 25–45 en 45–65 (80860ned), de maatstaf "
        "'inwoners van 15 tot 65 jaar' uit dezelfde maatstaventabel als het bijstandscijfer, of 85383NED.",
        ("80860ned", *T_MAATSTAF, "85383NED"),
        "niet in de bron (80860ned: jaar; maatstaven: die van de tabel; 85383NED: maatstafjaar)",
        "bevolking",
        caveats="Voor de maatstaventabellen hoort dit getal bij het bijstandscijfer uit dezelfde tabel (zelfde periode); "
        "in 85309NED (2021) omvat Amsterdam ook Weesp. Afgerond op tientallen in 80860ned en in de maatstaventabellen "
        "vanaf 84590NED; onafgerond in 83440/83718/83997NED en 85383NED.",
    ),
    Indicator(
        "huishoudens_particulier",
        "Particuliere huishoudens",
        "huishoudens",
        "Aantal particuliere huishoudens, CBS 70072ned (2015).",
        ("70072ned",),
        "2015 (peildatum niet in de bron)",
        "bevolking",
    ),
    Indicator(
        "eenpersoonshuishoudens",
        "Eenpersoonshuishoudens",
        "huishoudens",
        "Aantal eenpersoonshuishoudens, CBS 70072ned (2015) en 85383NED (2023–2024).",
        ("70072ned", "85383NED"),
        "2015 (70072ned) of maatstafjaar (85383NED); peildatum niet in de bron",
        "bevolking",
    ),
    Indicator(
        "huishoudens_laag_inkomen",
        "Huishoudens met een relatief laag inkomen",
        "huishoudens",
        "Huishoudens met een relatief laag inkomen, CBS 85383NED (voorlopig).",
        ("85383NED",),
        "maatstafjaar",
        "bevolking",
    ),
    Indicator(
        "oppervlakte_land",
        "Oppervlakte land",
        "hectare",
        "Landoppervlakte van de gemeente, CBS Kerncijfers wijken en buurten 2024 (85984NED).",
        ("85984NED",),
        "2024 (peildatum niet in de bron)",
        "bevolking",
    ),
    # ---- finance (Iv3 and gemeentefonds) ------------------------------------------------------------------------
    Indicator(
        "iu_participatie",
        "Integratie-uitkering Participatie",
        "euro",
        "Integratie-uitkering Participatie in het gemeentefonds (re-integratie/W-deel, Wsw, beschut werk), per "
        "uitkeringsjaar volgens de nieuwste circulaire in de snapshot (2023: mei 2022; 2024 en 2025: september 2024).",
        GF,
        "uitkeringsjaar",
        "financien",
        caveats="Een circulairebedrag, geen definitieve afrekening. 2023 staat op de indeling 2023: de circulaire van mei "
        "2022 noemt Brielle, Hellevoetsluis en Westvoorne nog apart (opgeteld tot Voorne aan Zee) en Weesp al niet meer "
        "(in Amsterdam).",
    ),
]

IV3_TAAKVELDEN = {"6.3": "Inkomensregelingen", "6.4": "Begeleide participatie", "6.5": "Arbeidsparticipatie"}
IV3_SOORTEN = {"begroting": "begroting", "jaarrekening": "jaarrekening"}
for tv, tv_naam in IV3_TAAKVELDEN.items():
    for kant in ("baten", "lasten"):
        for soort in IV3_SOORTEN:
            _R.append(
                Indicator(
                    f"iv3_{tv.replace('.', '')}_{kant}_{soort}",
                    f"Iv3 {tv} {tv_naam}: {kant} ({soort})",
                    "euro",
                    f"Som van de {kant} op taakveld {tv} {tv_naam} zoals de gemeente die aan CBS opgaf (Iv3, {soort}); "
                    "CBS publiceert in duizenden euro's, hier in euro's.",
                    IV3_TABLES,
                    "begrotings- of rekeningjaar",
                    "financien",
                    caveats="Onbewerkte opgave van de gemeente; een 0 kan 'niet (tijdig) opgegeven' betekenen.",
                )
            )

for lg, (lg_label, lg_code) in AGE_GROUPS.items():
    _R += [
        Indicator(
            f"inwoners_{lg}",
            f"Inwoners {lg_label}",
            "personen",
            f"Inwoners {lg_label} (CBS bijstand, re-integratie en WSW, gemeenten; leeftijdssleutel {lg_code}).",
            T_8345,
            "jaar",
            "bevolking",
            caveats=AGE_CAVEAT,
        ),
        Indicator(
            f"bijstand_alg_personen_{lg}",
            f"Bijstandsontvangers {lg_label} (algemene bijstand)",
            "personen",
            f"Personen met algemene bijstand, {lg_label} (CBS 83450NED/83747NED/84066NED).",
            T_8345,
            "jaar (standcijfer; peildatum niet in de bron)",
            "volume",
            caveats=AGE_CAVEAT + " Afgerond op tientallen.",
            tags=("volume",),
        ),
        Indicator(
            f"bijstand_alg_instroom_{lg}",
            f"Instroom in de bijstand, {lg_label}",
            "personen",
            f"Personen die in het jaar instroomden in de algemene bijstand, {lg_label}.",
            T_8345,
            "kalenderjaar (afgeleid, niet in de bron)",
            "instroom_uitstroom",
            caveats=AGE_CAVEAT,
        ),
        Indicator(
            f"bijstand_alg_uitstroom_{lg}",
            f"Uitstroom uit de bijstand, {lg_label}",
            "personen",
            f"Personen die in het jaar uitstroomden uit de algemene bijstand, {lg_label}.",
            T_8345,
            "kalenderjaar (afgeleid, niet in de bron)",
            "instroom_uitstroom",
            caveats=AGE_CAVEAT,
        ),
    ]
    if lg != "aow_plus":
        _R += [
            Indicator(
                f"bijstand_alg_uitstroom_werk_{lg}",
                f"Uitstroom naar werk, {lg_label}",
                "personen",
                f"Personen die in het jaar uitstroomden uit de bijstand en aan het werk gingen, {lg_label}.",
                T_8345,
                "kalenderjaar (afgeleid, niet in de bron)",
                "instroom_uitstroom",
                caveats=AGE_CAVEAT,
            ),
            Indicator(
                f"reintegratie_personen_{lg}",
                f"Personen met een re-integratievoorziening, {lg_label}",
                "personen",
                f"Personen met een re-integratievoorziening van de gemeente, {lg_label}.",
                T_8345,
                "jaar",
                "instroom_uitstroom",
                caveats=AGE_CAVEAT,
            ),
        ]

# ---- derived indicators ---------------------------------------------------------------------------------------
_R += [
    Indicator(
        "dichtheid_abw_wwb",
        "Bijstandsdichtheid (Abw/WWB) per 1 000 inwoners 15–65",
        "per 1 000 inwoners 15–65",
        "Personen met een bijstandsuitkering per 1 000 inwoners van 15 tot 65 jaar (80860ned, zelfde jaar).",
        ("80860ned",),
        "zoals de onderdelen",
        "volume",
        formula=Ratio(("bijstand_personen_abw_wwb",), ("inwoners_15_65",), factor=1000),
        tags=("volume", "dichtheid"),
    ),
    Indicator(
        "dichtheid_tot_aow_incl_gerelateerd",
        "Bijstandsdichtheid (incl. IOAW/IOAZ/Bbz) per 1 000 inwoners 15–65",
        "per 1 000 inwoners 15–65",
        "Personen met bijstand(-gerelateerde uitkering) tot de AOW-leeftijd per 1 000 inwoners van 15 tot en met 64 jaar "
        "uit dezelfde maatstaventabel. Teller en noemer hebben niet dezelfde leeftijdsgrens: de teller telt ook "
        "bijstandsontvangers van 65 jaar tot de AOW-leeftijd (in 2014–2021 65 jaar en 2 maanden tot 66 jaar en 4 "
        "maanden), de noemer niet; de dichtheid ligt daardoor iets hoger dan bij gelijke grenzen.",
        T_MAATSTAF,
        "teller 31 december (2014–2016 afgeleid); noemer niet in de bron",
        "volume",
        formula=Ratio(("bijstand_personen_tot_aow_incl_gerelateerd",), ("inwoners_15_65",), factor=1000),
        tags=("volume", "dichtheid"),
    ),
    Indicator(
        "dichtheid_uitkeringen_totaal",
        "Bijstandsuitkeringen per 1 000 inwoners 15–65",
        "per 1 000 inwoners 15–65",
        "Bijstandsuitkeringen (huishoudens, alle soorten uit het totaal van 85383NED) per 1 000 inwoners van 15 tot en met "
        "64 jaar (85383NED, zelfde maatstafjaar). De leeftijdsgrens van de uitkeringen staat niet in de bron.",
        ("85383NED",),
        "maatstafjaar",
        "volume",
        formula=Ratio(("bijstand_uitkeringen_totaal",), ("inwoners_15_65",), factor=1000),
        tags=("volume", "dichtheid"),
    ),
]
for lg, (lg_label, _) in AGE_GROUPS.items():
    _R.append(
        Indicator(
            f"dichtheid_alg_{lg}",
            f"Bijstandsdichtheid {lg_label} per 1 000 inwoners van die leeftijd",
            "per 1 000 inwoners",
            f"Bijstandsontvangers (algemene bijstand) {lg_label} per 1 000 inwoners {lg_label}.",
            T_8345,
            "jaar",
            "volume",
            formula=Ratio((f"bijstand_alg_personen_{lg}",), (f"inwoners_{lg}",), factor=1000),
            tags=("volume", "dichtheid"),
        )
    )
    for kind, kind_label in (("instroom", "Instroom"), ("uitstroom", "Uitstroom"), ("uitstroom_werk", "Uitstroom naar werk")):
        if kind == "uitstroom_werk" and lg == "aow_plus":
            continue
        _R.append(
            Indicator(
                f"{kind}_pct_{lg}",
                f"{kind_label} als % van het volume, {lg_label}",
                "%",
                f"{kind_label} in het jaar gedeeld door het aantal bijstandsontvangers ({lg_label}) van dat jaar, × 100.",
                T_8345,
                "kalenderjaar (afgeleid, niet in de bron)",
                "instroom_uitstroom",
                formula=Ratio((f"bijstand_alg_{kind}_{lg}",), (f"bijstand_alg_personen_{lg}",), factor=100),
            )
        )
for soort in IV3_SOORTEN:
    _R += [
        Indicator(
            f"wdeel_onderbesteding_proxy_{soort}",
            f"Onderbesteding W-deel (proxy: IU Participatie vs Iv3 6.4 + 6.5, {soort})",
            "%",
            "Proxy voor de onderbesteding van het W-deel: (integratie-uitkering Participatie − Iv3-lasten 6.4 Begeleide "
            f"participatie − Iv3-lasten 6.5 Arbeidsparticipatie) / integratie-uitkering Participatie × 100, {soort}. "
            "Positief = minder uitgegeven dan ontvangen.",
            (*GF, *IV3_TABLES),
            "jaar",
            "financien",
            formula=Ratio(
                ("iu_participatie",), ("iu_participatie",), minus=(f"iv3_64_lasten_{soort}", f"iv3_65_lasten_{soort}"), factor=100
            ),
            caveats="Een proxy: gemeenten kunnen ook andere middelen op 6.4/6.5 inzetten, en de IU is een circulairebedrag.",
        ),
        Indicator(
            f"wdeel_onderbesteding_proxy_65_{soort}",
            f"Onderbesteding W-deel (proxy: IU Participatie vs Iv3 6.5, {soort})",
            "%",
            "Proxy zonder het Wsw-deel: (integratie-uitkering Participatie − Iv3-lasten 6.5 Arbeidsparticipatie) / "
            f"integratie-uitkering Participatie × 100, {soort}.",
            (*GF, *IV3_TABLES),
            "jaar",
            "financien",
            formula=Ratio(("iu_participatie",), ("iu_participatie",), minus=(f"iv3_65_lasten_{soort}",), factor=100),
            caveats="Een proxy; de IU Participatie dekt ook Wsw en beschut werk, die vooral op 6.4 staan.",
        ),
        Indicator(
            f"ideel_resultaat_proxy_{soort}",
            f"Resultaat I-deel (proxy: Iv3 6.3 baten vs lasten, {soort})",
            "%",
            "Proxy voor het financieel resultaat op het I-deel/BUIG: (Iv3-baten 6.3 − Iv3-lasten 6.3) / Iv3-baten 6.3 × 100, "
            f"{soort}. Negatief = tekort.",
            IV3_TABLES,
            "jaar",
            "financien",
            formula=Ratio((f"iv3_63_baten_{soort}",), (f"iv3_63_baten_{soort}",), minus=(f"iv3_63_lasten_{soort}",), factor=100),
            caveats="Een proxy: 6.3 omvat naast BUIG ook bijzondere bijstand en minimabeleid; geen SZW-afrekening.",
        ),
    ]

REGISTRY: dict[str, Indicator] = {ind.id: ind for ind in _R}
assert len(REGISTRY) == len(_R), "duplicate indicator id in the registry"
for _ind in _R:
    if _ind.formula:
        for _i in _ind.formula.inputs():
            assert _i in REGISTRY and REGISTRY[_i].additive, f"{_ind.id}: unknown or derived input {_i}"

BASE = [i for i in _R if i.additive]
DERIVED = [i for i in _R if i.derived]


def get(indicator_id: str) -> Indicator:
    return REGISTRY[indicator_id]
