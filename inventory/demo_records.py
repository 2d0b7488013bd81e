"""The KonnectBot demo's processing side, as data (``inventory.demo`` loads it).

KonnectBot is a US customer-support chatbot SaaS with no EU establishment
(GDPR applies via Art. 3(2); Art. 27 representative in Ireland). It is a
controller for account, billing and marketing data and a processor for its
customers' conversation data. Records are keyed by their natural key so that
``load_demo`` can be run any number of times.
"""

from typing import Any

Row = dict[str, Any]

KONNECTBOT = "KonnectBot, Inc."

LEGAL_ENTITIES: list[Row] = [
    {
        "name": KONNECTBOT,
        "address": "548 Market Street, Suite 400, San Francisco, CA 94104, USA",
        "country": "US",
        "contact": "Privacy team, privacy@konnectbot.example",
        "dpo": "Dana Whitfield, Data Protection Officer, dpo@konnectbot.example",
        "representative": "KB Representative Ltd, 10 Hatch Street, Dublin 2, "
        "Ireland (Art. 27 GDPR); UK: KB Rep UK Ltd, London",
        "representative_country": "IE",
    },
]

DATA_SUBJECT_CATEGORIES: list[Row] = [
    {"name": "Account users", "description": "Customers' staff using KonnectBot"},
    {"name": "Billing contacts", "description": "Who receives invoices"},
    {"name": "Prospects", "description": "Leads, newsletter and event sign-ups"},
    {"name": "Privacy requesters", "description": "People exercising their rights"},
    {
        "name": "End users",
        "description": "Customers' website visitors and shoppers who chat",
    },
    {"name": "Customer support agents", "description": "Customers' human agents"},
    {
        "name": "Patients",
        "description": "End users of healthcare customers (BAA workspaces)",
    },
]

CONVERSATION = "DC07"
PURGE = "Hard delete from the primary database; backups roll off within 35 days"

# The retention schedule (docs/retention.md): a period counted from an event,
# what happens at its end and how, and the law where a law sets the period.
DATA_CATEGORIES: list[Row] = [
    {
        "code": "DC01",
        "name": "Account identity and contact",
        "description": "Name, work email, phone, job title, workspace role",
        "ccpa_category": "A,I",
        "retention": "Life of the account + 30 days",
        "retention_period": 30,
        "retention_unit": "days",
        "retention_from": "contract_end",
        "end_method": PURGE,
    },
    {
        "code": "DC02",
        "name": "Authentication and security",
        "description": "Password hash, SSO subject, MFA seeds, sessions, IP, agent",
        "ccpa_category": "A,F,L",
        "retention": "Security logs 12 months",
        "retention_period": 12,
        "retention_unit": "months",
        "end_method": "Log index expiry; session tokens revoked at logout",
    },
    {
        "code": "DC03",
        "name": "Billing and payment",
        "description": "Billing contact and address, VAT ID, plan, invoices, "
        "card brand and last four digits",
        "ccpa_category": "A,B,D",
        "retention": "Statutory accounting period (10 years)",
        "retention_period": 10,
        "retention_unit": "years",
        "retention_from": "contract_end",
        "end_method": PURGE,
        "retention_legal_basis": "Statutory bookkeeping and tax record-keeping "
        "duties in the countries where invoices are issued (GDPR Art. 6(1)(c))",
        "deletion_interval_days": 31,
    },
    {
        "code": "DC04",
        "name": "Product usage telemetry",
        "description": "Feature events, pseudonymous user ID, device and browser",
        "ccpa_category": "F,K",
        "retention": "26 months",
        "retention_period": 26,
        "retention_unit": "months",
        "end_action": "deidentify",
        "end_method": "Aggregated into daily counts; pseudonymous IDs dropped",
        "deletion_interval_days": 7,
    },
    {
        "code": "DC05",
        "name": "Support and account communications",
        "description": "Tickets, emails and call notes with account holders",
        "ccpa_category": "A,F",
        "retention": "3 years after the ticket is closed",
        "retention_period": 3,
        "retention_unit": "years",
        "retention_from": "closed",
        "end_method": "Deleted in the helpdesk through its API",
        "deletion_interval_days": 7,
    },
    {
        "code": "DC06",
        "name": "Marketing preferences and consent",
        "description": "Newsletter opt-in, cookie consent log, campaign engagement",
        "ccpa_category": "A,F",
        "retention": "Consent: life of consent + proof period; leads 3 years",
        "retention_period": 3,
        "retention_unit": "years",
        "retention_from": "last_activity",
        "end_method": "Contact deleted from the marketing platform",
        "deletion_interval_days": 7,
    },
    {
        "code": CONVERSATION,
        "name": "Conversation content",
        "description": "End-user messages, bot and agent replies, transcripts",
        "ccpa_category": "F,H,L",
        "retention": "Customer setting; default 12 months",
        "retention_period": 12,
        "retention_unit": "months",
        "end_method": PURGE,
    },
    {
        "code": "DC08",
        "name": "Attachments",
        "description": "Images, PDFs and screenshots uploaded in chat",
        "ccpa_category": "H,L",
        "retention": "As conversation content",
        "retention_follows": CONVERSATION,
        "end_method": "Object deleted from storage with its conversation",
    },
    {
        "code": "DC09",
        "name": "Conversation metadata",
        "description": "Timestamps, channel, page URL, IP, approximate location",
        "ccpa_category": "A,F,G",
        "retention": "As conversation content",
        "retention_follows": CONVERSATION,
        "end_method": PURGE,
    },
    {
        "code": "DC10",
        "name": "End-customer contact details",
        "description": "Name, email, phone, shipping address from chat or CRM",
        "ccpa_category": "A,B",
        "retention": "As conversation content",
        "retention_follows": CONVERSATION,
        "end_method": PURGE,
    },
    {
        "code": "DC11",
        "name": "E-commerce order context",
        "description": "Order number, items, amounts, fulfilment and tracking "
        "status from Shopify or WooCommerce",
        "ccpa_category": "A,D",
        "retention": "Cached at most 30 days; the store stays the source of truth",
        "retention_period": 30,
        "retention_unit": "days",
        "end_method": "Cache entries expire and are purged",
    },
    {
        "code": "DC12",
        "name": "AI artefacts",
        "description": "Prompt and completion logs, embeddings, feedback labels",
        "ccpa_category": "F,K",
        "retention": "Logs 30 days; embeddings deleted with their source",
        "retention_period": 30,
        "retention_unit": "days",
        "end_method": "Logs purged; embeddings deleted with their source",
    },
    {
        "code": "DC13",
        "name": "Health information (PHI)",
        "description": "Health details in chats of covered-entity customers",
        "special_category": True,
        "art9_kind": "health",
        "ccpa_category": "L",
        "retention": "Per BAA and customer instruction",
        "retention_follows": CONVERSATION,
        "end_method": "Hard delete; destruction certified to the covered entity "
        "(45 CFR 164.504(e)(2)(ii)(J))",
    },
]

