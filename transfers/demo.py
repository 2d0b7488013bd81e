"""The KonnectBot demo's transfers and transfer impact assessments, as data.

The inventory's part (entities, vendors, activities, customers...) is in
``inventory.demo``; ``load_demo`` loads every app's part in app order.
"""

from inventory.demo import KONNECTBOT, Row

# Transfers out of the EEA/UK. "parent" makes the
# customer -> KonnectBot -> sub-processor chain visible.
TRANSFERS: list[Row] = [
    {
        "name": "Maison Lumière to KonnectBot (US)",
        "exporter_customer": "Maison Lumière SAS",
        "exporter_role": "controller",
        "importer_entity": KONNECTBOT,
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "scc",
        "clause9_option": "general",
        "notice_period_days": 30,
        "docking_clause": True,
        "scc_signed_on": "2025-03-14",
        "activities": ["PA-P1", "PA-P2", "PA-P3"],
        "data_categories": ["DC07", "DC08", "DC09", "DC10", "DC11", "DC12"],
        "supplementary_measures": [
            "AES-256 encryption at rest",
            "TLS 1.2+ for all traffic",
            "PII redaction option for chats",
        ],
    },
    {
        "name": "Thistle & Pine to KonnectBot (US)",
        "exporter_customer": "Thistle & Pine Ltd",
        "exporter_role": "controller",
        "importer_entity": KONNECTBOT,
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "scc",
        "clause9_option": "specific",
        "notice_period_days": 30,
        "uk_addendum": True,
        "scc_signed_on": "2025-09-30",
        "activities": ["PA-P1", "PA-P2"],
        "data_categories": ["DC07", "DC09", "DC10", "DC11"],
    },
    {
        "name": "KonnectBot to Cortex AI (US)",
        "parent": "Maison Lumière to KonnectBot (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Cortex AI Inc.",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "scc",
        "scc_signed_on": "2024-05-15",
        "activities": ["PA-P1", "PA-P2"],
        "data_categories": ["DC07", "DC10", "DC11", "DC12"],
        "supplementary_measures": [
            "TLS 1.2+ for all traffic",
            "PII redaction option for chats",
        ],
    },
    # Thistle & Pine's data goes on under UK GDPR: the UK Extension to the DPF
    # covers its certified sub-processors (recorded on the vendors); the others
    # need the UK Addendum to the SCCs signed with them.
    {
        "name": "KonnectBot to Cortex AI (US), UK data",
        "parent": "Thistle & Pine to KonnectBot (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Cortex AI Inc.",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "scc",
        "uk_addendum": True,
        "scc_signed_on": "2025-09-30",
        "notes": "UK Addendum to the SCCs signed with Cortex, for the data of "
        "UK customers (UK GDPR Art. 46(2)(d)).",
        "activities": ["PA-P1", "PA-P2"],
        "data_categories": ["DC07", "DC10", "DC11", "DC12"],
        "supplementary_measures": [
            "TLS 1.2+ for all traffic",
            "PII redaction option for chats",
        ],
    },
    {
        "name": "KonnectBot backups to Nimbus Cloud (Canada), UK data",
        "parent": "Thistle & Pine to KonnectBot (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Nimbus Cloud Inc.",
        "importer_role": "processor",
        "destination": "CA",
        "mechanism": "scc",
        "uk_addendum": True,
        "scc_signed_on": "2025-09-30",
        "notes": "Nimbus is not recorded as subject to PIPEDA, which the UK's "
        "Canadian adequacy regulations also require: the UK Addendum governs.",
        "activities": ["PA-P1"],
        "data_categories": ["DC07", "DC08", "DC09", "DC10"],
    },
    {
        "name": "KonnectBot to Nimbus Cloud (US)",
        "parent": "Maison Lumière to KonnectBot (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Nimbus Cloud Inc.",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "adequacy",
        "notes": "DPF-certified; SCCs signed as a fallback.",
        "activities": ["PA-P1", "PA-P2", "PA-P3"],
        "data_categories": ["DC07", "DC08", "DC09", "DC10"],
    },
    {
        "name": "KonnectBot account data to Nimbus Cloud (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "controller",
        "importer": "Nimbus Cloud Inc.",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "adequacy",
        "notes": "Our own (controller) data; DPF-certified, SCCs signed as a fallback.",
        "activities": ["PA-C1"],
        "data_categories": ["DC01", "DC02"],
    },
    {
        "name": "KonnectBot backups to Nimbus Cloud (Canada)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Nimbus Cloud Inc.",
        "importer_role": "processor",
        "destination": "CA",
        "mechanism": "scc",
        "scc_signed_on": "2024-02-01",
        "notes": "Nimbus is not recorded as subject to PIPEDA, so the Canadian "
        "adequacy decision does not cover it: the SCCs signed with the DPA govern.",
        "activities": ["PA-P1"],
        "data_categories": ["DC07", "DC08", "DC09", "DC10"],
    },
    {
        "name": "KonnectBot to Sahay Support (India)",
        "exporter": KONNECTBOT,
        "exporter_role": "controller",
        "importer": "Sahay Support Services Pvt Ltd",
        "importer_role": "processor",
        "destination": "IN",
        "mechanism": "scc",
        "scc_signed_on": "2024-06-01",
        "activities": ["PA-C5"],
        "data_categories": ["DC01", "DC05"],
        "supplementary_measures": [
            "SSO, MFA and role-based access",
            "Centralised audit logging",
        ],
    },
    {
        "name": "KonnectBot to Northbridge Engineering (UK)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Northbridge Engineering Ltd",
        "importer_role": "processor",
        "destination": "GB",
        "mechanism": "adequacy",
        "activities": ["PA-P1"],
        "data_categories": ["DC07"],
    },
    {
        "name": "KonnectBot account data to Northbridge Engineering (UK)",
        "exporter": KONNECTBOT,
        "exporter_role": "controller",
        "importer": "Northbridge Engineering Ltd",
        "importer_role": "processor",
        "destination": "GB",
        "mechanism": "adequacy",
        "activities": ["PA-C1"],
        "data_categories": ["DC01"],
    },
    {
        "name": "KonnectBot to Textwire Messaging (US)",
        "exporter": KONNECTBOT,
        "exporter_role": "processor",
        "importer": "Textwire Messaging Inc.",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "none",
        "notes": "Textwire is not DPF-certified; SCCs under negotiation.",
        "activities": ["PA-P1"],
        "data_categories": ["DC07", "DC09", "DC10"],
    },
]

