"""How the Art. 30 records word a transfer's safeguard: one line per country
and importer, "<country> (<importer>): <mechanism>[, <partial adequacy>]",
which import_ropa reads back (ropa_import/cells.py)."""

from __future__ import annotations

from transfers import rules

# The partial adequacy decision (Art. 45(1) "specified sectors") an importer
# is recorded under, as a safeguard line names it after the mechanism.
# import_ropa reads it back onto the vendor (``law.SCOPE_FIELDS``).
SCOPE_NOTES: dict[rules.Scope, str] = {
    rules.Scope.DPF: "EU-US Data Privacy Framework certified",  # (EU) 2023/1795
    rules.Scope.UK_EXTENSION: "certified under the UK Extension to the EU-US DPF",
    rules.Scope.SWISS_DPF: "Swiss-US Data Privacy Framework certified",
    rules.Scope.COMMERCIAL: "subject to PIPEDA",  # Canada, Decision 2002/2/EC
    rules.Scope.PRIVATE_SECTOR: "subject to the APPI",  # Japan, (EU) 2019/419
    rules.Scope.PIPA: "subject to PIPA (not credit information)",  # (EU) 2022/254
}
MISSING_SAFEGUARD = "no safeguard recorded"
# Data whose exporter is established outside the EEA, the UK and Switzerland
# (a US customer's, say) leaves under none of their transfer rules (GDPR Art.
# 44 binds exporters the GDPR applies to): no safeguard to show or to miss.
NO_CHAPTER_V = "no Chapter V transfer (exporter outside the EEA, UK and Switzerland)"
NO_CHAPTER_V_CUSTOMER = (
    "No Chapter V transfer: the customer is established outside the EEA, "
    "the United Kingdom and Switzerland"
)


def safeguard_line(country: str, importer: str, text: str, scope: str = "") -> str:
    """One line of the Transfer safeguards cell: "<country> (<importer>):
    <mechanism>[, <scope>]", the importer named so that the reader (and
    import_ropa) knows who receives the data there."""
    where = f"{country} ({importer})" if importer else country
    return f"{where}: {text}, {scope}" if scope else f"{where}: {text}"


def scope_note(dest: rules.Destination) -> str:
    """The partial adequacy decision the importer falls under there, if any."""
    partial = dest.adequacy == rules.Adequacy.PARTIAL
    if not (partial and dest.importer_in_scope and dest.scope):
        return ""
    return SCOPE_NOTES.get(dest.scope, "")