SECURITY_MEASURES: list[Row] = [
    {
        "name": "AES-256 encryption at rest",
        "description": (
            "Databases, object storage and backups encrypted with AES-256; keys in a "
            "managed KMS, rotated yearly."
        ),
        "annex_ii_heading": "at_rest",
    },
    {
        "name": "TLS 1.2+ for all traffic",
        "description": (
            "TLS 1.2 or higher for every connection, internal and external; HSTS on "
            "web endpoints."
        ),
        "annex_ii_heading": "transit",
    },
    {
        "name": "SSO, MFA and role-based access",
        "description": (
            "Staff sign in through SSO with mandatory MFA; least-privilege roles "
            "reviewed quarterly."
        ),
        "annex_ii_heading": "identification",
    },
    {
        "name": "Centralised audit logging",
        "description": (
            "Administrative and data-access events logged centrally, tamper-evident, "
            "kept 12 months."
        ),
        "annex_ii_heading": "logging",
    },
    {
        "name": "Daily encrypted backups, tested restores",
        "description": (
            "Daily encrypted backups kept 35 days in another region; restores tested "
            "quarterly."
        ),
        "annex_ii_heading": "restoration",
    },
    {
        "name": "Annual penetration test",
        "description": (
            "Independent penetration test every year and after major changes; findings "
            "tracked to closure."
        ),
        "annex_ii_heading": "testing",
    },
    {
        "name": "SOC 2 Type II report",
        "description": (
            "Annual SOC 2 Type II audit (security, availability, confidentiality); "
            "report under NDA."
        ),
        "annex_ii_heading": "certification",
    },
    {
        "name": "PII redaction option for chats",
        "description": (
            "Customers can redact card numbers, IDs and other patterns before storage "
            "and inference."
        ),
        "annex_ii_heading": "minimisation",
    },
    {
        "name": "Configurable retention and deletion",
        "description": (
            "Customer-set retention; deleted or de-identified at expiry and within 30 "
            "days of termination."
        ),
        "annex_ii_heading": "retention",
    },
    {
        "name": "Security policy and staff training",
        "description": (
            "ISMS policies approved by management; security and privacy training "
            "yearly; NDAs."
        ),
        "annex_ii_heading": "governance",
    },
    {
        "name": "Data centre physical controls",
        "description": (
            "Hosted in the cloud provider's ISO 27001 / SOC 2 certified data centres."
        ),
        "annex_ii_heading": "physical",
    },
    {
        "name": "Pseudonymised telemetry",
        "description": (
            "Product telemetry keyed by pseudonymous IDs; no message content in "
            "analytics."
        ),
        "annex_ii_heading": "encryption",
    },
    # Annex II of the SCCs: every heading is answered (appended: the slices
    # of ALL_TOMS below keep their meaning).
    {
        "name": "Availability and resilience",
        "description": "Services run in at least two availability zones; load "
        "balancing and automatic failover; capacity monitored.",
        "annex_ii_heading": "confidentiality",
    },
    {
        "name": "Hardened configuration",
        "description": "Infrastructure as code from reviewed templates; secure "
        "defaults (no public buckets, least privilege); drift detection.",
        "annex_ii_heading": "configuration",
    },
    {
        "name": "Data quality: not applicable",
        "description": "KonnectBot stores conversations as exchanged and does not "
        "correct them; accuracy is for the customer, who can edit or delete "
        "records (Clause 8.4).",
        "annex_ii_heading": "quality",
        "not_applicable": True,
    },
    {
        "name": "Records of processing and DPO oversight",
        "description": "Art. 30 records kept with full history; DPO reviews; "
        "staff trained yearly.",
        "annex_ii_heading": "accountability",
    },
    {
        "name": "Export and deletion on request",
        "description": "Transcripts exportable as JSON/CSV; deletion on request "
        "or at the end of the service within the agreed period.",
        "annex_ii_heading": "erasure",
    },
    {
        "name": "Assistance to the customer",
        "description": "Data subject request tooling (search, export, delete) for "
        "the customer; help with DPIAs and breach notifications (Art. 28(3)(e), "
        "(f); Clauses 8.6(c), 10(b)).",
        "annex_ii_heading": "assistance",
    },
]

