"""The three roles (docs/api.md), as Django groups and permissions.

The groups are created by a migration; their permissions are re-synchronised
after every migrate so that models added later (reports, transfers) are covered.
"""

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps

DPO = "DPO"
AUDITOR = "Auditor"
SALES = "Sales"
GROUPS = (DPO, AUDITOR, SALES)
TRACKED_APPS = ("inventory", "transfers", "reports", "dsr")
SALES_VIEW_MODELS = ("customer", "productfeature", "vendor")
# Permissions every role needs to ask for reports; which kinds each may ask for
# is decided in reports (Sales: dpa-annex only).
REPORT_PERMS = ("add_reportrun", "view_reportrun")


def wanted_codenames(group: str, codenames: list[tuple[str, str]]) -> set[str]:
    """The codenames a group should hold, out of (app_label, codename) pairs."""
    if group == DPO:
        return {c for _, c in codenames}
    if group == AUDITOR:
        views = {c for _, c in codenames if c.startswith("view_")}
        return views | {c for _, c in codenames if c in REPORT_PERMS}
    sales_views = {f"view_{m}" for m in SALES_VIEW_MODELS}
    return {c for _, c in codenames if c in sales_views or c in REPORT_PERMS}


def sync_groups(apps: Apps = global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label__in=TRACKED_APPS)
    by_codename = {p.codename: p for p in perms}
    pairs = [
        (p.content_type.app_label, p.codename)
        for p in perms.select_related("content_type")
    ]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [by_codename[c] for c in sorted(wanted_codenames(name, pairs))]
        group.permissions.set(wanted)


def sync_groups_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate fires once per app, after auth has created that app's
    permissions; syncing is idempotent and cheap, so each tracked app syncs."""
    if sender.name in TRACKED_APPS:
        sync_groups()
