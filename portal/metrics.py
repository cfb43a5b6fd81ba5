"""THE indicator registry: every indicator once, with Dutch label, unit, definition, formula and source tables.

Base indicators are read from a source: counts or amounts (additive, so they can be summed over a herindeling) or,
with `rate=True`, rates a publisher computed itself (passed through a herindeling only where a gemeente did not change).
Derived indicators are a `Ratio` of base indicators on the same gemeente, indeling and period; they are recomputed
after harmonisation, never summed. Different CBS definitions are different indicators: they are never spliced.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


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

    def words(self, name) -> str:
        """The formula in words, each input by `name(id)` (its label), e.g. 'Bijstandsuitkeringen totaal (huishoudens)
        gedeeld door Inwoners 15 tot 65 jaar, maal 1.000'. For readers of a report, who do not know the input ids."""
        num = " plus ".join(map(name, self.plus)) + "".join(f" min {name(m)}" for m in self.minus)
        if self.minus or len(self.plus) > 1:
            num = f"({num})"
        den = " plus ".join(map(name, self.denominator))
        den = f"({den})" if len(self.denominator) > 1 else den
        factor = f"{self.factor:,.0f}".replace(",", ".") if self.factor == int(self.factor) else f"{self.factor:g}".replace(".", ",")
        return f"{num} gedeeld door {den}" + (f", maal {factor}" if self.factor != 1 else "")


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
    # A rate or percentage published as such by the source (e.g. CBS's own instroom %): read like a base indicator,
    # but never summed over a herindeling and never an input of a derived indicator.
    rate: bool = False
    # How the portal reads it (set in PRESENTATION below): short label for cards and tables, decimals shown, which way
    # is favourable (None: no favourable direction, described only), and why no signal is given at all (a proxy).
    short: str = ""
    decimals: int = 0
    lower_is_better: bool | None = None
    no_signal: str = ""
    # A proxy: it stands in for something it does not measure (the label says what it does measure). It carries no
    # verdict, is never indexed (a balance in % can be zero or change sign) and the Kaart colours it by quantile.
    proxy: bool = False

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def base(self) -> bool:
        """Read from a source (not computed here): a count/amount or a published rate."""
        return self.formula is None

    @property
    def additive(self) -> bool:
        """A count or amount that can be summed over gemeenten (so over a herindeling)."""
        return self.formula is None and not self.rate


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
                f"{kind_label} per 100 bijstandsontvangers op de peildatum (eigen berekening), {lg_label}",
                "per 100 bijstandsontvangers op de peildatum",
                f"{kind_label} in het jaar gedeeld door het aantal bijstandsontvangers ({lg_label}) op de peildatum van dat jaar, "
                "× 100. Eigen berekening, niet het CBS-percentage (dat deelt door iedereen die in het jaar ooit bijstand had en is "
                "daardoor lager: Nederland 2015 instroom 24,5 % bij CBS, 31,3 hier). Gebruikt in de ontleding, waar deze noemer "
                "in de evenwichtsvergelijking past.",
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
            f"IU Participatie min Iv3-lasten 6.4 + 6.5, in % van de IU ({soort}; proxy, geen onderbesteding)",
            "% van de IU Participatie",
            "Wat dit meet: (integratie-uitkering Participatie − Iv3-lasten 6.4 Begeleide participatie − Iv3-lasten 6.5 "
            f"Arbeidsparticipatie) / integratie-uitkering Participatie × 100, {soort}. Positief = minder lasten op 6.4 en 6.5 "
            "dan de IU; −200 % = lasten drie keer de IU. Geen onderbesteding van het W-deel: 6.4 en 6.5 worden ook uit "
            "andere middelen betaald (Wsw-subsidie, eigen middelen), dus de meeste gemeenten staan ver onder nul.",
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
            f"IU Participatie min Iv3-lasten 6.5, in % van de IU ({soort}; proxy, geen onderbesteding)",
            "% van de IU Participatie",
            "Wat dit meet, zonder het Wsw-deel: (integratie-uitkering Participatie − Iv3-lasten 6.5 Arbeidsparticipatie) / "
            f"integratie-uitkering Participatie × 100, {soort}. Geen onderbesteding van het W-deel (zie kanttekening).",
            (*GF, *IV3_TABLES),
            "jaar",
            "financien",
            formula=Ratio(("iu_participatie",), ("iu_participatie",), minus=(f"iv3_65_lasten_{soort}",), factor=100),
            caveats="Een proxy; de IU Participatie dekt ook Wsw en beschut werk, die vooral op 6.4 staan.",
        ),
        Indicator(
            f"ideel_resultaat_proxy_{soort}",
            f"Saldo taakveld 6.3 Inkomensregelingen (Iv3-baten − lasten), in % van de baten ({soort}; proxy, geen BUIG-resultaat)",
            "% van de Iv3-baten 6.3",
            "Wat dit meet: (Iv3-baten 6.3 − Iv3-lasten 6.3) / Iv3-baten 6.3 × 100, "
            f"{soort}. Negatief = meer lasten dan baten op het hele taakveld. Geen resultaat op het I-deel/BUIG: 6.3 omvat ook "
            "bijzondere bijstand en minimabeleid, die niet uit de BUIG worden betaald.",
            IV3_TABLES,
            "jaar",
            "financien",
            formula=Ratio((f"iv3_63_baten_{soort}",), (f"iv3_63_baten_{soort}",), minus=(f"iv3_63_lasten_{soort}",), factor=100),
            caveats="Een proxy: 6.3 omvat naast BUIG ook bijzondere bijstand en minimabeleid; geen SZW-afrekening.",
        ),
    ]

# ---- CBS's own rates and the re-integratie/WSW counts of 83450/83747/84066NED (issue 9, part A) -------------------------
# Published rates are base indicators with rate=True: never summed over a herindeling, never an input of a Ratio.
RATE_HERINDELING = (
    "Een percentage of dichtheid van CBS is niet op te tellen over een herindeling: op een andere indeling dan die van het "
    "jaar zelf staat het cijfer alleen bij gemeenten die ongewijzigd bleven of alleen van naam veranderden; anders ontbreekt het."
)
PEIL_8345 = ("eind december van het jaar (afgeleid: gelijk aan de decembercijfers van CBS 'Personen met een uitkering; "
             "soort uitkering, wijken en buurten'); inwoners ultimo jaar (tabeltoelichting 83747NED)")
