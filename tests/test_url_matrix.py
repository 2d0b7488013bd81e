"""Every URL pattern of the URLconf x every role x every method, against the
role matrix (DPO everything; Auditor reads everything and asks for reports;
Sales reads customers, features and vendors and asks for DPA annexes; nobody
else anything).

The patterns are read from the URLconf itself, the admin's and the libraries'
included (history, revert, autocomplete, password change, ...): a view added
later fails `test_every_url_pattern_is_classified` until it is given its row
here, so no view escapes the matrix.

A request a role may not make is refused (401/403 in the API, 403 or the login
page in the admin; 404/405 where there is nothing to refuse) and changes
nothing; a request it may make is served; nothing answers 5xx.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token, TokenProxy

from inventory.models import SubprocessorNotice
from inventory.roles import AUDITOR, DPO, SALES
from reports.models import ReportRun
from reports.tasks import generate_report
from ropa_import.models import ImportRun
from tests.api.resources import RESOURCES
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_deletion_run,
    make_entity,
    make_feature,
    make_measure,
    make_plan,
    make_plan_limit,
    make_region,
    make_request,
    make_subject_category,
    make_system,
    make_tia,
    make_transfer,
    make_user,
    make_vendor,
)
from tests.inventory.test_stale_save import form_data
from transfers.models import CountryProfile

ROLES = ("dpo", "auditor", "sales", "anonymous")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
GROUPS = {"dpo": DPO, "auditor": AUDITOR, "sales": SALES}

# -- the role matrix ---------------------------------------------------------

INVENTORY_APPS = ("inventory", "transfers", "dsr")
SALES_READS = {"customer", "productfeature", "vendor", "reportrun"}

Rule = Callable[[str], bool]  # role -> allowed


def nobody(role: str) -> bool:
    return False


def anyone(role: str) -> bool:
    return True


def staff(role: str) -> bool:
    return role != "anonymous"


def anonymous(role: str) -> bool:
    return role == "anonymous"


def dpo_only(role: str) -> bool:
    return role == "dpo"


def whole_inventory(role: str) -> bool:
    return role in ("dpo", "auditor")


AXES_MODELS = {"accessattempt", "accesslog", "accessfailurelog"}


def is_inventory(model: str) -> bool:
    """Users, groups and tokens belong to superusers, not to any role."""
    return any(
        m._meta.model_name == model
        for app in (*INVENTORY_APPS, "reports")
        for m in apps.get_app_config(app).get_models()
    )


def reads(model: str) -> Rule:
    if model in AXES_MODELS:  # login lockouts: the DPO lifts them
        return dpo_only
    if not is_inventory(model):
        return nobody
    return lambda role: (
        whole_inventory(role) or (role == "sales" and model in SALES_READS)
    )


def writes(model: str, action: str) -> Rule:
    """add/change/delete: the DPO, on inventory records; report runs are asked
    for by every role, never changed, deleted by the DPO; notices are created
    by the changes they announce and changed only through their actions;
    lockouts are recorded by failed logins and only deleted (lifted) by the
    DPO."""
    if model in AXES_MODELS:
        return dpo_only if action == "delete" else nobody
    if not is_inventory(model):
        return nobody
    if model == "reportrun":
        return {"add": staff, "change": nobody, "delete": dpo_only}[action]
    if model == "subprocessornotice":  # changed only by its actions (sent, ...)
        return nobody
    if model == "deletionrun":  # append-only evidence: added by the jobs (API)
        return nobody
    return dpo_only


# -- the probes: a URL of each pattern and what each method may do -------------


@dataclass
class Probe:
    url: str
    rules: dict[str, Rule]  # method -> who may
    payload: dict[str, Any] = field(default_factory=dict)
    # Whether the request may write (a refused one must change nothing).
    api: bool = False


def each_method(default: Rule, **by_method: Rule) -> dict[str, Rule]:
    return {m: by_method.get(m, default) for m in METHODS}


@dataclass
class World:
    """One record of every kind, with two versions each, and the users."""

    objects: dict[str, Any]
    users: dict[str, User]
    run: ReportRun
    clients: dict[str, tuple[Client, Any]] = field(default_factory=dict)

    def obj(self, model: str) -> Any:
        return self.objects[model]

    def first_version(self, model: str) -> int:
        return self.obj(model).history.earliest("history_date").history_id


def make_world() -> World:
    users = {
        role: make_user(group, username=f"{role}-m") for role, group in GROUPS.items()
    }
    customer = make_customer(name="Acme GmbH", country="DE")
    vendor = make_vendor()
    feature = make_feature()
    customer.features.add(feature)
    objects: dict[str, Any] = {
        "legalentity": make_entity(),
        "datasubjectcategory": make_subject_category(),
        "datacategory": make_data_category(),
        "securitymeasure": make_measure(),
        "vendor": vendor,
        "system": make_system(),
        "processingactivity": make_activity(),
        "productfeature": feature,
        "customer": customer,
        "countryprofile": CountryProfile.objects.get(code="BR"),
        "transfer": make_transfer(),
        "transferimpactassessment": make_tia(),
        "region": make_region(),
        "plan": make_plan(),
        "planlimit": make_plan_limit(),
    }
    for obj in objects.values():
        obj.save()  # a second version to revert to the first
    objects["deletionrun"] = make_deletion_run()  # append-only: one version
    objects["datasubjectrequest"] = make_request()
    objects["datasubjectrequest"].save()
    # A notice is created by the change it announces (SCC Clause 9(a)).
    feature.vendors.add(make_vendor())
    objects["subprocessornotice"] = SubprocessorNotice.objects.get()
    objects["user"] = users["dpo"]
    objects["group"] = users["dpo"].groups.get()
    who = {"username": "dpo", "ip_address": "10.0.0.9", "user_agent": "x"}
    objects["accessattempt"] = AccessAttempt.objects.create(
        **who, failures_since_start=5
    )
    objects["accesslog"] = AccessLog.objects.create(**who)
    objects["accessfailurelog"] = AccessFailureLog.objects.create(**who)
    objects["tokenproxy"] = TokenProxy.objects.get(
        pk=Token.objects.create(user=users["dpo"]).pk
    )
    run = ReportRun.objects.create(
        kind="dpa-annex", parameters={"customer": "Acme GmbH"}
    )
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    objects["reportrun"] = run
    objects["importrun"] = ImportRun.objects.create(
        file_name="register.xlsx", sha256="0" * 64, requested_by=users["dpo"]
    )
    world = World(objects, users, run)
    for role in ROLES:  # logged in outside the per-request rollback
        client_for(world, role)
    return world


API_BASENAMES = {
    "legalentity": "entities",
    "customer": "customers",
    "productfeature": "features",
    "datasubjectcategory": "data-subject-categories",
    "datacategory": "data-categories",
    "system": "systems",
    "vendor": "vendors",
    "securitymeasure": "security-measures",
    "processingactivity": "activities",
    "countryprofile": "countries",
    "transfer": "transfers",
    "transferimpactassessment": "tias",
    "datasubjectrequest": "requests",
    "region": "regions",
    "plan": "plans",
    "planlimit": "plan-limits",
}
BASENAME_MODELS = {"request": "datasubjectrequest"}
# Detail actions that change the record (POST), and those that read it (GET).
REQUEST_ACTIONS = {
    "acknowledge",
    "close",
    "extend",
    "forward",
    "pause",
    "plan-tasks",
    "resume",
    "send-verification",
    "verify",
}
RESOURCE_BY_PATH = {r.path: r for r in RESOURCES}


def admin_model_probe(world: World, model: str, action: str, url: str) -> Probe:
    """The views every ModelAdmin has (Django's and simple-history's)."""
    read = reads(model)
    if action == "changelist":
        obj = world.obj(model)
        payload = {"action": "delete_selected", "_selected_action": [obj.pk]}
        return Probe(url, each_method(read), {**payload, "post": "yes"})
    if action == "add":
        return Probe(url, each_method(writes(model, "add")))
    if action == "simple_history" and model == "datasubjectrequest":
        # A past version shows the requester as given: the DPO only (the
        # Auditor reads requests pseudonymised).
        return Probe(url, each_method(dpo_only))
    if action in ("change", "simple_history"):
        return Probe(url, each_method(read, POST=writes(model, "change")))
    if action == "delete":
        return Probe(url, each_method(writes(model, "delete")), {"post": "yes"})
    if action == "history":
        return Probe(url, each_method(read))
    if action == "redirect":  # <id>/ -> <id>/change/, for any staff user
        return Probe(url, each_method(staff))
    if action == "download":
        return Probe(url, each_method(read))
    if action == "password_change":  # another user's password: user admins only
        return Probe(url, each_method(nobody))
    raise LookupError(action)


def admin_model_url(world: World, model: str, action: str, name: str | None) -> str:
    obj = world.obj(model)
    app = obj._meta.app_label
    if action == "redirect":
        return f"/admin/{app}/{model}/{obj.pk}/"
    if action == "simple_history":
        return reverse(f"admin:{name}", args=[obj.pk, world.first_version(model)])
    if action in ("changelist", "add"):
        return reverse(f"admin:{name}")
    if action == "password_change":
        return reverse(f"admin:{name}", args=[obj.pk])
    if action == "download":
        return reverse(f"admin:{name}", kwargs={"pk": obj.pk})
    return reverse(f"admin:{name}", args=[obj.pk])


ADMIN_SITE = {
    # name: (url, rules)
    "index": ("/admin/", each_method(staff)),
    "login": (
        "/admin/login/",
        each_method(anyone, PATCH=nobody, DELETE=nobody),
    ),
    # Logging out is by POST; logging out nobody is harmless.
    "logout": ("/admin/logout/", each_method(anonymous, POST=anyone)),
    "password_change": (
        "/admin/password_change/",
        each_method(staff, PATCH=nobody, DELETE=nobody),
    ),
    "password_change_done": (
        "/admin/password_change/done/",
        each_method(nobody, GET=staff),
    ),
    "autocomplete": (
        "/admin/autocomplete/?app_label=inventory&model_name=processingactivity"
        "&field_name=data_categories",
        each_method(nobody, GET=reads("datacategory")),
    ),
    "jsi18n": ("/admin/jsi18n/", each_method(nobody, GET=staff)),
    "app_list": ("/admin/transfers/", each_method(reads("transfer"))),
    "findings": ("/admin/findings/", each_method(whole_inventory)),
    # Pages that read the whole inventory and change nothing, whatever the method.
    "data_map": ("/admin/data-map/", each_method(whole_inventory)),
    "data_map_plotly": ("/admin/data-map/plotly.js", each_method(whole_inventory)),
    "verify_history": ("/admin/verify-history/", each_method(whole_inventory)),
    "import_ropa": ("/admin/import-ropa/", each_method(dpo_only)),
}
# Patterns without a name, by their route.
UNNAMED = {
    "": ("/", each_method(anyone)),  # redirects to the admin
    "admin/(?P<url>.*)$": ("/admin/no-such-page/", each_method(nobody)),
    "^api/": ("/api/v1/no-such-resource/", each_method(nobody)),
}


def view_on_site_url(world: World) -> str:
    from django.contrib.contenttypes.models import ContentType

    vendor = world.obj("vendor")
    ct = ContentType.objects.get_for_model(vendor)
    return f"/admin/r/{ct.pk}/{vendor.pk}/"  # no page on site: 404 for all


def api_probe(world: World, name: str) -> Probe:
    basename, _, action = name.partition("-")
    if basename == "finding":
        return Probe(
            "/api/v1/findings/", each_method(nobody, GET=whole_inventory), api=True
        )
    if basename == "reportrun":
        return report_api_probe(world, action)
    if basename == "notice":
        return notice_api_probe(world, action)
    if basename == "deletionrun":
        return deletion_run_api_probe(world, action)
    if basename == "flow":  # derived, read-only: the whole inventory's readers
        return Probe(
            "/api/v1/flows/", each_method(nobody, GET=whole_inventory), api=True
        )
    model = BASENAME_MODELS.get(basename, basename)
    path = API_BASENAMES[model]
    resource = RESOURCE_BY_PATH[path]
    obj = world.obj(model)
    pk = obj.code if model == "countryprofile" else obj.pk
    base = f"/api/v1/{path}/"
    read = reads(model)
    if action == "list":
        rules = each_method(nobody, GET=read, POST=writes(model, "add"))
        return Probe(base, rules, resource.payload(), api=True)
    if action == "all-history":
        return Probe(f"{base}history/", each_method(nobody, GET=read), api=True)
    if action == "history":
        return Probe(f"{base}{pk}/history/", each_method(nobody, GET=read), api=True)
    if action == "review" or action in REQUEST_ACTIONS:
        rules = each_method(nobody, POST=writes(model, "change"))
        return Probe(f"{base}{pk}/{action}/", rules, api=True)
    if action == "export":  # the requester's own data: the DPO answers with it
        return Probe(f"{base}{pk}/export/", each_method(nobody, GET=dpo_only), api=True)
    if action == "task-done":  # no such task: the DPO is told so (400)
        url = f"{base}{pk}/tasks/999999/done/"
        return Probe(url, each_method(nobody, POST=dpo_only), api=True)
    if action == "detail":
        change = writes(model, "change")
        rules = each_method(
            nobody,
            GET=read,
            PUT=change,
            PATCH=change,
            DELETE=writes(model, "delete"),
        )
        return Probe(f"{base}{pk}/", rules, resource.change, api=True)
    raise LookupError(name)


def report_api_probe(world: World, action: str) -> Probe:
    read = reads("reportrun")
    pk = world.run.pk
    if action == "list":
        rules = each_method(nobody, GET=read, POST=writes("reportrun", "add"))
        payload = {"kind": "dpa-annex", "customer": "Acme GmbH"}
        return Probe("/api/v1/reports/", rules, payload, api=True)
    if action == "detail":
        return Probe(f"/api/v1/reports/{pk}/", each_method(nobody, GET=read), api=True)
    if action == "download":
        url = f"/api/v1/reports/{pk}/download/"
        return Probe(url, each_method(nobody, GET=read), api=True)
    raise LookupError(action)


def deletion_run_api_probe(world: World, action: str) -> Probe:
    """Append-only evidence: the DPO's jobs add runs, DPO and Auditor read
    them, nobody changes or deletes one."""
    run = world.obj("deletionrun")
    if action == "list":
        rules = each_method(nobody, GET=whole_inventory, POST=dpo_only)
        payload = {
            "system": run.system_id,
            "data_category": run.data_category_id,
            "retention_days": 30,
            "deleted": 1,
            "started_at": "2026-02-01T02:00:00Z",
            "finished_at": "2026-02-01T02:03:00Z",
            "outcome": "success",
        }
        return Probe("/api/v1/deletion-runs/", rules, payload, api=True)
    if action == "detail":
        url = f"/api/v1/deletion-runs/{run.pk}/"
        return Probe(url, each_method(nobody, GET=whole_inventory), api=True)
    raise LookupError(action)


def notice_api_probe(world: World, action: str) -> Probe:
    pk = world.obj("subprocessornotice").pk
    read = reads("subprocessornotice")
    change = dpo_only  # never edited; the DPO acts on it (send, respond, ...)
    if action == "list":
        return Probe("/api/v1/notices/", each_method(nobody, GET=read), api=True)
    if action == "detail":
        return Probe(f"/api/v1/notices/{pk}/", each_method(nobody, GET=read), api=True)
    if action in ("send", "resend", "resolve"):
        url = f"/api/v1/notices/{pk}/{action}/"
        return Probe(url, each_method(nobody, POST=change), api=True)
    if action == "history":
        url = f"/api/v1/notices/{pk}/history/"
        return Probe(url, each_method(nobody, GET=read), api=True)
    if action == "all-history":
        url = "/api/v1/notices/history/"
        return Probe(url, each_method(nobody, GET=read), api=True)
    if action == "respond":
        url = f"/api/v1/notices/{pk}/respond/"
        payload = {"status": "accepted"}
        return Probe(url, each_method(nobody, POST=change), payload, api=True)
    raise LookupError(action)


API_SITE = {
    "schema": ("/api/schema/", each_method(nobody, GET=anyone)),
    "docs": ("/api/docs/", each_method(nobody, GET=anyone)),
}


# -- the URLconf, walked ---------------------------------------------------------


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def url_patterns() -> list[tuple[str, str | None]]:
    return list(dict.fromkeys(walk(get_resolver().url_patterns)))


ADMIN_ACTIONS = (
    "simple_history",
    "changelist",
    "add",
    "history",
    "delete",
    "change",
    "download",
    "password_change",
)


def admin_model_of(route: str, name: str | None) -> tuple[str, str] | None:
    """(model name, action) of a ModelAdmin's own URL, else None."""
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"{meta.app_label}_{meta.model_name}_"
        if name and name.startswith(prefix) and name[len(prefix) :] in ADMIN_ACTIONS:
            return meta.model_name, name[len(prefix) :]
        redirect = f"admin/{meta.app_label}/{meta.model_name}/<path:object_id>/"
        if name is None and route == redirect:
            return meta.model_name, "redirect"
    return None