VENDORS: list[Row] = [
    {
        "name": "Nimbus Cloud Inc.",
        "service": "Cloud hosting and object storage (US-East, Frankfurt, backups "
        "in Canada)",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US", "DE", "CA"],
        "dpf_certified": True,
        "uk_extension": True,
        "dpa_signed_on": "2024-02-01",
        "baa_signed": True,
        "contact": "privacy@nimbus.example",
        "address": "1 Cloud Way, Seattle, WA, USA",
    },
    {
        "name": "Cortex AI Inc.",
        "service": "LLM inference API (zero retention, no training)",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US"],
        "dpa_signed_on": "2024-05-15",
        "baa_signed": True,
        "contact": "dpa@cortex-ai.example",
        "address": "200 Mission Street, San Francisco, CA, USA",
    },
    {
        "name": "Postwave Email Inc.",
        "service": "Transactional email delivery",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US"],
        "dpf_certified": True,
        "uk_extension": True,
        "dpa_signed_on": "2024-01-10",
        "contact": "privacy@postwave.example",
        "address": "77 Harbor Road, Boston, MA, USA",
    },
    {
        "name": "Paylane Payments Ltd",
        "service": "Card payments and subscription billing",
        "role": "processor",
        "country": "IE",
        "processing_countries": ["IE"],
        "dpa_signed_on": "2023-11-01",
        "contact": "dpo@paylane.example",
        "address": "5 Grand Canal Quay, Dublin, Ireland",
    },
    {
        "name": "Tracelight Monitoring Inc.",
        "service": "Error monitoring and APM (payloads scrubbed)",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US"],
        "dpf_certified": True,
        "uk_extension": True,
        "dpa_signed_on": "2024-03-20",
        "contact": "privacy@tracelight.example",
        "address": "410 Congress Ave, Austin, TX, USA",
    },
    {
        "name": "Metrika Analytics GmbH",
        "service": "Product analytics",
        "role": "processor",
        "country": "DE",
        "processing_countries": ["DE"],
        "dpa_signed_on": "2024-04-02",
        "contact": "datenschutz@metrika.example",
        "address": "Torstrasse 1, 10119 Berlin, Germany",
    },
    {
        "name": "Helpdeskly Inc.",
        "service": "Helpdesk and ticketing",
        "role": "processor",
        "country": "US",
        "processing_countries": ["US"],
        "dpf_certified": True,
        "uk_extension": True,
        "dpa_signed_on": "2024-02-28",
        "contact": "privacy@helpdeskly.example",
        "address": "9 Pine Street, Denver, CO, USA",
    },
    {
        "name": "Sahay Support Services Pvt Ltd",
        "service": "Tier-1 support contractor (remote access)",
        "role": "processor",
        "country": "IN",
        "processing_countries": ["IN"],
        "dpa_signed_on": "2024-06-01",
        "contact": "compliance@sahay.example",
        "address": "Outer Ring Road, Bengaluru 560103, India",
    },
    {
        "name": "EdgeShield CDN Inc.",
        "service": "CDN, DDoS protection and WAF",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US"],
        "dpf_certified": True,
        "uk_extension": True,
        "dpa_signed_on": "2024-01-15",
        "contact": "privacy@edgeshield.example",
        "address": "1 Edge Plaza, San Jose, CA, USA",
    },
    {
        "name": "Northbridge Engineering Ltd",
        "service": "On-call engineering contractor (break-glass access)",
        "role": "processor",
        "country": "GB",
        "processing_countries": ["GB"],
        "dpa_signed_on": "2024-07-01",
        "contact": "dpo@northbridge.example",
        "address": "12 Clerkenwell Road, London EC1M, United Kingdom",
    },
    {
        "name": "Textwire Messaging Inc.",
        "service": "SMS and messaging-channel API",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["US"],
        "contact": "legal@textwire.example",
        "address": "88 Lake Shore Drive, Chicago, IL, USA",
    },
]

