"""Reading one cell as people write it, in English, French or German: empty
markers, lists, dates, yes/no, lawful bases (Art. 6(1)), Art. 9(2)
conditions, countries, recipients and transfer safeguards (docs/import.md)."""

from __future__ import annotations

import calendar
import difflib
import gettext
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import pycountry
from django.db import models
from django.utils import translation
from django_countries import countries

from inventory.models import DataCategory, ProcessingActivity, Vendor
from reports.safeguards import SCOPE_NOTES
from reports.xlsx import MAX_CELL_CHARS, country_name, unneutralise
from ropa_import.headings import norm
from transfers import law, rules
from transfers.models import Transfer


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row): where it is, what is wrong, what was expected
    and the closest known value."""

    sheet: str
    row: int
    column: str
    value: str
    message: str
    expected: str = ""
    suggestion: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = f" (value: {self.value!r})" if self.value else ""
        text = f"{where}: {self.message}{shown}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.suggestion:
            text += f"; did you mean {self.suggestion}?"
        return text


class CellError(ValueError):
    """A cell that cannot be read as its column says."""

    def __init__(self, message: str, expected: str = "", suggestion: str = "") -> None:
        super().__init__(message)
        self.expected, self.suggestion = expected, suggestion


# norm() forms of the ways registers say "nothing here".
EMPTY_WORDS = {
    "",
    "n a",
    "na",
    "none",
    "nil",
    "not applicable",
    "no",
    "non",
    "nein",
    "nicht zutreffend",
    "entfallt",
    "keine",
    "kein",
    "neant",
    "aucun",
    "aucune",
    "sans objet",
    "s o",
    "tbc",
}
YES_WORDS = {"yes", "y", "true", "1", "x", "oui", "o", "ja", "j", "vrai", "wahr"}
NO_WORDS = {"no", "n", "false", "0", "non", "nein", "faux", "falsch"} | EMPTY_WORDS


def is_blank(text: str) -> bool:
    return norm(text) in EMPTY_WORDS


def plain_text(value: Any) -> str:
    """Any cell as text, with the formula-neutralising prefix removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise CellError(f"longer than {MAX_CELL_CHARS:,} characters")
        return unneutralise(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_BULLET = re.compile(r"^\s*(?:[-•*·▪]|\d+[.)])\s+")


def split_items(text: str, semicolons: bool = True, commas: bool = False) -> list[str]:
    """One item per line (bullets removed), and per ``;`` and, in list
    columns, per comma outside brackets; empty markers dropped."""
    parts = re.split(r"[\n;]" if semicolons else r"\n", text)
    items = []
    for part in parts:
        part = _BULLET.sub("", part)
        pieces = split_commas(part) if commas else [part]
        items += [" ".join(p.split()) for p in pieces]
    return [item for item in items if not is_blank(item)]


def split_commas(text: str) -> list[str]:
    pieces, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char == "," and depth <= 0:
            pieces.append(current)
            current = ""
        else:
            current += char
    return [*pieces, current]


MONTHS = {
    norm(name): number
    for number, names in enumerate(
        [
            ("january", "janvier", "januar", "jan"),
            ("february", "fevrier", "februar", "feb", "fev"),
            ("march", "mars", "marz", "mar"),
            ("april", "avril", "apr", "avr"),
            ("may", "mai"),
            ("june", "juin", "juni", "jun"),
            ("july", "juillet", "juli", "jul"),
            ("august", "aout", "aug"),
            ("september", "septembre", "sep", "sept"),
            ("october", "octobre", "oktober", "oct", "okt"),
            ("november", "novembre", "nov"),
            ("december", "decembre", "dezember", "dec", "dez"),
        ],
        start=1,
    )
    for name in names
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")
DATE_EXPECTED = "a date cell, 2026-03-31, 31.03.2026, 31/03/2026 or March 2026"


def parse_date(value: Any) -> date | None:
    """A typed date cell, or text as ISO, day first (European) or a month
    and year (the month's last day: a review due in March is due by its end)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = plain_text(value).strip()
    if is_blank(text):
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    month_year = re.fullmatch(r"([a-z]+)\s+(\d{4})", norm(text))
    if month_year and month_year[1] in MONTHS:
        year, month = int(month_year[2]), MONTHS[month_year[1]]
        return date(year, month, calendar.monthrange(year, month)[1])
    raise CellError("not a date", DATE_EXPECTED)


def parse_bool(text: str) -> bool:
    words = norm(text).split()
    first = words[0] if words else ""
    if first in YES_WORDS:
        return True
    if first in NO_WORDS or norm(text) in EMPTY_WORDS:
        return False
    raise CellError("not yes or no", "Yes/No, Oui/Non or Ja/Nein")


def choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index = {norm(str(label)): value for value, label in choices.choices}
    return index | {norm(value): value for value in choices.values}


def closest(text: str, known: Sequence[str]) -> str:
    """The known value nearest to ``text`` (for "did you mean"), or ""."""
    by_norm = {norm(k): k for k in known}
    match = difflib.get_close_matches(norm(text), list(by_norm), n=1, cutoff=0.6)
    return by_norm[match[0]] if match else ""


def in_order(text: str, words: Sequence[tuple[str, str]]) -> list[tuple[int, str]]:
    """(position, value) of every word found in the norm() form of ``text``."""
    found = norm(text)
    return [
        (m.start(), value)
        for word, value in words
        for m in re.finditer(rf"\b{word}", found)
    ]


# Art. 6(1): "Art. 6(1)(b) and (c)", "Art. 6 (1) lit. b DSGVO", "6.1.b",
# "Art. 6 Abs. 1 lit. a und f" -> the letters, in order.
ART6 = re.compile(
    r"\b6\s*(?:\(\s*1\s*\)|abs\.?\s*1|para\.?\s*1|al\.?\s*1|\.\s*1\.?|\s1\b)\s*"
    r"((?:(?:lit\.?|,|and|und|et|ou|or|oder|&|/|\+)?\s*\(?\s*[a-f]\s*\)?\s*(?=[\s,;)/&+]|$|and|und|et))+)",
)
ART6_WORDS = (
    ("legitimate interest", "legitimate_interests"),
    ("interets? legitimes?", "legitimate_interests"),
    ("berechtigte[sn]? interesse", "legitimate_interests"),
    ("legal obligation", "legal_obligation"),
    ("legal requirement", "legal_obligation"),
    ("statutory", "legal_obligation"),
    ("obligations? legales?", "legal_obligation"),
    ("rechtliche[rn]? verpflichtung", "legal_obligation"),
    ("gesetzliche[rn]? verpflichtung", "legal_obligation"),
    ("vital interest", "vital_interests"),
    ("interets? vita", "vital_interests"),
    ("lebenswichtige", "vital_interests"),
    ("public task", "public_task"),
    ("public interest", "public_task"),
    ("official authority", "public_task"),
    ("mission d interet public", "public_task"),
    ("offentliche[rn]? (aufgabe|interesse)", "public_task"),
    ("contract", "contract"),
    ("contrat", "contract"),
    ("vertrag", "contract"),
    ("consent", "consent"),
    ("consentement", "consent"),
    ("einwilligung", "consent"),
)
LAWFUL_EXPECTED = (
    "Consent, Contract, Legal obligation, Vital interests, Public task, "
    "Legitimate interests (or French/German), or Art. 6(1)(a)-(f)"
)


def article_letters(text: str, article: re.Pattern[str]) -> list[tuple[int, str]]:
    found = []
    for match in article.finditer(text.lower()):
        letters = re.findall(r"(?<![a-z])([a-j])(?![a-z])", match[1])
        found += [(match.start() + n, letter) for n, letter in enumerate(letters)]
    return found


def parse_lawful_bases(text: str) -> list[str]:
    """Every Art. 6(1) basis a cell names, in the order written."""
    if is_blank(text):
        return []
    exact = choice_index(ProcessingActivity.LawfulBasis).get(norm(text))
    if exact:
        return [exact]
    by_letter = dict(zip("abcdef", ProcessingActivity.LawfulBasis.values, strict=True))
    found = [(p, by_letter[m]) for p, m in article_letters(text, ART6)]
    found += in_order(text, ART6_WORDS)
    bases = list(dict.fromkeys(value for _, value in sorted(found)))
    if not bases:
        labels = [str(label) for label in ProcessingActivity.LawfulBasis.labels]
        raise CellError(
            "not a lawful basis",
            LAWFUL_EXPECTED,
            closest(text, [*labels, *[label.split(" (")[0] for label in labels]]),
        )
    return bases


ART9 = re.compile(
    r"\b9\s*(?:\(\s*2\s*\)|abs\.?\s*2|para\.?\s*2|\.\s*2\.?|\s2\b)\s*"
    r"((?:(?:lit\.?|,|and|und|et|&|/)?\s*\(?\s*[a-j]\s*\)?\s*(?=[\s,;)/&]|$|and|und|et))+)",
)
ART9_WORDS = (
    ("explicit consent", "9_2_a"),
    ("consentement explicite", "9_2_a"),
    ("ausdruckliche einwilligung", "9_2_a"),
    ("employment", "9_2_b"),
    ("social security", "9_2_b"),
    ("droit du travail", "9_2_b"),
    ("arbeitsrecht", "9_2_b"),
    ("vital interest", "9_2_c"),
    ("not.for.profit", "9_2_d"),
    ("made public", "9_2_e"),
    ("legal claim", "9_2_f"),
    ("droits en justice", "9_2_f"),
    ("rechtsanspruch", "9_2_f"),
    ("substantial public interest", "9_2_g"),
    ("health or social care", "9_2_h"),
    ("occupational medicine", "9_2_h"),
    ("medecine du travail", "9_2_h"),
    ("arbeitsmedizin", "9_2_h"),
    ("public health", "9_2_i"),
    ("sante publique", "9_2_i"),
    ("archiving", "9_2_j"),
    ("research", "9_2_j"),
    ("statistic", "9_2_j"),
)


def parse_tied_bases(text: str) -> list[tuple[str, str]]:
    """Every Art. 6(1) basis a cell names, each with the purposes it is tied
    to when the cell writes one ``<basis>: <purposes>`` per line (as the
    controller record prints several bases), otherwise with none."""
    if is_blank(text):
        return []
    tied = [tied_basis(line) for line in text.splitlines() if line.strip()]
    if tied and all(tied):
        return [pair for pair in tied if pair]
    return [(basis, "") for basis in parse_lawful_bases(text)]


def tied_basis(line: str) -> tuple[str, str] | None:
    """``<basis>: <purposes>`` naming exactly one basis, or None."""
    head, sep, purposes = line.partition(":")
    if not (sep and purposes.strip()):
        return None
    try:
        bases = parse_lawful_bases(head)
    except CellError:
        return None
    return (bases[0], purposes.strip()) if len(bases) == 1 else None


def parse_art9(text: str) -> str:
    """An Art. 9(2) condition in words, as a reference or as exported (the
    first one named; a record holds one)."""
    if is_blank(text):
        return ""
    exact = choice_index(ProcessingActivity.Art9Condition).get(norm(text))
    if exact:
        return exact
    found = [(p, f"9_2_{m}") for p, m in article_letters(text, ART9)]
    found += in_order(text, ART9_WORDS)
    if not found:
        labels = [str(label) for label in ProcessingActivity.Art9Condition.labels]
        raise CellError(
            "not an Art. 9(2) condition",
            "e.g. Explicit consent or Art. 9(2)(a)-(j)",
            closest(text, labels),
        )
    return sorted(found)[0][1]


DPIA_STATUS_WORDS = {
    "complete": "completed",
    "done": "completed",
    "ongoing": "in_progress",
}


def parse_dpia_status(text: str) -> str:
    """Art. 35: where the DPIA stands; empty when none is recorded."""
    if is_blank(text):
        return ""
    found = choice_index(ProcessingActivity.DpiaStatus) | DPIA_STATUS_WORDS
    if norm(text) not in found:
        raise CellError("not a DPIA progress", "Not started, In progress or Completed")
    return found[norm(text)]


def parse_status(text: str) -> str | None:
    if is_blank(text):
        return None
    found = choice_index(ProcessingActivity.Status).get(norm(text))
    if found is None:
        words = {
            "actif": "active",
            "aktiv": "active",
            "brouillon": "draft",
            "entwurf": "draft",
            "retire": "retired",
            "archiviert": "retired",
        }
        found = words.get(norm(text))
    if found is None:
        raise CellError("not a status", "Active, Draft or Retired")
    return found


ART9_KIND_WORDS = (
    ("racial", "racial_ethnic"),
    ("ethnic", "racial_ethnic"),
    ("political", "political"),
    ("religio", "religious"),
    ("philosoph", "religious"),
    ("trade.union", "trade_union"),
    ("genetic", "genetic"),
    ("biometric", "biometric"),
    ("health", "health"),
    ("sante", "health"),
    ("gesundheit", "health"),
    ("sex life", "sex_life"),
    ("sexual orientation", "sex_life"),
)


def parse_art9_kind(text: str) -> str:
    found = choice_index(DataCategory.Art9Kind).get(norm(text))
    kinds = {found} if found else {v for _, v in in_order(text, ART9_KIND_WORDS)}
    if len(kinds) != 1:
        raise CellError(
            "not an Art. 9(1) kind",
            "e.g. Health data",
            closest(text, [str(label) for label in DataCategory.Art9Kind.labels]),
        )
    return kinds.pop()


# -- countries ---------------------------------------------------------------

# Names the libraries do not carry but registers use.
COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "england": "GB",
    "grande bretagne": "GB",
    "grossbritannien": "GB",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "etats unis": "US",
    "vereinigte staaten": "US",
    "the netherlands": "NL",
    "holland": "NL",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "schweiz": "CH",
    "suisse": "CH",
}


@cache
def country_index() -> dict[str, str]:
    """English, French and German names (django-countries and pycountry's
    ISO 3166 names and translations), ISO alpha-2 and alpha-3 codes, and the
    aliases above; norm() forms."""
    index: dict[str, str] = {}
    for language in ("en", "fr", "de"):
        with translation.override(language):
            for country in countries:
                index.setdefault(norm(str(country.name)), country.code)
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in ("fr", "de")
    ]
    for record in pycountry.countries:
        code = record.alpha_2
        names = [
            record.name,
            *(getattr(record, k, "") for k in ("common_name", "official_name")),
        ]
        names += [t.gettext(n) for t in translations for n in names if n]
        for name in filter(None, names):
            index.setdefault(norm(name), code)
        index[norm(code)] = code
        index[norm(record.alpha_3)] = code
    return index | COUNTRY_ALIASES


COUNTRY_EXPECTED = "a country name (English, French or German) or ISO code"


def parse_country(text: str) -> str:
    code = country_index().get(norm(text))
    if code is None:
        with translation.override("en"):
            names = [str(c.name) for c in countries]
        raise CellError("not a country", COUNTRY_EXPECTED, closest(text, names))
    return code


def maybe_country(text: str) -> str | None:
    return country_index().get(norm(text))


PARENTHESES = re.compile(r"\([^)]*\)")


def country_in_address(text: str) -> str | None:
    """The first country an address names ("..., Dublin 2, Ireland (Art. 27
    GDPR); UK: ..." gives IE): where an Art. 27 representative is established
    decides the Clause 13(a) authority, and registers write it in the address."""
    for part in re.split(r"[,;\n]", PARENTHESES.sub("", text)):
        code = maybe_country(part.strip())
        if code:
            return code
    return None


# -- recipients (Art. 30(1)(d)) ---------------------------------------------

# Kinds of recipient, not names of one: kept as recipient categories.
RECIPIENT_KINDS = {
    norm(word)
    for word in (
        "processor",
        "processors",
        "sub-processor",
        "sub-processors",
        "data processors",
        "third party",
        "third parties",
        "internal",
        "internal departments",
        "internal staff",
        "staff",
        "employees",
        "public authorities",
        "authorities",
        "regulators",
        "tax authorities",
        "group companies",
        "affiliates",
        "service providers",
        "IT providers",
        "partners",
        "auditors",
        "banks",
        "insurers",
        "courts",
        "law enforcement",
        "sous-traitant",
        "sous-traitants",
        "service interne",
        "services internes",
        "destinataires internes",
        "organismes externes",
        "partenaires",
        "autorités",
        "administration fiscale",
        "prestataires",
        "Auftragsverarbeiter",
        "Dritte",
        "interne Stellen",
        "Behörden",
        "Finanzamt",
        "Konzernunternehmen",
        "Fachabteilung",
        "Fachabteilungen",
        "Personalabteilung",
        "Buchhaltung",
        "Dienstleister",
        "Banken",
    )
}
VENDOR_ROLE_WORDS = (
    ("sub.?processor|sous.?sous.?traitant|unterauftragsverarbeiter", "sub_processor"),
    ("joint controller|co.?responsable|gemeinsam", "joint_controller"),
    (
        "independent controller|controller|responsable|verantwortlich",
        "independent_controller",
    ),
    ("processor|sous.?traitant|auftragsverarbeiter", "processor"),
)


@dataclass(frozen=True)
class Recipient:
    """A recipient cell item: a kind of recipient, or a vendor by name with
    the role and country written in brackets ("Stripe (processor, US)")."""

    name: str
    kind: bool  # a category of recipients, not a vendor
    role: str = ""
    country: str = ""


def parse_recipient(text: str) -> Recipient:
    if norm(text) in RECIPIENT_KINDS:
        return Recipient(text, kind=True)
    match = re.fullmatch(r"(.+?)\s*[(\[]([^)\]]*)[)\]]", text.strip())
    if not match:
        return Recipient(text, kind=False)
    role, country = "", ""
    for part in re.split(r"[,;/]", match[2]):
        found = [v for _, v in in_order(part, VENDOR_ROLE_WORDS)]
        if found:
            role = role or found[0]
        elif (code := maybe_country(part)) is not None:
            country = country or code
        else:
            return Recipient(text, kind=False)  # brackets belong to the name
    return Recipient(match[1].strip(), False, role, country)


# -- transfers (Art. 30(1)(e), Chapter V) -----------------------------------

MECHANISM_WORDS = (
    ("standard contractual clause", "scc"),
    ("sccs?", "scc"),
    ("clauses contractuelles types", "scc"),
    ("cct", "scc"),
    ("standardvertragsklauseln", "scc"),
    ("standarddatenschutzklauseln", "scc"),
    ("adequacy", "adequacy"),
    ("adequate", "adequacy"),
    ("adequation", "adequacy"),
    ("angemessenheit", "adequacy"),
    ("data privacy framework", "adequacy"),
    ("dpf", "adequacy"),
    ("binding corporate rule", "bcr"),
    ("bcrs?", "bcr"),
    ("regles d entreprise contraignantes", "bcr"),
    ("verbindliche interne datenschutzvorschriften", "bcr"),
    ("code of conduct", "code_of_conduct"),
    ("certification", "certification"),
    ("derogation", "derogation"),
    ("ausnahme", "derogation"),
    ("art(icle)? ?49", "derogation"),
    ("no safeguard", "none"),  # the export's line for an uncovered flow
)
MODULE = re.compile(r"\(?\s*module\s*([1-4])\s*\)?", re.IGNORECASE)
MECHANISM_EXPECTED = (
    "Standard contractual clauses (SCC Module 1-4), Adequacy decision, "
    "Binding corporate rules, Derogation or None"
)


def parse_mechanism(text: str) -> tuple[str, int | None]:
    """A Chapter V tool (label, value or words) and the SCC module if named."""
    module_match = MODULE.search(text)
    module = int(module_match[1]) if module_match else None
    bare = MODULE.sub(" ", text)
    exact = choice_index(Transfer.Mechanism).get(norm(bare))
    found = {exact} if exact else {v for _, v in in_order(bare, MECHANISM_WORDS)}
    if len(found) != 1:
        labels = [str(label) for label in Transfer.Mechanism.labels]
        problem = "more than one transfer mechanism" if found else "not a mechanism"
        raise CellError(problem, MECHANISM_EXPECTED, closest(bare, labels))
    return found.pop(), module


@dataclass(frozen=True)
class TransferLine:
    """One transfer as the record shows it: country, mechanism, SCC module,
    and when the line names them the importer, the partial adequacy decisions
    it falls under (vendor fields, ``transfers.law.SCOPE_FIELDS``) and the
    Art. 49(1) ground of a derogation."""

    country: str
    mechanism: str
    module: int | None = None
    importer: str = ""
    scopes: tuple[str, ...] = ()
    ground: str = ""
    ground_safeguards: str = ""

    def text(self) -> str:
        module = f" (SCC Module {self.module})" if self.module else ""
        where = country_name(self.country)
        where += f" ({self.importer})" if self.importer else ""
        return f"{where}: {self.mechanism}{module}"

    def matches(self, other: TransferLine) -> bool:
        same = (self.country, self.mechanism) == (other.country, other.mechanism)
        importer = not (self.importer and other.importer) or (
            norm(self.importer) == norm(other.importer)
        )
        ground = not self.ground or self.ground == other.ground
        module = self.module is None or self.module == other.module
        return same and importer and ground and module


def bracketed_tail(text: str) -> tuple[str, str] | None:
    """``"<head> (<inside>)"`` -> (head, inside), brackets inside balanced;
    None when the text does not end with such a group."""
    text = text.rstrip()
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            head, inside = text[:i].strip(), text[i + 1 : -1].strip()
            return (head, inside) if head and inside else None
    return None


def line_head(line: str) -> tuple[str, str, str] | None:
    """(country code, importer, rest) of "<country>: <rest>" or, as the
    controller record prints it, "<country> (<importer>): <rest>"; the first
    ':' after which the head reads so (importer names may hold ':' too)."""
    for match in re.finditer(":", line):
        head, rest = line[: match.start()].strip(), line[match.end() :]
        if code := maybe_country(head):
            return code, "", rest
        tail = bracketed_tail(head)
        if tail and (code := maybe_country(tail[0])):
            return code, tail[1], rest
    return None


def safeguard_countries(line: str) -> tuple[list[str], str, str]:
    """(countries, mechanism text, importer) of one safeguard line:
    "<country> (<importer>): <mechanism>", "<country>: <mechanism>",
    "<mechanism> (<country>[, <country>])" or a bare mechanism."""
    found = line_head(line)
    if found:
        code, importer, rest = found
        return [code], rest, importer
    head, sep, _ = line.partition(":")
    match = re.fullmatch(r"(.+?)\s*\(([^)]*)\)\s*", line)
    if match:
        codes = [
            maybe_country(p)
            for p in re.split(r"[,/&]|\band\b|\bet\b|\bund\b", match[2])
        ]
        if codes and all(codes):
            return [c for c in codes if c], match[1], ""
    if sep:
        raise CellError(
            "not a country before ':'",
            COUNTRY_EXPECTED,
            closest(head, [str(c.name) for c in countries]),
        )
    return [], line, ""


def scope_notes(text: str) -> tuple[str, tuple[str, ...]]:
    """(mechanism text, vendor fields) of a safeguard's text ending in the
    partial adequacy decisions the importer falls under, as the controller
    record names them (``reports.safeguards.SCOPE_NOTES``: "..., EU-US Data Privacy
    Framework certified" -> ``dpf_certified``)."""
    fields = {scope: name for name, scope in law.SCOPE_FIELDS.items()}
    found: list[str] = []
    stripped = True
    while stripped:
        stripped = False
        for scope, note in SCOPE_NOTES.items():
            head, sep, tail = text.rpartition(",")
            if sep and norm(tail) == norm(note) and scope in fields:
                text, stripped = head, True
                found.append(fields[scope])
    return text, tuple(sorted(found))


def derogation_ground(text: str) -> tuple[str, str]:
    """(Art. 49(1) ground, documented safeguards) of a derogation as
    ``rules.derogation_text`` prints it, or ("", "")."""
    for ground, label_ in rules.ART49_LABELS.items():
        if norm(text).startswith(norm(label_)):
            _, sep, safeguards = text.partition("; safeguards: ")
            return ground.value, safeguards.strip() if sep else ""
    return "", ""


# Decision 2021/914 module headings: One C-C, Two C-P, Three P-P, Four P-C.
MODULE_ROLES: dict[int, tuple[str, str]] = {
    1: (rules.Role.CONTROLLER, rules.Role.CONTROLLER),
    2: (rules.Role.CONTROLLER, rules.Role.PROCESSOR),
    3: (rules.Role.PROCESSOR, rules.Role.PROCESSOR),
    4: (rules.Role.PROCESSOR, rules.Role.CONTROLLER),
}

VENDOR_ROLES = set(Vendor.Role.values)