def probe_for(world: World, route: str, name: str | None) -> Probe:
    """The probe of one pattern; LookupError if the matrix does not know it."""
    found = admin_model_of(route, name)
    if found:
        model, action = found
        url = admin_model_url(world, model, action, name)
        probe = admin_model_probe(world, model, action, url)
        if action in ("change", "simple_history"):
            probe.payload = "from-dpo-page"  # type: ignore[assignment]
        return probe
    if route.startswith("admin/") and name in ADMIN_SITE:
        url, rules = ADMIN_SITE[name]
        return Probe(url, rules)
    if name == "import_ropa_run":  # an import's status page: as the import
        url = f"/admin/import-ropa/runs/{world.obj('importrun').pk}/"
        return Probe(url, each_method(dpo_only))
    if name == "view_on_site":
        return Probe(view_on_site_url(world), each_method(nobody))
    if name is None and route in UNNAMED:
        url, rules = UNNAMED[route]
        return Probe(url, rules, api=route.startswith("^api"))
    if name in API_SITE:
        url, rules = API_SITE[name]
        return Probe(url, rules, api=True)
    if route.startswith("api/v1/") and name:
        return api_probe(world, name)
    raise LookupError(f"{route} ({name})")


PATTERNS = url_patterns()


@pytest.mark.django_db
def test_every_url_pattern_is_classified():
    world = make_world()
    unknown = []
    for route, name in PATTERNS:
        try:
            probe_for(world, route, name)
        except (LookupError, KeyError):
            unknown.append(f"{route} ({name})")
    assert not unknown, "missing from the role matrix:\n" + "\n".join(unknown)


