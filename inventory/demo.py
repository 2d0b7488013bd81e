"""The KonnectBot demo inventory, as data (docs/architecture.md).

KonnectBot is a US customer-support chatbot SaaS with no EU establishment
(GDPR applies via Art. 3(2); Art. 27 representative in Ireland). It is a
controller for account, billing and marketing data and a processor for its
customers' conversation data. Records are keyed by their natural key so that
``load_demo`` can be run any number of times.

The rows live in ``demo_records`` (the processing side: entities, categories,
measures, vendors, systems, activities) and ``demo_customers`` (features,
regions, plans, customers, deletion runs); this module says in which order
``load_demo`` writes them.
"""

from collections.abc import Callable

from django.utils import timezone

from inventory.demo_customers import (
    CUSTOMERS,
    FEATURES,
    PLAN_LIMITS,
    PLANS,
    REGIONS,
    RETENTION_OVERRIDES,
    deletion_runs,
)
from inventory.demo_records import (
    ACTIVITIES,
    DATA_CATEGORIES,
    DATA_SUBJECT_CATEGORIES,
    KONNECTBOT,
    LEGAL_ENTITIES,
    SECURITY_MEASURES,
    SYSTEMS,
    VENDORS,
    Row,
)

__all__ = ["CUSTOMERS", "FEATURES", "KONNECTBOT", "LAWFUL_BASES", "PLAN", "Row"]

# Activities whose purposes rest on different lawful bases (Art. 6(1)): billing
# performs the subscription contract, keeping invoices is a tax-law duty.
LAWFUL_BASES: list[Row] = [
    {
        "activity": "PA-C2",
        "basis": "contract",
        "purposes": "Invoice subscriptions and collect payment",
    },
    {
        "activity": "PA-C2",
        "basis": "legal_obligation",
        "purposes": "Keep invoices and tax records for the statutory period",
    },
]

# What load_demo writes for this app, in order: (model, natural key, rows). The
# natural key finds a record again, so a second run changes nothing. Other apps
# declare their own part in their demo module.
PLAN: list[tuple[str, tuple[str, ...], list[Row] | Callable[[], list[Row]]]] = [
    ("inventory.LegalEntity", ("name",), LEGAL_ENTITIES),
    ("inventory.DataSubjectCategory", ("name",), DATA_SUBJECT_CATEGORIES),
    ("inventory.DataCategory", ("code",), DATA_CATEGORIES),
    ("inventory.SecurityMeasure", ("name",), SECURITY_MEASURES),
    ("inventory.Vendor", ("name",), VENDORS),
    ("inventory.System", ("name",), SYSTEMS),
    ("inventory.ProcessingActivity", ("ref",), ACTIVITIES),
    ("inventory.ActivityLawfulBasis", ("activity", "basis"), LAWFUL_BASES),
    ("inventory.ProductFeature", ("name",), FEATURES),
    ("inventory.Region", ("name",), REGIONS),
    ("inventory.Plan", ("name",), PLANS),
    ("inventory.PlanLimit", ("plan", "data_category"), PLAN_LIMITS),
    ("inventory.Customer", ("name",), CUSTOMERS),
    ("inventory.RetentionOverride", ("customer", "data_category"), RETENTION_OVERRIDES),
    # Relative to the day the demo is loaded (see deletion_runs).
    (
        "inventory.DeletionRun",
        ("system", "data_category", "customer", "started_at"),
        lambda: deletion_runs(timezone.now().date()),
    ),
]