FLOW_DENOMINATOR = ("in % van het aantal bijstandsontvangers aan het begin van het jaar plus wie in het jaar instroomde, dus per "
                    "100 personen die in het jaar ooit algemene bijstand hadden (CBS-tabeltoelichting 83450NED: 'in % van aantal "
                    "bijstandsontvangers begin peiljaar plus gestart in peiljaar')")
for lg, (lg_label, lg_code) in AGE_GROUPS.items():
    _R += [
        Indicator(
            f"cbs_dichtheid_{lg}",
            f"Bijstandsdichtheid {lg_label} (zoals CBS publiceert)",
            f"per 1 000 inwoners {lg_label}",
            f"Bijstandsontvangers (algemene bijstand) {lg_label} per 1 000 inwoners {lg_label}, berekend en gepubliceerd door "
            "CBS (kolom Bijstandsdichtheid_3, eenheid 'per 1000 inwoners'). Alleen algemene bijstand, geen IOAW/IOAZ/Bbz.",
            T_8345,
            PEIL_8345,
            "volume",
            caveats="Door CBS afgerond op 0,5. Dat de noemer de inwoners van dezelfde leeftijdsgroep zijn, is afgeleid uit de "
            "cijfers (Nederland 2015, 15 jaar of ouder: 496 600 / 14 188 300 × 1 000 = 35,0), niet uit de tabelmetadata. "
            "Zie ook dichtheid_alg_* (zelf berekend uit dezelfde aantallen, onafgerond). " + RATE_HERINDELING + " " + AGE_CAVEAT,
            tags=("volume", "dichtheid"),
            rate=True,
        ),
        Indicator(
            f"cbs_instroom_pct_{lg}",
            f"Instroom in de bijstand, CBS-percentage, {lg_label}",
            "% van wie in het jaar ooit bijstand had",
            f"Personen die in het jaar instroomden in de algemene bijstand, {FLOW_DENOMINATOR}; {lg_label}. CBS-kolom Instroom_5 "
            "(2015: Instromers_5).",
            T_8345,
            "kalenderjaar",
            "instroom_uitstroom",
            caveats="Andere noemer dan instroom_pct_* (eigen berekening: per 100 bijstandsontvangers op de peildatum): voor "
            "Nederland 2015 (15 jaar of ouder) 24,5 % hier tegen 31,3 % daar. Door CBS afgerond op 0,5 procentpunt. "
            + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
        Indicator(
            f"cbs_uitstroom_pct_{lg}",
            f"Uitstroom uit de bijstand, CBS-percentage, {lg_label}",
            "% van wie in het jaar ooit bijstand had",
            f"Personen die in het jaar uitstroomden uit de algemene bijstand, {FLOW_DENOMINATOR}; {lg_label}. CBS-kolom "
            "Uitstroom_7 (2015: Uitstromers_7).",
            T_8345,
            "kalenderjaar",
            "instroom_uitstroom",
            caveats="Andere noemer dan uitstroom_pct_* (eigen berekening: per 100 bijstandsontvangers op de peildatum). "
            "Door CBS afgerond op 0,5 procentpunt. " + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
    ]
    if lg == "aow_plus":
        continue  # the source has no uitstroom naar werk, re-integratie or WSW figures for AOW age and older
    _R += [
        Indicator(
            f"cbs_uitstroom_werk_pct_{lg}",
            f"Uitstroom naar werk, CBS-percentage, {lg_label}",
            "% van wie in het jaar ooit bijstand had",
            f"Personen die in het jaar uitstroomden uit de algemene bijstand en aan het werk gingen, {FLOW_DENOMINATOR}; "
            f"{lg_label}. CBS-kolom UitstroomNaarWerk_9 (2015: UitstromersNaarWerk_9).",
            T_8345,
            "kalenderjaar",
            "instroom_uitstroom",
            caveats="Andere noemer dan uitstroom_werk_pct_* (eigen berekening: per 100 bijstandsontvangers op de peildatum). "
            "Door CBS afgerond op 0,5 procentpunt. " + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
        Indicator(
            f"werk_na_reintegratie_{lg}",
            f"Werkenden na re-integratie, {lg_label}",
            "personen",
            f"Personen die na een re-integratievoorziening van de gemeente werk hadden, {lg_label} (CBS-kolom "
            "WerkNaReIntegratie_11; 2015: WerkendenNaReIntegratie_11).",
            T_8345,
            "kalenderjaar",
            "reintegratie",
            caveats="Meetmoment en afbakening (welke voorzieningen, hoe lang na afloop) staan niet in de bestanden. 2017: niet "
            "gepubliceerd in 84066NED (geen cijfer, niet onderdrukt). Haarlem en Zandvoort hebben in 2016 geen "
            "re-integratiecijfers (tabeltoelichting 83747NED). Afgerond op tientallen. " + AGE_CAVEAT,
        ),
        Indicator(
            f"cbs_werk_na_reintegratie_pct_{lg}",
            f"Werkenden na re-integratie, CBS-percentage, {lg_label}",
            "%",
            f"Werkenden na re-integratie in procenten zoals CBS publiceert, {lg_label} (CBS-kolom WerkNaReIntegratie_12; "
            "2015: WerkendenNaReIntegratie_12).",
            T_8345,
            "kalenderjaar",
            "reintegratie",
            caveats="De noemer staat niet in de bestanden en niet in de gevonden tabeltoelichting; het is niet het aantal "
            "personen met een re-integratievoorziening (Nederland 2015: 43 480 / 165 440 = 26 %, CBS publiceert 17,0 %). "
            "Vergelijk daarom alleen gemeenten onderling, niet met een zelf berekend percentage. 2017 niet gepubliceerd. "
            + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
        Indicator(
            f"bijstand_met_reintegratie_{lg}",
            f"Personen met bijstand én een re-integratievoorziening, {lg_label}",
            "personen",
            f"Personen met algemene bijstand die ook een re-integratievoorziening van de gemeente hadden, {lg_label} (CBS-kolom "
            "PersonenMetBijstandEnReIntegratie_13).",
            T_8345,
            "jaar (peildatum niet in de bestanden)",
            "reintegratie",
            caveats="Afgerond op tientallen. " + AGE_CAVEAT,
        ),
        Indicator(
            f"cbs_bijstand_met_reintegratie_pct_{lg}",
            f"Bijstandsontvangers met een re-integratievoorziening, CBS-percentage, {lg_label}",
            "% van de bijstandsontvangers",
            f"Personen met bijstand én een re-integratievoorziening in % van de bijstandsontvangers, {lg_label} (CBS-kolom "
            "BijstandsontvangersMetReIntegratie_14, eenheid volgens cbs.nl 'in % van bijstandsontvangers').",
            T_8345,
            "jaar (peildatum niet in de bestanden)",
            "reintegratie",
            caveats="Door CBS afgerond op 0,5 procentpunt. " + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
        Indicator(
            f"cbs_reintegratie_met_bijstand_pct_{lg}",
            f"Re-integratieontvangers met bijstand, CBS-percentage, {lg_label}",
            "% van de personen met een re-integratievoorziening",
            f"Personen met bijstand én een re-integratievoorziening in % van alle personen met een re-integratievoorziening, "
            f"{lg_label} (CBS-kolom ReIntegratieontvangersMetBijstand_15, eenheid volgens cbs.nl 'in % van personen met "
            "re-integratievoorziening').",
            T_8345,
            "jaar (peildatum niet in de bestanden)",
            "reintegratie",
            caveats="Door CBS afgerond op 0,5 procentpunt. " + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
        Indicator(
            f"wsw_werknemers_{lg}",
            f"Wsw-werknemers, {lg_label}",
            "personen",
            f"Werknemers in de sociale werkvoorziening (Wsw) die in de gemeente wonen, {lg_label} (CBS-kolom WSWWerknemers_16; "
            "de regio-indeling volgt de woongemeente van de persoon, tabeltoelichting 83747NED).",
            T_8345,
            "jaar (peildatum niet in de bestanden)",
            "reintegratie",
            caveats="Afgerond op tientallen. " + AGE_CAVEAT,
        ),
        Indicator(
            f"cbs_wsw_dichtheid_{lg}",
            f"Wsw-dichtheid {lg_label} (zoals CBS publiceert)",
            f"per 1 000 inwoners {lg_label}",
            f"Wsw-werknemers {lg_label} per 1 000 inwoners {lg_label}, berekend en gepubliceerd door CBS (kolom WSWDichtheid_17, "
            "eenheid 'per 1000 inwoners').",
            T_8345,
            "jaar (peildatum niet in de bestanden)",
            "reintegratie",
            caveats="Dat de noemer de inwoners van dezelfde leeftijdsgroep zijn, is afgeleid uit de cijfers (Nederland 2015: "
            "96 370 / 14 188 300 × 1 000 = 6,8, gepubliceerd 7,0 voor 15 jaar of ouder; / 11 148 080 = 8,6, gepubliceerd 8,5 "
            "voor 15 jaar tot AOW-leeftijd). Door CBS afgerond op 0,5. " + RATE_HERINDELING + " " + AGE_CAVEAT,
            rate=True,
        ),
    ]

# ---- re-integratie-/participatievoorzieningen per gemeente (85588NED, 82342NED; issue 9, part C) ------------------------
VOORZ_CAVEAT = ("Telt voorzieningen, geen personen en geen euro's: één persoon kan meer voorzieningen hebben. Een maat voor de "
                "inzet op re-integratie (W-deel), niet voor de uitgaven.")
_R += [
    Indicator(
        "reintegratie_voorz_lopend_maand",
        "Lopende re-integratie-/participatievoorzieningen (eind van de maand)",
        "voorzieningen",
        "Re-integratie- en participatievoorzieningen van de gemeente die aan het eind van de maand liepen, alle typen samen "
        "(CBS 85588NED, type 'Totaal re-integratie-/participatievoorz.', status 'Lopend eind verslagperiode').",
        ("85588NED",),
        "einde maand (januari 2023 – september 2024)",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Tabeltitel niet in de dump; de omschrijving volgt de dimensies van de tabel. Gemeenten volgens "
        "de indeling 2024 (gelijk aan 2023). Afgerond op tientallen. Niet aan te sluiten op 82342NED (2013–2014): andere "
        "definities sinds de Participatiewet (2015).",
        tags=("maand",),
    ),
    Indicator(
        "reintegratie_voorz_lopend_dec",
        "Lopende re-integratie-/participatievoorzieningen op 31 december",
        "voorzieningen",
        "Het decembercijfer van reintegratie_voorz_lopend_maand als jaarcijfer: voorzieningen die op 31 december liepen "
        "(CBS 85588NED). Alleen 2023: van 2024 staan in de bron maanden tot en met september.",
        ("85588NED",),
        "31 december",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Afgerond op tientallen.",
    ),
    Indicator(
        "reintegratie_voorz_lopend_beeindigd_maand",
        "Re-integratie-/participatievoorzieningen lopend of beëindigd in de maand (2019–2022)",
        "voorzieningen",
        "Re-integratie- en participatievoorzieningen van de gemeente, alle typen samen, status 'Totaal voorzieningen: Lopend en "
        "beëindigd' (CBS 84510NED): voorzieningen die in de maand liepen, ook als ze in die maand eindigden.",
        ("84510NED",),
        "maand",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Alleen na `python3 dev.py etl vernieuw --bron reintegratie_2019`. Een andere status dan "
        "85588NED ('lopend eind verslagperiode', vanaf 2023): hoger, niet aan elkaar te plakken. Afgerond op tientallen.",
        tags=("maand", "live"),
    ),
    Indicator(
        "reintegratie_voorz_eind_maand_2015",
        "Re-integratievoorzieningen aan het eind van de maand (2015–2018)",
        "voorzieningen",
        "Re-integratievoorzieningen van de gemeente aan het eind van de maand, alle typen samen (CBS 83062NED, "
        "'Totaal re-integratievoorzieningen', kolom VoorzieningenEindVerslagperiode).",
        ("83062NED",),
        "einde maand",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Alleen na `python3 dev.py etl vernieuw --bron reintegratie_2015`. Re-integratievoorzieningen "
        "zonder de participatievoorzieningen die de tabellen vanaf 2019 meetellen: een breuk met 84510NED en 85588NED. "
        "Afgerond op tientallen.",
        tags=("maand", "live"),
    ),
    Indicator(
        "reintegratie_voorz_eind_halfjaar",
        "Lopende re-integratievoorzieningen aan het eind van het halfjaar (2013–2014)",
        "voorzieningen",
        "Re-integratievoorzieningen van de gemeente aan het eind van de verslagperiode (halfjaar), alle typen samen (CBS 82342NED, "
        "'Totaal re-integratievoorzieningen: voorzieningen eind verslagperiode'). Periode 2013-06 = eind 1e halfjaar 2013.",
        ("82342NED",),
        "30 juni en 31 december",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Gemeenten volgens de indeling van het jaar. Afgerond op tientallen. Niet aan te sluiten op 85588NED "
        "(2023–2024): andere definities sinds de Participatiewet (2015).",
    ),
    Indicator(
        "reintegratie_voorz_nieuw_halfjaar",
        "Nieuwe re-integratievoorzieningen per halfjaar (2013–2014)",
        "voorzieningen",
        "Re-integratievoorzieningen die in het halfjaar begonnen, alle typen samen (CBS 82342NED, 'Nieuwe voorzieningen'). "
        "Periode 2013-H1 = 1e halfjaar 2013.",
        ("82342NED",),
        "halfjaar",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Afgerond op tientallen.",
    ),
    Indicator(
        "reintegratie_voorz_beeindigd_halfjaar",
        "Beëindigde re-integratievoorzieningen per halfjaar (2013–2014)",
        "voorzieningen",
        "Re-integratievoorzieningen die in het halfjaar eindigden, alle typen samen (CBS 82342NED, 'Beëindigde voorzieningen').",
        ("82342NED",),
        "halfjaar",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Begin + nieuw − beëindigd is niet altijd eind: CBS publiceert het 'administratief verschil' "
        "apart (niet overgenomen). Afgerond op tientallen.",
    ),
    Indicator(
        "reintegratie_voorz_eind_dec_srg",
        "Lopende re-integratievoorzieningen op 31 december (2013–2014)",
        "voorzieningen",
        "Het cijfer eind 2e halfjaar van reintegratie_voorz_eind_halfjaar als jaarcijfer (CBS 82342NED).",
        ("82342NED",),
        "31 december",
        "reintegratie",
        caveats=VOORZ_CAVEAT + " Afgerond op tientallen.",
    ),
    Indicator(
        "reintegratie_voorz_per_1000_inw_15_65",
        "Lopende re-integratie-/participatievoorzieningen per 1 000 inwoners 15–65",
        "per 1 000 inwoners 15–65",
        "Voorzieningen die op 31 december 2023 liepen (CBS 85588NED) gedeeld door de inwoners van 15 tot en met 64 jaar uit CBS "
        "85383NED (maatstafjaar 2023), × 1 000. Beide op de indeling 2024.",
        ("85588NED", "85383NED"),
        "31 december 2023 / maatstafjaar 2023",
        "reintegratie",
        formula=Ratio(("reintegratie_voorz_lopend_dec",), ("inwoners_15_65",), factor=1000),
        caveats=VOORZ_CAVEAT + " De peildatum van de inwoners in 85383NED staat niet in de dump. Per 100 bijstandsontvangers is "
        "niet te berekenen: de meegeleverde bronnen hebben geen bijstandscijfer per gemeente voor eind 2023 (85383NED telt "
        "uitkeringen voor maatstafjaar 2024 zonder bekende peildatum).",
    ),
    Indicator(
        "reintegratie_voorz_srg_per_100_bijstand",
        "Lopende re-integratievoorzieningen per 100 personen met bijstand (31 december 2014)",
        "per 100 personen met bijstand tot AOW",
        "Re-integratievoorzieningen die op 31 december 2014 liepen (CBS 82342NED) gedeeld door de personen met bijstand(-gerelateerde "
        "uitkering) tot AOW-leeftijd op 31 december 2014 (maatstaf gemeentefonds, CBS 83440NED), × 100.",
        ("82342NED", "83440NED"),
        "31 december 2014",
        "reintegratie",
        formula=Ratio(("reintegratie_voorz_eind_dec_srg",), ("bijstand_personen_tot_aow_incl_gerelateerd",), factor=100),
        caveats=VOORZ_CAVEAT + " Alleen op een gemeenschappelijke indeling (standaard 2025): 82342NED volgt de indeling 2014, "
        "83440NED die van 2016. Niet alle voorzieningen gaan naar bijstandsontvangers: dit is een verhouding, geen aandeel.",
    ),
    Indicator(
        "reintegratie_voorz_srg_per_1000_inw_15_65",
        "Lopende re-integratievoorzieningen per 1 000 inwoners 15–65 (31 december 2014)",
        "per 1 000 inwoners 15–65",
        "Re-integratievoorzieningen die op 31 december 2014 liepen (CBS 82342NED) gedeeld door de inwoners van 15 tot 65 jaar "
        "uit de maatstaventabel met het bijstandscijfer van 31 december 2014 (CBS 83440NED), × 1 000.",
        ("82342NED", "83440NED"),
        "31 december 2014",
        "reintegratie",
        formula=Ratio(("reintegratie_voorz_eind_dec_srg",), ("inwoners_15_65",), factor=1000),
        caveats=VOORZ_CAVEAT + " Alleen op een gemeenschappelijke indeling (standaard 2025): 82342NED volgt de indeling 2014, "
        "83440NED die van 2016.",
    ),
]

# ---- Kerncijfers wijken en buurten 2020 (84799NED; issue 9, part B) -----------------------------------------------------
KWB20 = ("84799NED", "andere jaren na etl vernieuw")
KWB20_PEIL_CAVEAT = (
    "Peildatum afgeleid, niet in de metadata: de waarden zijn gelijk aan CBS 84897NED (personen met een uitkering, wijken en "
    "buurten 2020) voor maart 2020 en het landelijk totaal (421 110) komt overeen met 80794ned eind maart 2020 (421 300)."
)
_R += [
    Indicator(
        "bijstand_alg_personen_kwb",
        "Personen met bijstand (KWB)",
        "personen",
        "Personen met een bijstandsuitkering op grond van de Participatiewet, jonger dan de AOW-leeftijd; zonder elders "
        "verzorgden (in een instelling) en zonder dak- en thuislozen (CBS Kerncijfers wijken en buurten; 2020: 84799NED, PersonenPerSoortUitkeringBijstand_83, "
        "omschrijving uit de DataProperties). Alleen algemene bijstand, geen IOAW/IOAZ/Bbz.",
        KWB20,
        "2020: eind maart (afgeleid); andere jaren: niet in de metadata",
        "volume",
        caveats=KWB20_PEIL_CAVEAT + " 2020: voorlopige cijfers (download mei 2021). Afgerond op tientallen. Gemeenten volgens de "
        "indeling van het jaar van de tabel. Een andere definitie dan de maatstaven (met IOAW/IOAZ/Bbz, 31 december): Amsterdam 39 780 hier tegen 44 580 op "
        "31-12-2019.",
        tags=("volume",),
    ),
    Indicator("inwoners_kwb", "Inwoners (KWB)", "personen", "Aantal inwoners op 1 januari van het jaar (CBS Kerncijfers wijken en buurten; 2020: 84799NED, AantalInwoners_5).",
              KWB20, "1 januari van het jaar", "bevolking"),
    Indicator("inwoners_0_15_kwb", "Inwoners 0 tot 15 jaar (KWB)", "personen",
              "Inwoners die op 1 januari van het jaar 0 tot 15 jaar oud waren (CBS Kerncijfers wijken en buurten; 2020: 84799NED, k_0Tot15Jaar_8).", KWB20, "1 januari van het jaar",
              "bevolking"),
    Indicator("inwoners_15_65_kwb", "Inwoners 15 tot 65 jaar (KWB)", "personen",
              "Inwoners die op 1 januari van het jaar 15 tot 65 jaar oud waren: som van de CBS-kolommen 15–25, 25–45 en 45–65 jaar "
              "(2020: 84799NED k_15Tot25Jaar_9 + k_25Tot45Jaar_10 + k_45Tot65Jaar_11).", KWB20, "1 januari van het jaar", "bevolking"),
    Indicator("inwoners_65plus_kwb", "Inwoners 65 jaar of ouder (KWB)", "personen",
              "Inwoners die op 1 januari van het jaar 65 jaar of ouder waren (CBS Kerncijfers wijken en buurten; 2020: 84799NED, k_65JaarOfOuder_12).", KWB20, "1 januari van het jaar",
              "bevolking"),
    Indicator("huishoudens_kwb", "Particuliere huishoudens (KWB)", "huishoudens",
              "Totaal particuliere huishoudens (CBS Kerncijfers wijken en buurten; 2020: 84799NED, HuishoudensTotaal_28).", KWB20, "het jaar (peildatum niet in de metadata)",
              "bevolking"),
    Indicator("eenpersoonshuishoudens_kwb", "Eenpersoonshuishoudens (KWB)", "huishoudens",
              "Particuliere huishoudens van één persoon (CBS Kerncijfers wijken en buurten; 2020: 84799NED, Eenpersoonshuishoudens_29).", KWB20,
              "het jaar (peildatum niet in de metadata)", "bevolking"),
    Indicator("huishoudens_met_kinderen_kwb", "Huishoudens met kinderen (KWB)", "huishoudens",
              "Meerpersoonshuishoudens met kinderen: paren met kinderen en eenouderhuishoudens (CBS Kerncijfers wijken en buurten; 2020: 84799NED, "
              "HuishoudensMetKinderen_31).", KWB20, "het jaar (peildatum niet in de metadata)", "bevolking",
              caveats="Eenouderhuishoudens staan in deze tabel niet apart."),
    Indicator(
        "dichtheid_alg_kwb",
        "Bijstandsdichtheid (KWB) per 1 000 inwoners 15–65",
        "per 1 000 inwoners 15–65",
        "Personen met bijstand eind maart 2020 (afgeleid) per 1 000 inwoners van 15 tot 65 jaar op 1 januari van het jaar, beide uit CBS "
        "84799NED.",
        KWB20,
        "2020: eind maart (afgeleid) / 1 januari",
        "volume",
        formula=Ratio(("bijstand_alg_personen_kwb",), ("inwoners_15_65_kwb",), factor=1000),
        caveats=KWB20_PEIL_CAVEAT + " De bijstand telt tot de AOW-leeftijd (in 2020 66 jaar en 4 maanden), de noemer tot 65 jaar: "
        "de nauwste leeftijdsgroep in de tabel. Voorlopige cijfers.",
        tags=("volume", "dichtheid"),
    ),
]

# ---- national quarterly persons with bijstand, 2013–2024 (83618NED … 86003NED; issue 9, part E) -------------------------
_R.append(
    Indicator(
        "bijstand_alg_personen_nl_kwartaal",
        "Personen met bijstand tot AOW-leeftijd, Nederland (kwartaalcijfer)",
        "personen",
        "Personen met algemene bijstand jonger dan de AOW-leeftijd, Nederland, stand op de laatste dag van het kwartaal (maart, "
        "juni, september, december), uit de jaarlijkse CBS-tabellen 'Personen met een uitkering; soort uitkering, wijken en "
        "buurten' (83618NED 2013 … 86003NED 2024, kolom Bijstandsuitkering_6). Periode 2013-03 = eind maart 2013.",
        ("83618NED", "83012NED", "83173NED", "83577NED", "83759NED", "84417NED", "84692NED", "84897NED", "85042NED", "85317NED",
         "85586NED", "86003NED"),
        "laatste dag van het kwartaal",
        "volume",
        caveats="Alleen landelijk: per gemeente staat deze reeks wel bij CBS, maar de meegeleverde dumps hielden maar 29–61 "
        "gemeenten per jaar over (afgekapt op 10 000 rijen). Telt personen, niet uitkeringen: niet aan te sluiten op de "
        "maandreeks van 37789ksz (uitkeringen, tot 2018). De definitie is afgeleid uit de gelijkheid met CBS 80794ned "
        "(BijstandTotDeAOWLeeftijd) aan het eind van elk kwartaal (zie PROVENANCE). 2024: alleen maart, juni en september. "
        "Afgerond op tientallen.",
        tags=("landelijk",),
    )
)

# ---- columns already shipped but unused until issue 9 (part F) ----------------------------------------------------------
PEIL_FVW = "maatstafjaar (peildatum niet in de dump)"
for col_id, soort, toelichting in (
    ("bbz", "Bbz", "Besluit bijstandverlening zelfstandigen"),
    ("ioaw", "IOAW", "Wet inkomensvoorziening oudere en gedeeltelijk arbeidsongeschikte werkloze werknemers"),
    ("ioaz", "IOAZ", "Wet inkomensvoorziening oudere en gedeeltelijk arbeidsongeschikte gewezen zelfstandigen"),
    ("adreslozen", "adreslozen", "uitkeringen aan adreslozen (kolom Adreslozen_27)"),
    ("overig_adreslozen", "overige adreslozen", "uitkeringen aan overige adreslozen (kolom OverigAdreslozen_28)"),
    ("elders_verzorgden", "elders verzorgden", "uitkeringen aan personen die in een instelling verblijven (kolom EldersVerzorgden_29)"),
):
    _R.append(
        Indicator(
            f"bijstand_uitkeringen_{col_id}",
            f"Bijstandsuitkeringen: {soort} (huishoudens)",
            "uitkeringen",
            f"Aantal uitkeringen {soort} ({toelichting}), CBS 85383NED Maatstaven Fvw, maatstafjaar 2024 (definitief). Onderdeel van "
            "bijstand_uitkeringen_totaal: totaal = algemene bijstand + Bbz + IOAW + IOAZ + adreslozen + overige adreslozen + "
            "elders verzorgden (nagerekend op de cijfers, op afronding na).",
            ("85383NED",),
            PEIL_FVW,
            "volume",
            caveats="Telt uitkeringen (huishoudens), geen personen. Afgerond op tientallen per gemeente: bij de kleine soorten "
            "ligt de som over de gemeenten duidelijk onder het landcijfer (2024: Bbz 1 720 tegen 1 940, IOAZ 1 270 tegen 1 450, "
            "overige adreslozen 2 680 tegen 2 830)."
            + (" Alleen ingevuld voor 43 gemeenten (vermoedelijk de centrumgemeenten maatschappelijke opvang; afgeleid, niet "
               "in de metadata); de andere gemeenten hebben geen cijfer, niet onderdrukt." if col_id == "adreslozen" else ""),
        )
    )
_R += [
    Indicator(
        "eenouderhuishoudens",
        "Eenouderhuishoudens",
        "huishoudens",
        "Aantal eenouderhuishoudens, CBS 85383NED Maatstaven Fvw (maatstafjaren 2023 en 2024, definitief).",
        ("85383NED",),
        PEIL_FVW,
        "bevolking",
        caveats="Niet afgerond. Niet hetzelfde als 'eenouderhuishoudens met 2 of meer kinderen' in de maatstaventabellen 2019–2022.",
    ),
    Indicator(
        "loonkostensubsidie_personen_fvw",
        "Personen met loonkostensubsidie (maatstaf Fvw)",
        "personen",
        "Personen met loonkostensubsidie (Participatiewet), CBS 85383NED Maatstaven Fvw: maatstafjaar 2023 definitief, 2024 "
        "voorlopig.",
        ("85383NED",),
        PEIL_FVW,
        "reintegratie",
        caveats="Afgerond op tientallen. Een andere tabel en peildatum dan loonkostensubsidie_personen_maatstaf (31 december "
        "2018–2021): Amsterdam 1 300 (2023) hier tegen 960 op 31-12-2021; niet als één reeks lezen.",
    ),
    Indicator(
        "wajong_uitkeringen_fvw",
        "Wajong-uitkeringen (maatstaf Fvw)",
        "uitkeringen",
        "Aantal Wajong-uitkeringen, CBS 85383NED Maatstaven Fvw, maatstafjaar 2024 (definitief).",
        ("85383NED",),
        PEIL_FVW,
        "bevolking",
        caveats="Niet afgerond. Een andere tabel dan wajong_uitkeringen_maatstaf (31 december 2017–2021).",
    ),
    Indicator(
        "wajong_uitkeringen_maatstaf",
        "Wajong-uitkeringen op 31 december (maatstaven gemeentefonds)",
        "uitkeringen",
        "Aantal Wajong-uitkeringen op 31 december van het jaar, uit de maatstaventabellen van het gemeentefonds (84590NED: "
        "31-12-2017, 84860NED: 31-12-2019, 85052NED: 31-12-2020, 85309NED: 31-12-2021; peildatum uit de kolomnaam).",
        ("84590NED", "84860NED", "85052NED", "85309NED"),
        "31 december",
        "bevolking",
        caveats="31-12-2018 ontbreekt in de bron. Elke tabel volgt de gemeentelijke indeling van zijn regiojaar (2019–2022). "
        "Afgerond op tientallen.",
    ),
    Indicator(
        "loonkostensubsidie_personen_maatstaf",
        "Personen met loonkostensubsidie op 31 december (maatstaven gemeentefonds)",
        "personen",
        "Personen met loonkostensubsidie op 31 december van het jaar, uit de maatstaventabellen van het gemeentefonds (84590NED: "
        "31-12-2018 … 85309NED: 31-12-2021; peildatum uit de kolomnaam).",
        ("84590NED", "84860NED", "85052NED", "85309NED"),
        "31 december",
        "reintegratie",
        caveats="Elke tabel volgt de gemeentelijke indeling van zijn regiojaar (2019–2022). Afgerond op tientallen. 31-12-2021: "
        "Weesp is leeg in 85309NED.",
    ),
    Indicator(
        "bijstandsontvangers_gf_maatstaf",
        "Bijstandsontvangers volgens de verdeelmaatstaf van het gemeentefonds",
        "bijstandsontvangers (maatstafvolume)",
        "Het volume van de verdeelmaatstaf 'bijstandsontvangers' (kolom bo3_nw) waarmee BZK het gemeentefonds (cluster "
        "Participatie) verdeelt, per uitkeringsjaar volgens de septembercirculaire 2024 (uitkeringsjaren 2024 en 2025).",
        GF,
        "uitkeringsjaar (circulaire september 2024)",
        "volume",
        caveats="Een door BZK bewerkt maatstafvolume met gebroken getallen (vaak op een derde: vermoedelijk een gemiddelde over "
        "drie jaar; afgeleid, niet gedocumenteerd in de snapshot), geen CBS-telling en geen peildatum: niet vergelijken met de "
        "CBS-reeksen van personen of uitkeringen.",
    ),
]
for col_id, label in (
    ("bijstand_uitkeringen_totaal_nl", "Bijstandsuitkeringen totaal (alle leeftijden)"),
    ("bijstand_uitkeringen_vanaf_aow_nl", "Bijstandsuitkeringen vanaf AOW-leeftijd"),
    ("ioaw_uitkeringen_nl", "IOAW-uitkeringen"),
    ("ioaz_uitkeringen_nl", "IOAZ-uitkeringen"),
    ("ao_uitkeringen_nl", "Arbeidsongeschiktheidsuitkeringen totaal"),
    ("wao_uitkeringen_nl", "WAO-uitkeringen"),
    ("wajong_uitkeringen_nl", "Wajong-uitkeringen"),
    ("waz_uitkeringen_nl", "WAZ-uitkeringen"),
    ("wia_uitkeringen_nl", "WIA-uitkeringen totaal"),
    ("ww_uitkeringen_nl", "WW-uitkeringen (niet seizoengecorrigeerd)"),
    ("iow_uitkeringen_nl", "IOW-uitkeringen"),
    ("aow_uitkeringen_nl", "AOW-uitkeringen"),
    ("anw_uitkeringen_nl", "Anw-uitkeringen"),
    ("akw_uitkeringen_nl", "AKW-uitkeringen (kinderbijslag)"),
):
    _R.append(
        Indicator(
            col_id,
            f"{label}, Nederland (maandcijfer)",
            "uitkeringen",
            f"{label}, Nederland, CBS 37789ksz Sociale zekerheid; kerncijfers, uitkeringen naar uitkeringssoort (gepubliceerd in "
            "duizendtallen met één decimaal, hier × 1 000).",
            ("37789ksz",),
            "einde maand",
            "landelijk",
            caveats="Alleen landelijk; telt uitkeringen, geen personen. Kolomnamen van de versie 2018/2019 van de tabel; de "
            "omschrijving volgt de kolomnaam (DataProperties niet in de snapshot). Maanden zonder cijfer (reeks nog niet "
            "begonnen of nog niet gepubliceerd) ontbreken.",
            tags=("landelijk",),
        )
    )

# ---- fetched only by `etl vernieuw` (etl/live.py; issue 12): absent from the shipped snapshots -----------------------------
LIVE_CAVEAT = ("Alleen aanwezig na `python3 dev.py etl vernieuw` (live opgehaald bij CBS); de meegeleverde snapshots bevatten "
               "deze reeks niet. Afgerond op tientallen waar de gegevens dat bevestigen.")
_R += [
    Indicator(
        "bijstand_alg_personen_kwartaal",
        "Personen met bijstand tot AOW-leeftijd (kwartaalcijfer, per gemeente)",
        "personen",
        "Personen met algemene bijstand jonger dan de AOW-leeftijd, stand op de laatste dag van het kwartaal, per gemeente, uit de "
        "jaarlijkse CBS-tabellen 'Personen met een uitkering; soort uitkering, wijken en buurten' (kolom Bijstandsuitkering, "
        "aantal). Dezelfde definitie als de landelijke kwartaalreeks. Periode 2024-03 = eind maart 2024.",
        ("83618NED", "…", "86003NED", "opvolgers"),
        "laatste dag van het kwartaal",
        "volume",
        caveats=LIVE_CAVEAT + " Gemeenten op de indeling van het tabeljaar. Telt personen, niet uitkeringen.",
        tags=("volume", "live"),
    ),
    Indicator(
        "bijstandsuitkeringen_maand",
        "Bijstandsuitkeringen (maandcijfer, per gemeente)",
        "uitkeringen",
        "Aantal bijstandsuitkeringen (een uitkering per huishouden; zonder uitkeringen aan personen in een instelling en aan dak- "
        "en thuislozen), alle leeftijden, CBS 82015NED Bijstandsuitkeringen; uitkeringsgrondslag, regio's.",
        ("82015NED",),
        "maandcijfer (peilmoment binnen de maand niet in de metadata)",
        "volume",
        caveats=LIVE_CAVEAT + " Telt uitkeringen (huishoudens), geen personen. Gemeenten op de indeling van het jaar van de periode.",
        tags=("volume", "live"),
    ),
    *[Indicator(
        f"bijstandsuitkeringen_{k}_maand",
        f"Bijstandsuitkeringen, leefvorm {label} (maandcijfer, per gemeente)",
        "uitkeringen",
        f"Aantal bijstandsuitkeringen met leefvorm {label}, CBS 82015NED (kolom {col}).",
        ("82015NED",),
        "maandcijfer (peilmoment binnen de maand niet in de metadata)",
        "volume",
        caveats=LIVE_CAVEAT,
        tags=("volume", "live"),
    ) for k, label, col in (("alleenstaande", "alleenstaande", "LeefvormAlleenstaande"),
                            ("alleenstaande_ouder", "alleenstaande ouder", "LeefvormAlleenstaandeOuder"),
                            ("paar", "(echt)paar", "LeefvormEchtPaar"))],
    Indicator(
        "bijstand_personen_tot_aow_maand",
        "Personen met bijstand tot AOW-leeftijd (maandcijfer, per gemeente)",
        "personen",
        "Personen met een bijstandsuitkering jonger dan de AOW-leeftijd, CBS 80794ned Personen met een uitkering; "
        "uitkeringsontvangers per regio (kolom BijstandTotDeAOWLeeftijd).",
        ("80794ned",),
        "laatste dag van de maand",
        "volume",
        caveats=LIVE_CAVEAT + " Gemeenten op de indeling van het jaar van de periode.",
        tags=("volume", "live"),
    ),
    Indicator(
        "bijstand_gerelateerd_tot_aow_maand",
        "Personen met bijstand of bijstandsgerelateerde uitkering tot AOW-leeftijd (maandcijfer, per gemeente)",
        "personen",
        "Personen met bijstand of een bijstandsgerelateerde uitkering (IOAW, IOAZ, Bbz) jonger dan de AOW-leeftijd, CBS 80794ned "
        "(kolom BijstandGerelateerdTotAOWLeeftijd).",
        ("80794ned",),
        "laatste dag van de maand",
        "volume",
        caveats=LIVE_CAVEAT + " Gemeenten op de indeling van het jaar van de periode.",
        tags=("volume", "live"),
    ),
    *[Indicator(
        f"bijstand_{k}_nl_kwartaal",
        f"{label} bijstand, Nederland (kwartaal)",
        "personen",
        f"{definition}, Nederland, alle geslachten, leeftijden en herkomst, CBS 85615NED Personen met bijstand; (her)instromers "
        "en uitstromers (kolom " + column + ").",
        ("85615NED",),
        "kwartaal (een stroom over het kwartaal)",
        "landelijk",
        caveats="Meegeleverd: 2012–2024 (3e kwartaal), de rijen met alle kenmerken op totaal uit een kopie van de CBS-tabel; "
        "`python3 dev.py etl vernieuw --bron stromen` haalt de actuele tabel. Afgerond op tientallen. Alleen landelijk: CBS "
        "publiceert in- en uitstroom per gemeente na 2017 niet in een open tabel (alleen als maatwerk). Het landcijfer telt ook "
        "personen van wie de woongemeente onbekend is.",
        tags=("landelijk",),
    ) for k, label, definition, column in (
        ("instromers", "Instromers", "Personen die in het kwartaal in de bijstand kwamen", "Instromers"),
        ("herinstromers", "(Her)instromers binnen een jaar", "Instromers van het kwartaal die in het jaar vóór hun instroom ook "
         "bijstand hadden (een deel van de instromers)", "HerInstromersBinnenEenJaar"),
        ("uitstromers", "Uitstromers", "Personen van wie de bijstand in het kwartaal eindigde", "Uitstromers"))],
    # Handhaving (issue 19): CBS 82020NED, the only open handhaving figure per gemeente; live only, described, never judged.
    Indicator(
        "bijstandsvorderingen_aantal",
        "Openstaande bijstandsvorderingen (maandcijfer)",
        "vorderingen",
        "Aantal openstaande vorderingen van de gemeente uit bijstand aan het eind van de maand, alle ontstaansgronden "
        "(terugvordering, verhaal, schending van de inlichtingenplicht …), CBS 82020NED Bijstand; bijstandsvorderingen naar "
        "ontstaansgrond en regio (kolom AantalOpenstaandeVorderingen).",
        ("82020NED",),
        "einde van de maand",
        "handhaving",
        caveats=LIVE_CAVEAT + " Een vordering blijft staan tot ze is afgelost of buiten invordering gesteld, ook als de "
        "schuldenaar geen bijstand meer heeft: een voorraad van jaren, geen maat voor fraude of voor handhaving in de maand.",
        tags=("live", "handhaving"),
    ),
    Indicator(
        "bijstandsvorderingen_saldo",
        "Openstaand saldo bijstandsvorderingen (maandcijfer)",
        "mln euro",
        "Openstaand bedrag van de bijstandsvorderingen aan het eind van de maand, alle ontstaansgronden, CBS 82020NED "
        "(kolom OpenstaandSaldo, miljoen euro).",
        ("82020NED",),
        "einde van de maand",
        "handhaving",
        caveats=LIVE_CAVEAT + " CBS publiceert het saldo in miljoenen met één decimaal: voor een kleine gemeente is dat grof "
        "(0,5 mln kan 450 000 tot 550 000 euro zijn).",
        tags=("live", "handhaving"),
    ),
    Indicator(
        "bijstandsvorderingen_per_1000_bijstand",
        "Openstaande bijstandsvorderingen per 1 000 personen met bijstand tot AOW-leeftijd",
        "per 1 000 personen met bijstand",
        "Openstaande bijstandsvorderingen (CBS 82020NED) gedeeld door het aantal personen met bijstand tot AOW-leeftijd in "
        "dezelfde maand (CBS 80794ned), maal 1 000. Een verhouding, geen kans: de vorderingen lopen ook op oud-ontvangers.",
        ("82020NED", "80794ned"),
        "einde van de maand (beide tabellen dezelfde maand)",
        "handhaving",
        formula=Ratio(("bijstandsvorderingen_aantal",), ("bijstand_personen_tot_aow_maand",), factor=1000),
        caveats=LIVE_CAVEAT + " Alleen waar beide tabellen voor dezelfde maand en gemeente een cijfer hebben.",
        tags=("live", "handhaving"),
    ),
]

# ---- presentation: short label, decimals, favourable direction, and where no signal is given ------------------------------
_WDEEL = "een proxy: Iv3-lasten 6.4 + 6.5 meten niet de besteding van het W-deel"
_IDEEL = "een proxy: taakveld 6.3 omvat meer dan de BUIG (bijzondere bijstand, minimabeleid)"
PRESENTATION: dict[str, dict] = {
    "dichtheid_uitkeringen_totaal": dict(short="Uitkeringen per 1 000", decimals=1, lower_is_better=True),
    "bijstandsvorderingen_aantal": dict(short="Vorderingen", decimals=0),
    "bijstandsvorderingen_saldo": dict(short="Saldo vorderingen (mln)", decimals=1),
    "bijstandsvorderingen_per_1000_bijstand": dict(short="Vorderingen per 1 000 bijstand", decimals=0),
    "dichtheid_tot_aow_incl_gerelateerd": dict(short="Dichtheid incl. IOAW", decimals=1, lower_is_better=True),
    "cbs_dichtheid_15_aow": dict(short="Dichtheid CBS", decimals=1, lower_is_better=True),
    "cbs_instroom_pct_15_aow": dict(short="Instroom CBS-%", decimals=1, lower_is_better=True),
    "cbs_uitstroom_pct_15_aow": dict(short="Uitstroom CBS-%", decimals=1, lower_is_better=False),
    "cbs_uitstroom_werk_pct_15_aow": dict(short="Naar werk CBS-%", decimals=1, lower_is_better=False),
    "reintegratie_voorz_per_1000_inw_15_65": dict(short="Re-integratie /1 000", decimals=1, lower_is_better=None),
    **{f"wdeel_onderbesteding_proxy_{s}": dict(short="IU min lasten 6.4 + 6.5 (proxy)", decimals=1, lower_is_better=True,
                                               no_signal=_WDEEL, proxy=True) for s in IV3_SOORTEN},
    **{f"wdeel_onderbesteding_proxy_65_{s}": dict(short="IU min lasten 6.5 (proxy)", decimals=1, lower_is_better=True,
                                                  no_signal=_WDEEL.replace("6.4 + 6.5", "6.5"), proxy=True) for s in IV3_SOORTEN},
    **{f"ideel_resultaat_proxy_{s}": dict(short="Saldo taakveld 6.3 (proxy)", decimals=1, lower_is_better=False,
                                          no_signal=_IDEEL, proxy=True) for s in IV3_SOORTEN},
}
_R = [replace(i, **PRESENTATION.get(i.id, {})) for i in _R]
_R = [i if i.decimals or not (i.derived or i.rate) else replace(i, decimals=1) for i in _R]  # rates and ratios: one decimal

REGISTRY: dict[str, Indicator] = {ind.id: ind for ind in _R}
assert len(REGISTRY) == len(_R), "duplicate indicator id in the registry"
for _ind in _R:
    if _ind.formula:
        for _i in _ind.formula.inputs():
            assert _i in REGISTRY and REGISTRY[_i].additive, f"{_ind.id}: unknown or derived input {_i}"

BASE = [i for i in _R if i.base]
DERIVED = [i for i in _R if i.derived]


def get(indicator_id: str) -> Indicator:
    return REGISTRY[indicator_id]
