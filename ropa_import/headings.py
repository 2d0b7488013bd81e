"""Which field a column heading names, in the wordings DPOs' registers use
(docs/import.md, "Headings"): this service's own export, the UK ICO
documentation template for controllers, Fides' data map export (ICO-based),
the CNIL "registre" model and the CNPD example (French), a DSGVO
"Verzeichnis von Verarbeitungstätigkeiten" (German, after the DSK model) and
common in-house wordings. Headings are compared after ``norm``: case, accents,
punctuation and parenthesised notes such as "(if applicable)" do not count.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reports.ropa import CONTROLLER_HEADERS, DERIVED_COLUMNS

# Columns that are read but go to no field of their own: "derived" columns of
# this service's export (recomputed from other records) and "notes".
DERIVED = "derived"
NOTES = "notes"
IGNORED = "ignored"

# This service's own headers, in CONTROLLER_HEADERS order.
OWN_FIELDS = (
    "ref",
    "name",
    "status",
    "owner",
    "purposes",
    "lawful_basis",
    "legitimate_interest",
    "lia_reference",
    "consent_record_reference",
    "art9_condition",
    "art10_basis",
    "data_subject_categories",
    "data_categories",
    "special_categories",
    "data_source",
    "recipients",
    "systems",
    "third_countries",
    "transfer_safeguards",
    "retention",
    "retention_per_category",
    "security_measures",
    "dpia_required",
    "dpia_reference",
    "next_review_on",
    "rights_available",
    "automated_decisions",
    "profiling",
    "automated_decision_logic",
    "dpia_status",
)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": (
        "ref",
        "reference",
        "id",
        "no",
        "nr",
        "number",
        "activity id",
        "reference number",
        "numero",
        "n de la fiche",
        "identifiant",
        "lfd nr",
        "nummer",
        "kennung",
    ),
    "name": (
        "name",
        "activity",
        "activity name",
        "processing activity",
        "processing activity name",
        "name of processing activity",
        "name of the processing activity",
        "processing operation",
        "nom de l activite",
        "activite",
        "activite de traitement",
        "nom du traitement",
        "traitement",
        "denomination du traitement",
        "bezeichnung der verarbeitungstatigkeit",
        "bezeichnung der verarbeitung",
        "verarbeitungstatigkeit",
        "name der verarbeitungstatigkeit",
        "bezeichnung",
    ),
    "status": ("status", "statut", "etat"),
    "owner": (
        "owner",
        "business function",
        "department",
        "department or business function",
        "business unit",
        "process owner",
        "responsible department",
        "service",
        "direction service",
        "service responsable",
        "responsable du traitement interne",
        "fachabteilung",
        "abteilung",
        "verantwortliche fachabteilung",
        "organisationseinheit",
    ),
    "purposes": (
        "purposes",
        "purpose",
        "purpose of processing",
        "purposes of processing",
        "purposes of the processing",
        "purpose of the processing",
        "finalite",
        "finalites",
        "finalite s",
        "finalite du traitement",
        "finalites du traitement",
        "objectifs poursuivis",
        "zweck",
        "zwecke",
        "zweck der verarbeitung",
        "zwecke der verarbeitung",
        "zweckbestimmung",
    ),
    "lawful_basis": (
        "lawful basis",
        "legal basis",
        "legal bases",
        "lawful bases",
        "lawful basis for processing",
        "article 6 lawful basis for processing personal data",
        "art 6 lawful basis",
        "article 6 lawful basis",
        "gdpr article 6 lawful basis for processing",
        "legal ground",
        "base legale",
        "base juridique",
        "fondement juridique",
        "base legale du traitement",
        "rechtsgrundlage",
        "rechtsgrundlagen",
        "rechtsgrundlage der verarbeitung",
        "rechtsgrundlage art 6 dsgvo",
    ),
    "legitimate_interest": (
        "legitimate interests",
        "legitimate interest",
        "legitimate interests for the processing",
        "legitimate interests pursued",
        "interet legitime",
        "interets legitimes",
        "interets legitimes poursuivis",
        "berechtigtes interesse",
        "berechtigte interessen",
    ),
    "lia_reference": (
        "lia reference",
        "link to record of legitimate interests assessment",
        "link to lia record",
        "lia",
    ),
    "consent_record_reference": (
        "consent record",
        "link to record of consent",
        "record of consent",
        "preuve du consentement",
        "nachweis der einwilligung",
    ),
    "art9_condition": (
        "special category condition",
        "article 9 condition for processing special category data",
        "art 9 condition",
        "article 9 condition",
        "art 9 condition for processing",
        "condition art 9",
        "exception art 9",
        "rechtsgrundlage art 9 dsgvo",
        "ausnahme art 9",
    ),
    "art10_basis": ("art 10 basis", "article 10 basis", "criminal offence data basis"),
    "data_subject_categories": (
        "categories of data subjects",
        "data subjects",
        "data subject categories",
        "categories of individuals",
        "individuals",
        "data subject",
        "categories de personnes concernees",
        "personnes concernees",
        "kategorien betroffener personen",
        "betroffene personen",
        "betroffenengruppen",
        "kategorien von betroffenen",
        "kreis der betroffenen personen",
    ),
    "data_categories": (
        "categories of personal data",
        "personal data",
        "data categories",
        "personal data categories",
        "categories of data",
        "types of personal data",
        "data elements",
        "data category",
        "categories de donnees",
        "categories de donnees collectees",
        "categories de donnees traitees",
        "categories de donnees a caractere personnel",
        "donnees traitees",
        "donnees collectees",
        "kategorien personenbezogener daten",
        "datenkategorien",
        "personenbezogene daten",
        "kategorien von daten",
        "art der daten",
    ),
    "special_categories": (
        "special categories of data",
        "special category data",
        "special categories",
        "sensitive data",
        "donnees sensibles",
        "des donnees sensibles sont elles traitees",
        "besondere kategorien personenbezogener daten",
        "besondere kategorien",
    ),
    "data_source": (
        "source of the data",
        "source of data",
        "the source of the personal data",
        "source of the personal data",
        "data source",
        "source",
        "source des donnees",
        "origine des donnees",
        "datenquelle",
        "herkunft der daten",
        "datenherkunft",
    ),
    "recipients": (
        "categories of recipients",
        "recipients",
        "recipient",
        "external recipients",
        "recipient categories",
        "third parties",
        "processors",
        "vendors",
        "categories de destinataires",
        "categories de destinataires des donnees",
        "destinataires",
        "destinataires internes",
        "organismes externes",
        "sous traitants",
        "kategorien von empfangern",
        "empfanger",
        "empfangerkategorien",
        "auftragsverarbeiter",
        "kategorien von empfangern gegenuber denen die personenbezogenen "
        "daten offengelegt worden sind oder noch offengelegt werden",
    ),
    "recipient_details": (
        "recipients role country",
        "recipients with role and country",
    ),
    "systems": (
        "systems",
        "system",
        "location of personal data",
        "applications",
        "application",
        "it systems",
        "software",
        "fides system",
        "related system",
        "nom du logiciel ou de l application",
        "logiciel",
        "application logiciel",
        "eingesetzte systeme",
        "it systeme",
        "systeme",
        "anwendung",
    ),
    "third_countries": (
        "third countries",
        "third country",
        "third country transfers",
        "international transfers",
        "transfers",
        "transfer countries",
        "names of third countries or international organisations that personal "
        "data are transferred to",
        "third countries ios data are transferred to",
        "transferts hors ue",
        "transferts de donnees hors ue",
        "transferts des donnees hors ue",
        "transferts vers des pays tiers",
        "pays tiers",
        "ubermittlung in drittlander",
        "ubermittlungen in drittlander",
        "drittlandubermittlung",
        "drittlander",
        "drittlandtransfer",
        "ubermittlung an drittland oder internationale organisation",
    ),
    "transfer_safeguards": (
        "transfer safeguards",
        "safeguards",
        "transfer mechanism",
        "transfer mechanisms",
        "safeguards for exceptional transfers",
        "safeguards for exceptional transfers of personal data",
        "safeguards for exceptional transfers of personal data to third countries "
        "or international organisations",
        "garanties",
        "garanties appropriees",
        "encadrement des transferts",
        "geeignete garantien",
        "garantien",
        "garantien bei drittlandubermittlung",
        "dokumentation geeigneter garantien",
    ),
    "retention": (
        "retention",
        "retention period",
        "retention periods",
        "retention schedule",
        "time limits for erasure",
        "erasure time limits",
        "duree de conservation",
        "durees de conservation",
        "delai d effacement",
        "delais prevus pour l effacement des donnees",
        "durees de conservation des categories de donnees",
        "loschfrist",
        "loschfristen",
        "aufbewahrungsfrist",
        "aufbewahrungsdauer",
        "fristen fur die loschung",
        "vorgesehene fristen fur die loschung",
        "regelfristen fur die loschung",
    ),
    "retention_per_category": ("retention per data category",),
    "security_measures": (
        "security measures",
        "general description of technical and organisational security measures",
        "general description of toms",
        "general description of security measures",
        "technical and organisational measures",
        "technical and organizational measures",
        "toms",
        "tom",
        "encryption",
        "access controls",
        "access control",
        "security",
        "mesures de securite",
        "mesures de securite organisationnelles et techniques",
        "mesures techniques et organisationnelles",
        "chiffrement",
        "controle d acces",
        "technische und organisatorische massnahmen",
        "technische und organisatorische massnahmen tom",
        "tom nach art 32 dsgvo",
        "verschlusselung",
        "zugriffskontrolle",
        "zugangskontrolle",
    ),
    "dpia_required": (
        "dpia required",
        "data protection impact assessment required",
        "dpia",
        "aipd requise",
        "aipd",
        "dsfa erforderlich",
        "dsfa",
        "datenschutz folgenabschatzung erforderlich",
    ),
    "dpia_reference": (
        "dpia reference",
        "link to data protection impact assessment",
        "link to dpia",
    ),
    "next_review_on": (
        "next review",
        "next review date",
        "review date",
        "next review on",
        "prochaine revue",
        "date de revision",
        "nachste uberprufung",
        "wiedervorlage",
    ),
    "rights_available": (
        "rights available to individuals",
        "rights available",
        "data subject rights",
        "droits des personnes",
        "betroffenenrechte",
    ),
    "automated_decision_logic": (
        "existence of automated decision making including profiling",
        "automated decision making and profiling logic and effects",
        "prise de decision automatisee",
        "automatisierte entscheidungsfindung einschliesslich profiling",
    ),
    "automated_decisions": ("automated decision making art 22",),
    "profiling": ("profiling art 4 4",),
    "dpia_status": (
        "dpia progress",
        "dpia status",
        "etat de l aipd",
        "stand der dsfa",
    ),
    NOTES: ("notes", "comments", "comment", "remarks", "remarques", "bemerkungen"),
}

# Own export's derived columns read back onto the records they come from
# (docs/import.md, "Our own export, imported again"); the others are read,
# never stored (they are recomputed).
OWN_READ = {
    "Name and contact details of joint controller": "joint_controllers",  # Art. 26
    "Link to contract with processor": "processor_contracts",  # Art. 28(3)
    "CCPA categories": "ccpa_categories",  # Cal. Civ. Code 1798.140(v)(1)
}
OWN_DERIVED = tuple(
    h
    for h, _ in DERIVED_COLUMNS
    if h != "Recipients (role, country)" and h not in OWN_READ
)

# Sub-headings under a group heading (two-row headers): the group's words and
# the sub-heading's words -> field.
GROUPS: tuple[tuple[str, str, str], ...] = (
    (r"transf|ubermittl|drittland", r"countr|pays|land|destination", "third_countries"),
    (
        r"transf|ubermittl|drittland",
        r"safeguard|garant|mechanism|mecanism",
        ("transfer_safeguards"),
    ),
    (r"recipient|destinataire|empfanger", r".", "recipients"),
    (r"securit|tom|massnahm|mesures", r".", "security_measures"),
    (r"personnes concernees|data subject|betroffene", r".", "data_subject_categories"),
)

# The contact block of Art. 30(1)(a) above the table (ICO template rows 1-6,
# Fides' organisation block, the CNIL "coordonnées"): section and field words.
CONTACT_SECTIONS = (
    (r"data protection officer|\bdpo\b|delegue|datenschutzbeauftragt", "dpo"),
    (r"representative|representant|vertreter", "representative"),
    (r"controller|organisation|organization|responsable|verantwortlich", "entity"),
)
CONTACT_LABELS = (
    (
        r"^(name|nom|organisation name|company name|firma|name der organisation)$",
        "name",
    ),
    (r"^(address|adresse|anschrift)$", "address"),
    (r"^(email|e mail|courriel|adresse de messagerie|mail)$", "email"),
    (r"^(telephone|phone|tel|telefon)$", "phone"),
    (r"^(country|pays|land)$", "country"),
)

_NOTE = re.compile(r"\([^)]*\)|\[[^]]*\]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Case, accents and punctuation folded: "Finalité(s) :" -> "finalite s".
    Cached: an import folds the same few names again on every row."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def norm_loose(text: str) -> str:
    """norm() without parenthesised notes such as "(if applicable)"."""
    return norm(_NOTE.sub(" ", text))


def synonym_index() -> dict[str, str]:
    index = {norm(word): key for key, words in SYNONYMS.items() for word in words}
    own = dict(zip(CONTROLLER_HEADERS, OWN_FIELDS, strict=True))
    index |= {norm(header): key for header, key in own.items()}
    return index


INDEX = synonym_index()


def field_for(header: str, own: bool = False) -> str | None:
    """The field a heading names, or None."""
    if own and header in OWN_DERIVED:
        return DERIVED
    if own and header in OWN_READ:
        return OWN_READ[header]
    return INDEX.get(norm(header)) or INDEX.get(norm_loose(header))


def field_under(group: str, sub: str) -> str | None:
    """The field of a sub-heading under a group heading (two-row headers)."""
    combined = field_for(f"{group} {sub}")
    if combined:
        return combined
    top, bottom = norm(group), norm(sub)
    for group_words, sub_words, key in GROUPS:
        if re.search(group_words, top) and re.search(sub_words, bottom):
            return key
    return field_for(sub)


def contact_section(text: str) -> str | None:
    found = norm(text)
    return next(
        (key for words, key in CONTACT_SECTIONS if re.search(words, found)), None
    )


def contact_label(text: str) -> str | None:
    found = norm_loose(text)
    return next((key for words, key in CONTACT_LABELS if re.search(words, found)), None)


def all_fields() -> list[str]:
    """Every field a column can be mapped to (the --mapping vocabulary)."""
    return [*SYNONYMS, *OWN_READ.values(), DERIVED]