TIAS: list[Row] = [
    {
        "transfer": "Maison Lumière to KonnectBot (US)",
        "transfer_description": "Conversation data of a French retailer's shoppers "
        "processed in the US by KonnectBot as processor, continuously.",
        "tool": "SCC 2021/914 Module 2, Clause 9 option 2 (30 days)",
        "laws_considered": "FISA s.702, EO 12333, CLOUD Act, EO 14086",
        "problematic_legislation": "FISA s.702 covers remote computing services; "
        "EO 14086 safeguards and the DPRC apply.",
        "practical_experience": "No government access request received since 2021 "
        "(transparency report 2025).",
        "technical_measures": "Encryption at rest and in transit; EU-region hosting "
        "option; PII redaction.",
        "contractual_measures": "Notify and challenge requests; transparency report.",
        "organisational_measures": "Request-handling procedure; access logging.",
        "procedural_steps": "Measures written into DPA v4 (section 9); they do "
        "not contradict the SCCs, so no authority approval is needed.",
        "risk_rating": "medium",
        "outcome": "proceed_with_measures",
        "conclusion_rationale": "With the measures of step 4 and EO 14086 redress, "
        "access under FISA s. 702 is unlikely to be incompatible with the SCCs "
        "for this data; residual risk medium.",
        "assessor": "Dana Whitfield (DPO)",
        "assessed_on": "2026-02-10",
        "approved_by": "Marcus Lee (General Counsel)",
        "approved_on": "2026-02-12",
    },
    {
        "transfer": "KonnectBot to Cortex AI (US)",
        "transfer_description": "Prompts with conversation content sent to the LLM "
        "API for inference; zero retention.",
        "tool": "SCC 2021/914 Module 3",
        "laws_considered": "FISA s.702, EO 12333, CLOUD Act, EO 14086",
        "problematic_legislation": "Data must be in the clear for inference (EDPB "
        "use case 6: no effective technical measure).",
        "practical_experience": "Importer reports no requests for API customer data.",
        "technical_measures": "Zero data retention; redaction before inference.",
        "contractual_measures": "No training on customer data; notify requests.",
        "organisational_measures": "Quarterly vendor review.",
        "risk_rating": "medium",
        "outcome": "proceed_with_measures",
        "assessor": "Dana Whitfield (DPO)",
        "assessed_on": "2026-01-20",
    },
    {
        "transfer": "KonnectBot to Cortex AI (US), UK data",
        "transfer_description": "A UK retailer's chat prompts sent on to the LLM "
        "API for inference; zero retention (transfer risk assessment, ICO).",
        "tool": "UK Addendum to the EU SCCs Module 3 (UK GDPR Art. 46(2)(d))",
        "laws_considered": "FISA s.702, EO 12333, CLOUD Act, EO 14086",
        "problematic_legislation": "Data must be in the clear for inference.",
        "practical_experience": "Importer reports no requests for API customer data.",
        "technical_measures": "Zero data retention; redaction before inference.",
        "contractual_measures": "No training on customer data; notify requests.",
        "organisational_measures": "Quarterly vendor review.",
        "risk_rating": "medium",
        "outcome": "proceed_with_measures",
        "assessor": "Dana Whitfield (DPO)",
        "assessed_on": "2026-01-20",
    },
    {
        "transfer": "KonnectBot to Sahay Support (India)",
        "transfer_description": "Remote access by support staff to account holders' "
        "tickets.",
        "tool": "SCC 2021/914 Module 2",
        "laws_considered": "Information Technology Act 2000 s.69; DPDP Act 2023",
        "problematic_legislation": "Broad interception powers under s.69 IT Act.",
        "practical_experience": "No requests received.",
        "technical_measures": "Access through a virtual desktop, no local copies.",
        "contractual_measures": "Notify and challenge requests.",
        "organisational_measures": "Named staff, training, monthly access review.",
        "risk_rating": "medium",
        "outcome": "proceed_with_measures",
        "assessor": "Dana Whitfield (DPO)",
        "assessed_on": "2025-06-01",
    },
]


