"""The KonnectBot demo's customer side, as data: product features, hosting
regions, plans and their limits, the three customers with their retention
overrides, and the nightly deletion runs (``inventory.demo`` loads them)."""

from datetime import UTC, date, datetime, time, timedelta

from inventory.demo_records import CONVERSATION, Row

FEATURES: list[Row] = [
    {
        "name": "AI chat",
        "description": "The chatbot on the customer's site, with LLM answers",
        "activities": ["PA-P1"],
        "vendors": [
            "Nimbus Cloud Inc.",
            "Cortex AI Inc.",
            "Tracelight Monitoring Inc.",
            "EdgeShield CDN Inc.",
        ],
    },
    {
        "name": "SMS channel",
        "description": "Conversations over SMS",
        "activities": ["PA-P1"],
        "vendors": ["Textwire Messaging Inc."],
    },
    {
        "name": "Shopify integration",
        "description": "Order look-ups in the customer's Shopify store",
        "activities": ["PA-P2"],
        "vendors": ["Nimbus Cloud Inc.", "Cortex AI Inc."],
        "systems": ["Shopify store (customer-side)"],
    },
    {
        "name": "WooCommerce integration",
        "description": "Order look-ups in the customer's WooCommerce site",
        "activities": ["PA-P2"],
        "vendors": ["Nimbus Cloud Inc.", "Cortex AI Inc."],
        "systems": ["WooCommerce site (customer-side)"],
    },
    {
        "name": "Transcript emails",
        "description": "Email conversation transcripts (disabled on BAA plans)",
        "activities": ["PA-P3"],
        "vendors": ["Postwave Email Inc."],
    },
    {
        "name": "Human hand-off and dashboards",
        "description": "Agent inbox and analytics for the customer",
        "activities": ["PA-P3"],
        "vendors": ["Nimbus Cloud Inc."],
    },
    {
        "name": "HIPAA workspace",
        "description": "PHI handling for covered entities with a signed BAA",
        "activities": ["PA-P4"],
        "vendors": ["Nimbus Cloud Inc.", "Cortex AI Inc."],
    },
    {
        "name": "Assisted support",
        "description": "KonnectBot's support team in India may read conversations "
        "to troubleshoot, with the customer's approval",
        "activities": ["PA-P1"],
        "vendors": ["Sahay Support Services Pvt Ltd"],
    },
]

US_SYSTEMS = ["KonnectBot platform (US-East)", "Backups (Canada)"]
EU_SYSTEMS = ["KonnectBot EU region (Frankfurt)", "Backups (Canada)"]
REGIONS: list[Row] = [
    {
        "code": "us",
        "name": "United States",
        "description": "Default: hosted in US-East, backups in Canada",
        "systems": US_SYSTEMS,
        "vendors": [
            "Nimbus Cloud Inc.",
            "Cortex AI Inc.",
            "Postwave Email Inc.",
            "Tracelight Monitoring Inc.",
            "EdgeShield CDN Inc.",
            "Textwire Messaging Inc.",
            "Sahay Support Services Pvt Ltd",
            "Northbridge Engineering Ltd",
        ],
    },
    {
        "code": "eu",
        "name": "European Union",
        "description": "Conversations stored in Frankfurt; LLM inference and "
        "email remain with US sub-processors under SCCs",
        "systems": EU_SYSTEMS,
        "vendors": [
            "Nimbus Cloud Inc.",
            "Cortex AI Inc.",
            "Postwave Email Inc.",
            "Tracelight Monitoring Inc.",
            "EdgeShield CDN Inc.",
            # On-call engineers' break-glass access reaches every region.
            "Northbridge Engineering Ltd",
        ],
    },
]

PLANS: list[Row] = [
    {
        "name": "Starter",
        "description": "Self-serve; conversation history 30 days to 1 year",
        "regions": ["United States"],
    },
    {
        "name": "Business",
        "description": "Conversation history 30 days to 2 years, transcript "
        "export, EU data residency",
        "transcript_export": True,
        "regions": ["United States", "European Union"],
    },
    {
        "name": "Enterprise",
        "description": "Conversation history 30 days to 7 years, transcript "
        "export, EU data residency, HIPAA BAA",
        "transcript_export": True,
        "baa_available": True,
        "regions": ["United States", "European Union"],
    },
]

PLAN_LIMITS: list[Row] = [
    {"plan": "Starter", "data_category": CONVERSATION, "min_days": 30, "max_days": 365},
    {
        "plan": "Business",
        "data_category": CONVERSATION,
        "min_days": 30,
        "max_days": 730,
    },
    {
        "plan": "Enterprise",
        "data_category": CONVERSATION,
        "min_days": 30,
        "max_days": 2555,
    },
]

