"""The rules of docs/domain/ngap.md, by id, with a short French description,
and the UNCERTAIN readings the engine applies.

Every rule id the engine cites is here (a test checks it). `status` is
VERIFIED or UNCERTAIN as in ngap.md; `uncertain` says which point of a
VERIFIED rule is still uncertain. The readings the engine applies where the
reference is UNCERTAIN are listed in `READINGS`, each in one place: the engine
consults them through the constants below and reports the rule id in
`Quote.uncertain_rules` whenever the reading decided something.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    text: str
    status: str  # VERIFIED | UNCERTAIN
    uncertain: str = ""  # the uncertain point of the rule, if any
    article: str = ""

    @property
    def anchor(self) -> str:
        return self.id.replace(".", "-")


_RULES = [
    # --- art. 11B: several acts in one séance
    Rule("NGAP-11B-1", "Actes multiples : 1 + 1/2",
         "Dans une même séance, l'acte de plus fort coefficient est facturé à taux plein, "
         "le deuxième à 50 % de son coefficient ; les suivants ne sont pas facturés.",
         "VERIFIED", article="NGAP DG art. 11B"),
    Rule("NGAP-11B-2", "Une ligne par acte",
         "Chaque acte est facturé sur sa propre ligne (AMI 4 puis AMI 1 à 50 %), jamais en un "
         "coefficient fusionné (pas d'« AMI 4,5 »).", "VERIFIED", article="NGAP DG art. 11B"),
    Rule("NGAP-11B-3", "Arrondi au centime",
         "Le montant de chaque ligne est arrondi au centime, le demi-centime vers le haut "
         "(0,5 × 3,15 = 1,575 → 1,58).", "UNCERTAIN",
         uncertain="La règle d'arrondi (demi-centime vers le haut) n'est confirmée que par un "
         "exemple d'un guide de facturation.", article="NGAP DG art. 11B"),
    Rule("NGAP-11B-X1", "Perfusions : cumul à taux plein",
         "Les forfaits d'une perfusion se cumulent entre eux à taux plein ; un autre acte de la "
         "séance compte comme deuxième acte (50 %).", "VERIFIED",
         article="NGAP Titre XVI ch. II art. 3 et 4 ; décision UNCAM du 21 juillet 2014"),
    Rule("NGAP-11B-X2", "Patient insulino-traité (art. 5bis)",
         "Les actes de l'article 5bis se cumulent entre eux à taux plein ; face aux autres actes, "
         "le groupe compte comme un seul acte (somme des coefficients), qui peut être minoré de "
         "50 %.", "VERIFIED",
         uncertain="L'articulation avec la dérogation du prélèvement veineux (X3) est incertaine ; "
         "à égalité de coefficient avec un autre acte, lequel est minoré (lecture : l'autre "
         "acte, le groupe restant entier) aussi.",
         article="NGAP Titre XVI ch. II art. 5bis"),
    Rule("NGAP-11B-X3", "Prélèvement par ponction veineuse directe",
         "Le prélèvement veineux (AMI 1,5) se cumule à taux plein, par dérogation à l'article "
         "11B. Lecture appliquée : au plus deux actes facturés, tous deux à taux plein ; les "
         "autres ne sont pas facturés.", "VERIFIED",
         uncertain="« Au plus deux actes, le troisième non facturé » ne repose que sur une source ; "
         "prélèvement + injection (AMI 1,5 + AMI 1 ou + AMI 0,5) : sources contradictoires.",
         article="NGAP Titre XVI ch. I art. 1"),
    Rule("NGAP-11B-X4", "Séance de soins (AIS) et pansement lourd",
         "La séance de soins infirmiers (AIS) se cumule à taux plein avec un pansement lourd et "
         "complexe.", "VERIFIED", article="NGAP Titre XVI ch. I art. 11"),
    Rule("NGAP-11B-X5", "Vaccination",
         "L'injection d'un vaccin (AMI 2,4 / 3,05) se cumule à taux plein à domicile ; au cabinet "
         "la règle 1 + 1/2 s'applique.", "UNCERTAIN",
         uncertain="Les « actes liés à la vaccination » ne sont pas détaillés dans la source.",
         article="NGAP Titre XVI ch. I art. 1 (avenant 9)"),
    Rule("NGAP-11B-X6", "Analgésie topique préalable",
         "L'analgésie topique (AMI 1,1) se cumule à taux plein avec le pansement de la même "
         "séance.", "UNCERTAIN", uncertain="Vue seulement dans le code d'un tiers.",
         article="NGAP Titre XVI ch. I art. 3"),
    Rule("NGAP-11B-X7", "Surveillance post-opératoire",
         "La séance post-opératoire (AMI 3,9 / 4,2) se cumule à taux plein avec le retrait de "
         "sonde urinaire (AMI 2) ou la surveillance/retrait de drain (AMI 2,8).", "UNCERTAIN",
         uncertain="Vue seulement dans le code d'un tiers.", article="NGAP Titre XVI ch. II art. 7"),
    Rule("NGAP-11B-X8", "Forfaits BSI et liste AMX à taux plein",
         "Les forfaits BSA/BSB/BSC sont toujours à taux plein ; les actes AMX de la liste « taux "
         "plein » de l'avenant 6 s'y ajoutent à taux plein (voir NGAP-BSI-5).", "VERIFIED",
         article="NGAP Titre XVI ch. I art. 12 ; avenant 6"),
    # --- BSI
    Rule("NGAP-BSI-1", "Un forfait BSI par patient et par jour",
         "Un seul forfait BSA, BSB ou BSC par patient et par jour, quel que soit le nombre de "
         "passages.", "VERIFIED", article="NGAP DG art. 23.3 (décision UNCAM du 13 janvier 2022)"),
    Rule("NGAP-BSI-2", "Pas de séance AIS avec un forfait BSI",
         "Les forfaits BSA/BSB/BSC ne se cumulent pas avec les séances AIS.", "UNCERTAIN",
         uncertain="Sources secondaires concordantes ; texte officiel non lu.",
         article="NGAP Titre XVI ch. I art. 12"),
    Rule("NGAP-BSI-3", "Bilan de soins infirmiers (DI)",
         "Élaboration du BSI : DI 2,5 (initial), DI 1,2 (renouvellement annuel ; intermédiaire, "
         "2 par an au plus).", "VERIFIED", article="NGAP Titre XVI ch. I art. 12"),
    Rule("NGAP-BSI-4", "IFI pour les passages liés à la dépendance",
         "Un passage pour des soins liés à la dépendance, le jour d'un forfait BSA/BSB/BSC ou "
         "d'un DI, donne droit à l'IFI (2,75 €) au lieu de l'IFD.", "VERIFIED",
         uncertain="Un plafond de 4 IFI par jour n'apparaît que dans le code d'un tiers : non "
         "appliqué.", article="NGAP Titre XVI ch. I art. 12"),
    Rule("NGAP-BSI-5", "Actes AMX avec un forfait BSI ou une séance AIS",
         "Un acte AMI réalisé en sus d'un forfait BSI ou d'une séance AIS est facturé AMX. Liste "
         "« taux plein » (perfusions, pansements lourds, prélèvement, séance IC/BPCO) : cumul à "
         "taux plein, règle 1 + 1/2 entre eux. Liste « dégressivité » (injections, insuline, "
         "surveillance…) : le forfait compte comme premier acte, l'AMX est à 50 %, le suivant "
         "n'est pas facturé.", "UNCERTAIN",
         uncertain="Les listes sont vérifiées ; la lecture « forfait = 1er acte, AMX à 50 % » et "
         "la règle 1 + 1/2 entre AMX de la liste taux plein ne le sont pas.",
         article="Avenant 6 (en vigueur le 1er janvier 2020)"),
    Rule("NGAP-BSI-6", "Pas de MAU avec BSI, AMX ou IFI",
         "La MAU ne se cumule pas avec BSA/BSB/BSC, AMX ou IFI.", "VERIFIED",
         article="Décision UNCAM du 8 février 2023"),
    Rule("NGAP-BSI-7", "MCI et forfaits BSI",
         "Lecture appliquée : l'art. 23.2 pris à la lettre — la MCI est due pour un pansement "
         "lourd et complexe ou un patient en soins palliatifs à domicile, y compris à côté d'un "
         "forfait BSI, d'une séance AIS, d'un acte AMX ou de l'IFI.", "UNCERTAIN",
         uncertain="Le code d'un tiers l'exclut ; la FAQ ameli sur la MCI cite les séances AIS "
         "des patients palliatifs ; aucun texte n'exclut les forfaits BSI.",
         article="NGAP DG art. 23.2 ; FAQ ameli MCI"),
    Rule("NGAP-BSI-8", "Projet d'avenant 11",
         "Le projet d'avenant 11 (février 2026) limiterait le cumul aux seuls AMX le jour d'un "
         "BSI : non signé, non appliqué.", "UNCERTAIN",
         uncertain="Négociation en cours ; statut après février 2026 inconnu.",
         article="Projet d'avenant 11"),
    # --- art. 14: night, Sunday and holidays
    Rule("NGAP-14-1", "Majorations de nuit et de dimanche",
         "Majoration due lorsque, en cas d'urgence justifiée par l'état du malade, les actes sont "
         "effectués la nuit ou le dimanche et jour férié ; elle s'ajoute aux honoraires et aux "
         "frais de déplacement.", "VERIFIED", article="NGAP DG art. 14"),
    Rule("NGAP-14-2", "Nuit : de 20 h à 8 h, appel d'urgence",
         "La nuit s'entend des actes effectués entre 20 h et 8 h ; en cas d'urgence, l'appel "
         "doit avoir été fait entre 19 h et 7 h.", "VERIFIED", article="NGAP DG art. 14"),
    Rule("NGAP-14-3", "Actes répétés : prescription impérative",
         "Pour des actes infirmiers répétés, les majorations ne sont dues que si la prescription "
         "précise la nécessité impérieuse d'une exécution de nuit ou rigoureusement quotidienne.",
         "VERIFIED", article="NGAP DG art. 14"),
    Rule("NGAP-14-4", "Tranches horaires de nuit",
         "20 h–23 h et 5 h–8 h : 9,15 € ; 23 h–5 h : 18,30 €. Bornes appliquées : [20 h, 23 h) et "
         "[5 h, 8 h) d'une part, [23 h, 5 h) d'autre part.", "VERIFIED",
         uncertain="Rattachement des heures exactes (23 h 00, 5 h 00) incertain.",
         article="NGAP DG art. 14"),
    Rule("NGAP-14-5", "Nuit et dimanche ne se cumulent pas",
         "Les majorations de nuit et de dimanche ne se cumulent pas : une seule majoration par "
         "intervention. Lecture appliquée : la plus élevée est retenue.", "VERIFIED",
         uncertain="Retenir la plus élevée est une déduction.", article="NGAP DG art. 14"),
    Rule("NGAP-14-6", "Samedi à partir de 8 h (appel urgent)",
         "La majoration de dimanche s'applique dès le samedi 8 h pour un appel urgent.",
         "VERIFIED", article="Convention nationale, annexe I"),
    Rule("NGAP-14-7", "Jours fériés",
         "Les 11 jours fériés légaux (1er janvier, lundi de Pâques, 1er et 8 mai, Ascension, "
         "lundi de Pentecôte, 14 juillet, 15 août, 1er et 11 novembre, 25 décembre). Lecture "
         "appliquée : le lundi de Pentecôte compte, et en Alsace-Moselle le Vendredi saint et le "
         "26 décembre aussi.", "VERIFIED",
         uncertain="Lundi de Pentecôte et jours fériés d'Alsace-Moselle : incertain pour la NGAP.",
         article="NGAP DG art. 14 ; Code du travail L.3133-1"),
    Rule("NGAP-14-8", "MAU, MCI, MIE avec nuit/dimanche",
         "MAU, MCI et MIE se cumulent avec les majorations de nuit et de dimanche.", "VERIFIED",
         article="NGAP DG art. 14, 23.1, 23.2"),
    # --- art. 23.1 MAU
    Rule("NGAP-23.1-1", "Majoration acte unique (MAU)",
         "Un acte unique en AMI de coefficient inférieur ou égal à 1,5, au cabinet ou à domicile, "
         "donne droit à la MAU (1,35 €), à chaque intervention.", "VERIFIED",
         article="NGAP DG art. 23.1 (décision UNCAM du 8 février 2023)"),
    Rule("NGAP-23.1-2", "MAU et MIE",
         "La MAU se cumule avec la MIE ; pas avec BSA/BSB/BSC, AMX ni IFI.", "VERIFIED",
         article="NGAP DG art. 23.1"),
    Rule("NGAP-23.1-3", "MAU et MCI",
         "La MAU ne se cumule pas avec la MCI.", "VERIFIED",
         article="NGAP DG art. 23.1 (décision UNCAM du 20 décembre 2011)"),
    # --- art. 23.2 MCI
    Rule("NGAP-23.2-1", "Majoration de coordination infirmière (MCI)",
         "À domicile, pour un pansement lourd et complexe ou pour des soins à un patient en soins "
         "palliatifs : MCI 5,00 €, une fois par intervention.", "VERIFIED",
         article="NGAP DG art. 23.2"),
    Rule("NGAP-23.2-2", "Soins palliatifs",
         "Patient atteint d'une pathologie grave, évolutive, mettant en jeu le pronostic vital ; "
         "aucune prescription particulière n'est exigée.", "VERIFIED", article="NGAP DG art. 23.2"),
    Rule("NGAP-23.2-3", "Pas de MCI au cabinet ni avec le bilan plaie",
         "Pas de MCI au cabinet, en EHPAD, ni avec le bilan initial de plaie (AMI 11).",
         "VERIFIED", article="NGAP DG art. 23.2"),
    # --- MIE
    Rule("NGAP-MIE-1", "Majoration jeune enfant (MIE)",
         "3,15 € par passage pour un enfant de moins de 7 ans ; se cumule avec la MAU. Lecture "
         "appliquée : âge au jour des soins (le jour des 7 ans, plus de MIE).", "VERIFIED",
         uncertain="Le calcul de l'âge au jour des soins est une convention.",
         article="Avenant 6 art. 5.3"),
    # --- art. 13 travel
    Rule("NGAP-13-1", "Indemnité forfaitaire de déplacement (IFD)",
         "IFD pour des soins prescrits à domicile ; sans prescription à domicile le déplacement "
         "n'est pas remboursé.", "VERIFIED", article="NGAP DG art. 13"),
    Rule("NGAP-13-2", "Une IFD par déplacement",
         "Une seule IFD (et IK) par déplacement : un deuxième patient au même domicile ou dans le "
         "même établissement, au cours du même déplacement, n'en donne pas.", "VERIFIED",
         article="NGAP DG art. 13.1"),
    Rule("NGAP-13-3", "Conditions des IK",
         "IK seulement si le patient n'est pas dans la même agglomération que le cabinet et à "
         "plus de 2 km (plaine) ou 1 km (montagne) ; la zone est celle du cabinet.", "VERIFIED",
         article="NGAP DG art. 13"),
    Rule("NGAP-13-4", "Calcul des IK",
         "Kilomètres facturables = aller-retour moins un abattement de 2 km par trajet en plaine "
         "(4 km), 1 km en montagne (2 km). Lecture appliquée : à pied / à ski comme la montagne ; "
         "kilomètres fractionnaires gardés tels quels.", "VERIFIED",
         uncertain="Abattement à pied / à ski et arrondi des kilomètres fractionnaires incertains.",
         article="NGAP DG art. 13"),
    Rule("NGAP-13-5", "IFD et IK ensemble",
         "Les IK s'ajoutent à l'IFD.", "VERIFIED", article="NGAP DG art. 13"),
    Rule("NGAP-IKCAP-1", "Plafond journalier des IK",
         "Par infirmier et par jour : km 1 à 299 à taux plein, km 300 à 399 à 50 %, au-delà non "
         "payés. Lecture appliquée : décompte dans l'ordre des passages de la journée.",
         "VERIFIED",
         uncertain="Date d'effet : 2020-04-01 retenu (laruche ; laboiteaidel : 2020-03-31 ; "
         "l-idel : 2020-01-01) ; ordre de décompte incertain.", article="Avenant 6"),
    # --- AMO
    Rule("AMO-1", "Remboursement AMO : 60 %",
         "Les actes des auxiliaires médicaux sont remboursés à 60 % (ticket modérateur 40 %).",
         "VERIFIED", uncertain="Aucun changement trouvé pour 2025–2026 (recherche non exhaustive).",
         article="Code de la sécurité sociale"),
    Rule("AMO-2", "ALD : 100 % pour les soins en rapport",
         "Soins en rapport avec l'ALD (partie haute de l'ordonnance bizone) : 100 % ; les autres "
         "soins au taux ordinaire.", "VERIFIED", article="CSS L.160-14"),
    Rule("AMO-3", "Maternité, AT/MP : 100 %",
         "Maternité (du 1er jour du 6e mois à 12 jours après l'accouchement) et accident du "
         "travail / maladie professionnelle : 100 % du tarif.", "VERIFIED",
         uncertain="Fenêtre exacte de la maternité non relue ; elle est déclarée par "
         "l'utilisateur (couverture « maternité »).", article="CSS L.160-9, L.431-1"),
    Rule("AMO-4", "C2S",
         "C2S : AMO 60 %, la C2S paie le ticket modérateur (tiers payant intégral) ; la part "
         "patient affichée est le ticket modérateur.", "VERIFIED", article="CSS L.861-1"),
    Rule("AMO-5", "Franchise médicale",
         "La franchise (1 € par acte, 4 €/jour, 50 €/an) est retenue par la CPAM sur les "
         "remboursements : elle ne figure pas sur la facture.", "VERIFIED",
         uncertain="Dates et exonérations autres que les mineurs incertaines.",
         article="CSS L.160-13"),
    Rule("AMO-6", "AMO calculée ligne par ligne",
         "La part AMO est calculée et arrondie sur chaque ligne, puis additionnée.", "UNCERTAIN",
         uncertain="Pratique des FSE déduite ; par ligne et sur le total donnent le plus souvent "
         "les mêmes centimes.", article="Cahier des charges SESAM-Vitale (non lu)"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


# ------------------------------------------------------------------ readings
#
# Each UNCERTAIN point of ngap.md, the reading the engine applies, and the rule
# id it is reported under. Where another reading exists in the sources, the
# engine reads it from a constant below and nothing else, so changing a reading
# (and its test) is one edit here when the official text is read. The readings
# without an alternative to switch to are stated at the one function that
# applies them (cited with their rule id) and in `READINGS`.


@dataclass(frozen=True, slots=True)
class Reading:
    rule_id: str
    text: str


# NGAP-11B-3: half-up rounding to the cent, per line.
ROUNDING = "ROUND_HALF_UP"
# NGAP-11B-X2: a 5bis group and another act of the same total coefficient
# (AMI 1 + AMI 1 beside AMI 2): the group is kept whole and the other act
# halved, as a lawyer's trade-press column (2016) bills it. False: the other
# act first, the group halved.
FIVEBIS_GROUP_WHOLE_ON_TIE = True
# NGAP-11B-X3: the venous sample takes one of the two billed slots, both at
# full rate; further acts are dropped. False: the sample is billed at full rate
# beside the art. 11B "1 + 1/2" of the other acts.
PRELEVEMENT_TAKES_A_SLOT = True
# NGAP-11B-X2 × X3: with 5bis acts, the venous sample keeps its full rate
# (the CPAM example that halves it may predate the derogation). False: the
# sample is ranked with the 5bis group like any act, as in the CPAM example.
PRELEVEMENT_FULL_RATE_WITH_5BIS = True
# NGAP-11B-X5: vaccination acts are exempt from the decote at home only.
VACCINATION_EXEMPT_AT_HOME_ONLY = True
# NGAP-11B-X6, X7: the derogation needs the companion act in the séance.
ANALGESIE_NEEDS_PANSEMENT = True
POSTOP_RETRAIT_NEEDS_SEANCE = True
# NGAP-BSI-2: a BSI forfait excludes AIS séances (the AIS line is dropped).
AIS_DROPPED_WITH_BSI = True
# NGAP-BSI-5: with a forfait/AIS, the forfait counts as the first act for the
# "dégressivité" list (first AMX at 50 %, then 0); full-rate-list AMX follow
# 1 + 1/2 among themselves.
AMX_FORFAIT_IS_FIRST_ACT = True
# NGAP-BSI-7: the MCI beside a BSI forfait, an AIS séance, AMX or the IFI
# (art. 23.2 taken literally; the ameli MCI FAQ lists AIS for palliative
# patients). False: no MCI there (a third party's code).
MCI_WITH_BSI = True
# NGAP-14-4: night bands as hours [start, end) (23:00 is deep night), read
# in engine._night_bands; the hours are dated parameters (tariffs.toml
# NUIT_DEBUT, NUIT_PROF_DEBUT, NUIT_PROF_FIN, NUIT_FIN).
# NGAP-14-7: Whit Monday counts; Alsace-Moselle adds Good Friday and 26 Dec.
WHIT_MONDAY_IS_HOLIDAY = True
ALSACE_MOSELLE_DAYS = True
# NGAP-MIE-1: age in whole years on the date of care; MIE while below the
# dated limit (tariffs.toml MIE_AGE_MAX).

READINGS: tuple[Reading, ...] = (
    Reading("NGAP-11B-3", "Arrondi au centime, demi-centime vers le haut, ligne par ligne."),
    Reading("NGAP-11B-X2", "Avec des actes 5bis, le prélèvement veineux reste à taux plein."),
    Reading("NGAP-11B-X2", "Groupe 5bis et autre acte de même coefficient total : le groupe "
            "reste entier, l'autre acte est minoré de 50 % (chronique juridique, presse "
            "professionnelle, 2016)."),
    Reading("NGAP-11B-X3", "Prélèvement veineux : au plus deux actes facturés, les deux à taux "
            "plein ; les suivants à 0."),
    Reading("NGAP-11B-X5", "Vaccination hors décote à domicile seulement ; au cabinet, 1 + 1/2."),
    Reading("NGAP-11B-X6", "Analgésie topique hors décote seulement avec un pansement dans la "
            "même séance."),
    Reading("NGAP-11B-X7", "Retrait de sonde / drain hors décote seulement avec la séance "
            "post-opératoire (AMI 3,9 ou 4,2) dans la même séance."),
    Reading("NGAP-BSI-2", "Une séance AIS avec un forfait BSI du jour n'est pas facturée."),
    Reading("NGAP-BSI-4", "Pas de plafond du nombre d'IFI par jour ; IFI quand le passage "
            "comporte un forfait BSA/BSB/BSC ou un DI."),
    Reading("NGAP-BSI-5", "Forfait BSI ou séance AIS = premier acte : AMX de la liste "
            "« dégressivité » à 50 % puis 0 ; AMX de la liste « taux plein » en 1 + 1/2 entre eux. "
            "Un acte sans identifiant de catalogue ni étiquette connue est traité comme "
            "« dégressivité »."),
    Reading("NGAP-BSI-7", "MCI due aussi à côté d'un forfait BSI, d'une séance AIS, d'un AMX "
            "ou de l'IFI (art. 23.2 pris à la lettre)."),
    Reading("NGAP-BSI-8", "Projet d'avenant 11 non appliqué."),
    Reading("NGAP-14-4", "Nuit : [20 h, 23 h) et [5 h, 8 h) ; milieu de nuit : [23 h, 5 h)."),
    Reading("NGAP-14-5", "Nuit et dimanche/férié ensemble : la majoration la plus élevée."),
    Reading("NGAP-14-7", "Lundi de Pentecôte férié ; en Alsace-Moselle, Vendredi saint et "
            "26 décembre fériés."),
    Reading("NGAP-MIE-1", "Âge en années révolues au jour des soins ; MIE jusqu'à la veille des "
            "7 ans."),
    Reading("NGAP-13-4", "À pied / à ski : seuil et abattement de la montagne ; kilomètres "
            "fractionnaires non arrondis."),
    Reading("NGAP-IKCAP-1", "Plafond en vigueur le 2020-04-01 (laruche ; laboiteaidel : "
            "31 mars 2020) ; kilomètres décomptés dans l'ordre des passages donnés."),
    Reading("AMO-6", "Part AMO arrondie ligne par ligne puis additionnée."),
)