SYSTEMS: list[Row] = [
    {
        "name": "KonnectBot platform (US-East)",
        "description": "Application and primary database",
        "hosting_countries": ["US"],
        "vendor": "Nimbus Cloud Inc.",
    },
    {
        "name": "KonnectBot EU region (Frankfurt)",
        "description": "EU data residency option",
        "hosting_countries": ["DE"],
        "vendor": "Nimbus Cloud Inc.",
    },
    {
        "name": "Backups (Canada)",
        "description": "Encrypted backups, 35-day roll-off",
        "hosting_countries": ["CA"],
        "vendor": "Nimbus Cloud Inc.",
    },
    {
        "name": "Billing system",
        "hosting_countries": ["IE"],
        "vendor": "Paylane Payments Ltd",
    },
    {
        "name": "Analytics workspace",
        "hosting_countries": ["DE"],
        "vendor": "Metrika Analytics GmbH",
    },
    {"name": "Helpdesk", "hosting_countries": ["US"], "vendor": "Helpdeskly Inc."},
    {
        "name": "Shopify store (customer-side)",
        "description": "The customer's own Shopify account; KonnectBot calls its "
        "API on the customer's instruction. Not a KonnectBot sub-processor.",
    },
    {
        "name": "WooCommerce site (customer-side)",
        "description": "The customer's self-hosted WordPress/WooCommerce; API keys "
        "issued by the customer. Not a KonnectBot sub-processor.",
    },
]

ALL_TOMS = [m["name"] for m in SECURITY_MEASURES if not m.get("not_applicable")]

# Art. 12-22: what the lawful basis leaves to the data subjects.
RIGHTS_CONTRACT = (
    "Access, rectification, erasure, restriction, portability (Art. 15-20); "
    "no objection under Art. 21 (contract basis)"
)
RIGHTS_INTERESTS = (
    "Access, rectification, erasure, restriction (Art. 15-18); objection "
    "(Art. 21(1)); no portability (Art. 20 covers consent and contract only)"
)