# -- one pattern: every role x method ------------------------------------------


def fingerprint() -> tuple[Any, ...]:
    """Rows of every table a write could touch (history tables included), in
    one query: the matrix makes thousands of requests."""
    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label
        in (*INVENTORY_APPS, "reports", "auth", "authtoken", "axes")
    ]
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


class Rollback(Exception):
    pass


def client_for(world: World, role: str) -> Client:
    """The role's client, logged in once; each request starts from the same
    session (a logout is rolled back with the rest)."""
    if role not in world.clients:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        world.clients[role] = (client, copy.deepcopy(client.cookies))
    client, cookies = world.clients[role]
    client.cookies = copy.deepcopy(cookies)
    return client


def send(client: Client, method: str, probe: Probe, payload: Any) -> Any:
    if probe.api:
        body = json.dumps(payload) if method != "GET" else None
        if method == "GET":
            return client.get(probe.url, HTTP_ACCEPT="application/json")
        return client.generic(method, probe.url, body, "application/json")
    if method == "GET":
        return client.get(probe.url)
    if method == "POST":
        return client.post(probe.url, payload)
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return client.generic(
        method, probe.url, encode_multipart(BOUNDARY, payload), MULTIPART_CONTENT
    )


def outcome(response: Any, role: str) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (401, 403, 404, 405):
        return "refused"
    location = response.get("Location", "")
    if status == 302 and role == "anonymous" and "/admin/login/" in location:
        return "refused"
    return "served"