CUSTOMERS: list[Row] = [
    {
        "name": "Maison Lumière SAS",
        "country": "FR",
        "address": "14 rue du Faubourg Saint-Honoré, 75008 Paris, France",
        "contact": "Claire Martin, Head of E-commerce, claire.martin@lumiere.example",
        "dpo": "dpo@lumiere.example",
        "supervisory_authority": "Commission nationale de l'informatique et des "
        "libertés (CNIL), France",
        "dpa_version": "DPA v4",
        "dpa_signed_on": "2025-03-14",
        "plan": "Business",
        "residency_region": "European Union",
        "transcript_export": True,
        "features": [
            "AI chat",
            "Shopify integration",
            "Transcript emails",
            "Human hand-off and dashboards",
        ],
    },
    {
        "name": "Bayview Telehealth Inc.",
        "country": "US",
        "address": "300 Embarcadero, Oakland, CA, USA",
        "contact": "Priya Shah, Privacy Officer, privacy@bayview.example",
        "dpa_version": "DPA v4 + BAA v2",
        "dpa_signed_on": "2025-06-02",
        "baa_signed": True,
        "plan": "Enterprise",
        "residency_region": "United States",
        "end_of_service": "return",
        "features": ["AI chat", "HIPAA workspace", "Human hand-off and dashboards"],
    },
    {
        "name": "Thistle & Pine Ltd",
        "country": "GB",
        "address": "3 Rose Street, Edinburgh EH2, United Kingdom",
        "contact": "Ewan Fraser, Operations Director, ewan@thistlepine.example",
        "dpo": "privacy@thistlepine.example",
        "supervisory_authority": "Information Commissioner's Office (ICO), "
        "United Kingdom",
        "dpa_version": "DPA v4 + UK Addendum",
        "dpa_signed_on": "2025-09-30",
        "clause9_option": "specific",
        "plan": "Business",
        "features": [
            "AI chat",
            "WooCommerce integration",
            "SMS channel",
            "Assisted support",
        ],
    },
]

# Each customer's own retention for its conversation history (the other
# conversation categories follow it); the rest keeps the schedule.
RETENTION_OVERRIDES: list[Row] = [
    {
        "customer": "Maison Lumière SAS",
        "data_category": CONVERSATION,
        "retention_days": 90,
    },
    {
        "customer": "Thistle & Pine Ltd",
        "data_category": CONVERSATION,
        "retention_days": 365,
    },
    # HIPAA: the covered entity keeps its records six years.
    {
        "customer": "Bayview Telehealth Inc.",
        "data_category": CONVERSATION,
        "retention_days": 2190,
    },
]

# -- deletion runs: what the product's nightly jobs reported -------------------

RUN_DAYS = 28
# The conversation purge per customer, on the system holding its region's data.
CUSTOMER_PURGES = [
    ("Maison Lumière SAS", "KonnectBot EU region (Frankfurt)", 90),
    ("Thistle & Pine Ltd", "KonnectBot platform (US-East)", 365),
    ("Bayview Telehealth Inc.", "KonnectBot platform (US-East)", 2190),
]
# Jobs for every customer at once: (data category, days applied).
ALL_PURGES = [("DC11", 30), ("DC12", 30), ("DC02", 360)]
# Thistle & Pine's purge timed out once and then did not run for two nights:
# the gap the findings report (DEL_RUN_GAP).
GAP = ("Thistle & Pine Ltd", (12, 11, 10))


def run_row(
    day: date, system: str, category: str, customer: str | None, days: int
) -> Row:
    started = datetime.combine(day, time(2, 0), tzinfo=UTC)
    seed = day.toordinal() + len(category) * 7 + len(customer or "") * 13
    return {
        "system": system,
        "data_category": category,
        "customer": customer,
        "retention_days": days,
        "deleted": seed % 997,
        "started_at": started,
        "finished_at": started + timedelta(minutes=3 + seed % 11),
        "outcome": "success",
    }


def deletion_runs(today: date) -> list[Row]:
    """The nightly runs of the last RUN_DAYS days before ``today``, with the
    gap of GAP: relative to the day the demo is loaded, so that the findings
    judge it as it would be judged in production."""
    rows: list[Row] = []
    for back in range(RUN_DAYS, 0, -1):
        day = today - timedelta(days=back)
        for customer, system, days in CUSTOMER_PURGES:
            if customer == GAP[0] and back in GAP[1]:
                if back == GAP[1][0]:
                    failed = run_row(day, system, CONVERSATION, customer, days)
                    failed.update(
                        outcome="failed",
                        deleted=0,
                        detail="Timed out after 3 minutes; nothing deleted.",
                    )
                    rows.append(failed)
                continue
            rows.append(run_row(day, system, CONVERSATION, customer, days))
        for category, days in ALL_PURGES:
            rows.append(run_row(day, US_SYSTEMS[0], category, None, days))
    return rows