ACTIVITIES: list[Row] = [
    {
        "ref": "PA-C1",
        "name": "Account and workspace administration",
        "role": "controller",
        "purposes": "Create and run customer accounts and workspaces; deliver the "
        "service to account holders",
        "lawful_basis": "contract",
        "data_subject_categories": ["Account users"],
        "data_categories": ["DC01", "DC02"],
        "recipients": [
            "Nimbus Cloud Inc.",
            "Postwave Email Inc.",
            "Tracelight Monitoring Inc.",
            "Northbridge Engineering Ltd",
        ],
        "systems": ["KonnectBot platform (US-East)"],
        "security_measures": ALL_TOMS[:7],
        "data_source": "Data subject; their employer (workspace admin)",
        "rights_available": RIGHTS_CONTRACT,
        "retention": "Life of the account + 30 days",
        "owner": "Product",
        "next_review_on": "2027-03-31",
    },
    {
        "ref": "PA-C2",
        "name": "Subscription billing and tax records",
        "role": "controller",
        "purposes": "Invoice subscriptions, collect payment, keep tax records",
        "lawful_basis": "contract",
        "data_subject_categories": ["Billing contacts"],
        "data_categories": ["DC01", "DC03"],
        "recipients": ["Paylane Payments Ltd", "Nimbus Cloud Inc."],
        "systems": ["Billing system"],
        "security_measures": ALL_TOMS[:4],
        "data_source": "Customer",
        "rights_available": "Access, rectification, restriction (Art. 15, 16, "
        "18); no erasure while tax law requires the records (Art. 17(3)(b)); no "
        "portability or objection (legal obligation basis)",
        "retention": "10 years (tax law)",
        "owner": "Finance",
        "next_review_on": "2027-03-31",
    },
    {
        "ref": "PA-C3",
        "name": "Security, fraud and abuse prevention",
        "role": "controller",
        "data_source": "Generated by our systems: logs of logins and API calls",
        "purposes": "Protect the service, detect abuse, keep audit logs",
        "lawful_basis": "legitimate_interests",
        "legitimate_interest": "Keeping the service and its users secure",
        "lia_reference": "LIA-2025-03 (Confluence: Privacy/LIA/Security)",
        "data_subject_categories": ["Account users", "End users"],
        "data_categories": ["DC02", "DC09"],
        "recipients": [
            "Nimbus Cloud Inc.",
            "Tracelight Monitoring Inc.",
            "EdgeShield CDN Inc.",
        ],
        "systems": ["KonnectBot platform (US-East)"],
        "security_measures": ALL_TOMS,
        "rights_available": RIGHTS_INTERESTS,
        "profiling": True,
        "automated_decision_logic": "Abuse scores from login and API patterns "
        "rate-limit or challenge traffic; suspending an account is decided by a "
        "person (no Art. 22 decision)",
        # Screened as not required (Art. 35(3)); assessed voluntarily anyway.
        "dpia_status": "in_progress",
        "dpia_reference": "DPIA-2026-01, voluntary (Confluence: Privacy/DPIA)",
        "retention": "Security logs 12 months",
        "owner": "Security",
        "next_review_on": "2027-01-31",
    },
    {
        "ref": "PA-C4",
        "name": "Product analytics and service improvement",
        "role": "controller",
        "data_source": "Generated by our systems from account users' product use",
        "purposes": "Understand feature use and improve the product",
        "lawful_basis": "legitimate_interests",
        "legitimate_interest": "Improving our product",
        "data_subject_categories": ["Account users"],
        "data_categories": ["DC04"],
        "recipients": ["Metrika Analytics GmbH"],
        "systems": ["Analytics workspace"],
        "security_measures": ["Pseudonymised telemetry", "TLS 1.2+ for all traffic"],
        "rights_available": RIGHTS_INTERESTS,
        "profiling": True,
        "automated_decision_logic": "Usage segments (pseudonymous) steer product "
        "decisions only; no decision about a person",
        "retention": "26 months",
        "owner": "Product",
        "next_review_on": "2027-06-30",
    },
    {
        "ref": "PA-C5",
        "name": "Account support and privacy requests",
        "role": "controller",
        "data_source": "The data subject (support tickets, privacy mailbox)",
        "purposes": "Support account holders; handle GDPR and CCPA/CPRA requests "
        "(access, correction, deletion, restriction, portability, objection; "
        "know, delete, correct, opt out of sharing)",
        "lawful_basis": "contract",
        "data_subject_categories": ["Account users", "Privacy requesters"],
        "data_categories": ["DC01", "DC05"],
        "recipients": [
            "Helpdeskly Inc.",
            "Sahay Support Services Pvt Ltd",
            "Postwave Email Inc.",
        ],
        "systems": ["Helpdesk"],
        "security_measures": ALL_TOMS[:4],
        "rights_available": RIGHTS_CONTRACT,
        "retention": "3 years after the ticket is closed",
        "owner": "Customer Success",
        "next_review_on": "2027-03-31",
    },
    {
        "ref": "PA-C6",
        "name": "B2B marketing and newsletters",
        "role": "controller",
        "data_source": "The data subject (sign-up forms, events); contact lists",
        "purposes": "Newsletters, events and product announcements",
        "lawful_basis": "consent",
        "consent_record_reference": "Consent log in the marketing platform",
        "data_subject_categories": ["Prospects", "Account users"],
        "data_categories": ["DC01", "DC06"],
        "recipients": ["Postwave Email Inc.", "Metrika Analytics GmbH"],
        "systems": ["Analytics workspace"],
        "security_measures": ALL_TOMS[:3],
        "rights_available": "Withdraw consent at any time (Art. 7(3)); object to "
        "direct marketing (Art. 21(2)); access, rectification, erasure, "
        "restriction, portability (Art. 15-20)",
        "profiling": True,
        "automated_decision_logic": "Campaign engagement scores choose which "
        "newsletter a contact receives; no legal or similar effect (no Art. 22 "
        "decision)",
        "retention": "Until consent is withdrawn; leads 3 years without activity",
        "owner": "Marketing",
        "next_review_on": "2027-06-30",
    },
    {
        "ref": "PA-P1",
        "name": "Conversational AI for customers",
        "role": "processor",
        "purposes": "Receive, store and route end-user messages; LLM inference; "
        "attachments; knowledge-base retrieval, on the customer's instructions",
        "data_subject_categories": ["End users", "Customer support agents"],
        "data_categories": ["DC07", "DC08", "DC09", "DC10", "DC12"],
        "recipients": [
            "Nimbus Cloud Inc.",
            "Cortex AI Inc.",
            "Tracelight Monitoring Inc.",
            "EdgeShield CDN Inc.",
            "Textwire Messaging Inc.",
            "Northbridge Engineering Ltd",
        ],
        "systems": [
            "KonnectBot platform (US-East)",
            "KonnectBot EU region (Frankfurt)",
            "Backups (Canada)",
        ],
        "security_measures": ALL_TOMS,
        "data_source": "Customers' end users through the chat widget and channels",
        "retention": "Customer setting (default 12 months); deleted within 30 days "
        "of termination",
        "owner": "Engineering",
        "next_review_on": "2027-03-31",
    },
    {
        "ref": "PA-P2",
        "name": "Commerce integration: order look-ups",
        "role": "processor",
        "purposes": "Look up orders and act on them through the customer's store "
        "API (Shopify or WooCommerce)",
        "data_subject_categories": ["End users"],
        "data_categories": ["DC10", "DC11"],
        "recipients": ["Nimbus Cloud Inc.", "Cortex AI Inc."],
        "systems": [
            "KonnectBot platform (US-East)",
            "Shopify store (customer-side)",
            "WooCommerce site (customer-side)",
        ],
        "security_measures": ALL_TOMS,
        "data_source": "The customer's Shopify store or WooCommerce site, through "
        "API credentials the customer issues",
        "retention": "Order context cached at most 30 days",
        "owner": "Integrations",
        "next_review_on": "2027-03-31",
    },
    {
        "ref": "PA-P3",
        "name": "Human hand-off, transcripts and dashboards",
        "role": "processor",
        "purposes": "Hand conversations to the customer's agents, email "
        "transcripts, show analytics dashboards to the customer",
        "data_subject_categories": ["End users", "Customer support agents"],
        "data_categories": ["DC07", "DC09", "DC10"],
        "data_source": "Customers' end users (their conversations) and the "
        "customer's support agents (replies in the hand-off console)",
        "recipients": ["Nimbus Cloud Inc.", "Postwave Email Inc."],
        "systems": ["KonnectBot platform (US-East)"],
        "security_measures": ALL_TOMS,
        "retention": "As the conversation",
        "owner": "Engineering",
        "next_review_on": "2027-03-31",
    },
]

ACTIVITIES.append(
    {
        "ref": "PA-P4",
        "name": "Conversational AI for healthcare workspaces",
        "role": "processor",
        "purposes": "As PA-P1, for covered entities under a HIPAA business associate "
        "agreement: PHI stays on BAA-covered sub-processors, no transcript emails, "
        "no third-party analytics",
        "data_subject_categories": ["Patients", "Customer support agents"],
        "data_categories": ["DC07", "DC09", "DC10", "DC13"],
        "recipients": ["Nimbus Cloud Inc.", "Cortex AI Inc."],
        "systems": ["KonnectBot platform (US-East)"],
        "security_measures": ALL_TOMS,
        "data_source": "Patients through the covered entity's chat widget",
        "retention": "Per BAA and customer instruction",
        "owner": "Engineering",
        "next_review_on": "2027-03-31",
    }
)