def request_once(
    world: World, probe: Probe, role: str, method: str, payload: Any, allowed: bool
) -> tuple[str, bool]:
    """(outcome, whether it changed any row), the database rolled back after.
    Rows are counted only where they must not change."""
    result: tuple[str, bool] = ("", False)
    try:
        with transaction.atomic():
            watch = not allowed
            before = fingerprint() if watch else ()
            response = send(client_for(world, role), method, probe, payload)
            wrote = watch and fingerprint() != before
            result = (outcome(response, role), wrote)
            raise Rollback
    except Rollback:
        pass
    return result


def check_pattern(world: World, route: str, name: str | None) -> list[str]:
    """Every role x method on one pattern: what differs from the matrix."""
    probe = probe_for(world, route, name)
    payload = probe.payload
    if payload == "from-dpo-page":
        page = client_for(world, "dpo").get(probe.url)
        payload = form_data(page) if page.status_code == 200 else {}
    wrong = []
    for role in ROLES:
        for method in METHODS:
            allowed = probe.rules[method](role)
            got, wrote = request_once(world, probe, role, method, payload, allowed)
            want = "served" if allowed else "refused"
            if got != want or (wrote and not allowed):
                wrong.append(f"{role} {method} {probe.url}: {got}, wrote={wrote}")
    return wrong


def section(route: str) -> str:
    """admin/<app> or the first path segment: one test (and one world) each."""
    parts = route.split("/")
    return "/".join(parts[:2]) if parts[0] == "admin" and len(parts) > 2 else parts[0]


SECTIONS = sorted({section(route) for route, _ in PATTERNS})


@pytest.mark.django_db
@pytest.mark.parametrize("where", SECTIONS)
def test_url_role_method_matrix(where):
    """One world per section, every request rolled back."""
    world = make_world()
    wrong = []
    for route, name in PATTERNS:
        if section(route) == where:
            wrong += check_pattern(world, route, name)
    assert not wrong, "\n".join(wrong)


def test_matrix_size():
    requests = len(PATTERNS) * len(ROLES) * len(METHODS)
    assert requests >= 3000, requests