# EDPB Recommendations 01/2020, step 3: what the TIAs read of US law and
# practice, with the date the DPO last reviewed it.
COUNTRY_LAW: list[Row] = [
    {
        "code": "US",
        "law_and_practice": "FISA s. 702 (50 U.S.C. 1881a): compelled assistance "
        "from electronic communication service providers, cloud and remote "
        "computing included; reauthorised April 2024 (RISAA), short-term "
        "extensions after April 2026.\n"
        "EO 12333: signals intelligence outside the US, e.g. data in transit.\n"
        "CLOUD Act: law-enforcement access to data in a provider's custody "
        "wherever stored.\n"
        "EO 14086 (7 October 2022): necessity and proportionality limits; redress "
        "through the Civil Liberties Protection Officer and the Data Protection "
        "Review Court, whatever transfer tool is used.\n"
        "EU-US Data Privacy Framework: Decision (EU) 2023/1795 in force; Latombe "
        "(T-553/23) dismissed 3 September 2025, appeal C-703/25 P pending.",
        "law_reviewed_on": "2026-11-29",
    },
]

PLAN: list[tuple[str, tuple[str, ...], list[Row]]] = [
    ("transfers.CountryProfile", ("code",), COUNTRY_LAW),
    ("transfers.Transfer", ("name",), TRANSFERS),
    ("transfers.TransferImpactAssessment", ("transfer", "assessed_on"), TIAS),
]
