"""The data map in the admin: a picture of where personal data goes.

A Sankey diagram (plotly, drawn in the browser by the plotly.js that ships in
the plotly wheel and is served from here: no network) of the flows of
``transfers.flows``, for our own processing, everything, or one customer, as
of any date. Parties are grouped by country; each link is coloured by its
status and opens the covering transfer (or the importer) when clicked; the
table under it lists the same flows with links to their records.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import plotly.graph_objects as go
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from plotly.offline import get_plotlyjs

from reports.params import ReportError, parse_when, resolve_as_of
from reports.snapshot import Snapshot
from reports.xlsx import country_name
from transfers import rules
from transfers.flows import CUSTOMER, ENTITY, DataMap, Flow, Party, Status

OURS, EVERYTHING = "ours", "all"
STATUS_COLOURS = {
    Status.NO_SAFEGUARD_NEEDED: "rgba(46, 139, 87, 0.55)",  # EEA or adequacy
    Status.COVERED: "rgba(65, 105, 225, 0.55)",  # a recorded safeguard
    Status.MISSING: "rgba(220, 20, 60, 0.75)",  # none recorded
}
STATUS_LABELS = {
    Status.NO_SAFEGUARD_NEEDED: "EEA or adequate (Art. 45)",
    Status.COVERED: "safeguard recorded (Art. 46/49)",
    Status.MISSING: "no safeguard recorded",
}
ADMIN_PAGES = {
    ENTITY: "admin:inventory_legalentity_change",
    CUSTOMER: "admin:inventory_customer_change",
    "vendor": "admin:inventory_vendor_change",
}


def may_see_flows(user: Any) -> bool:
    """The roles that read transfers read the flows (DPO, Auditor)."""
    return bool(user.has_perm("transfers.view_transfer"))


def party_url(party: Party) -> str:
    return reverse(ADMIN_PAGES[party.type], args=[party.id])


def flow_url(flow: Flow) -> str:
    """The flow's record: the covering transfer, else the importer."""
    if flow.transfer is not None:
        return reverse("admin:transfers_transfer_change", args=[flow.transfer])
    return party_url(flow.importer)


@dataclass(frozen=True)
class Node:
    """A party at a place: exporters at home, importers where they process."""

    party: Party
    country: str

    def label(self) -> str:
        return html.escape(f"{self.party.name} ({country_name(self.country)})")


def nodes_of(flows: list[Flow]) -> list[Node]:
    """Exporters first, then importers by country, so that one country's
    parties sit together."""
    exporters = {Node(f.exporter, f.exporter.country) for f in flows}
    importers = {Node(f.importer, f.country) for f in flows} - exporters
    return sorted(exporters, key=lambda n: (n.country, n.party.name)) + sorted(
        importers, key=lambda n: (country_name(n.country), n.party.name)
    )


def figure(flows: list[Flow], names: dict[int, str]) -> go.Figure:
    """The Sankey: one link per flow, as wide as its data categories."""
    nodes = nodes_of(flows)
    index = {node: i for i, node in enumerate(nodes)}
    links = [
        (
            index[Node(f.exporter, f.exporter.country)],
            index[Node(f.importer, f.country)],
            max(1, len(f.data_categories)),
            STATUS_COLOURS[f.status],
            [
                STATUS_LABELS[f.status],
                html.escape(", ".join(names.get(a, "") for a in f.activities)),
                flow_url(f),
            ],
        )
        for f in flows
    ]
    sankey = go.Sankey(
        arrangement="snap",
        node={"label": [n.label() for n in nodes], "pad": 14, "thickness": 14},
        link={
            "source": [link[0] for link in links],
            "target": [link[1] for link in links],
            "value": [link[2] for link in links],
            "color": [link[3] for link in links],
            "customdata": [link[4] for link in links],
            "hovertemplate": "%{source.label} → %{target.label}<br>"
            "%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        },
    )
    fig = go.Figure(sankey)
    fig.update_layout(
        height=max(420, 28 * len(nodes)), margin={"l": 10, "r": 10, "t": 10, "b": 10}
    )
    return fig


def chart_figure(flows: list[Flow], names: dict[int, str]) -> Any:
    """The chart's figure as plain JSON data, drawn by reports/data_map.js;
    plotly.js itself comes from ``plotly_js``."""
    if not flows:
        return None
    return json.loads(figure(flows, names).to_json())


def scope_choices(snap: Snapshot) -> list[tuple[str, str]]:
    customers = sorted(snap.records("inventory.Customer"), key=lambda c: c["name"])
    return [
        (OURS, "Our own processing"),
        (EVERYTHING, "Everything"),
        *((str(c["id"]), f"Customer: {c['name']}") for c in customers),
    ]


def scoped_flows(data_map: DataMap, scope: str) -> list[Flow]:
    if scope == EVERYTHING:
        return data_map.flows()
    if scope == OURS:
        return [f for f in data_map.flows() if not f.customers]
    return data_map.flows(int(scope))


def rows(flows: list[Flow], snap: Snapshot) -> list[dict[str, Any]]:
    """The table under the chart: every flow with links to its records."""
    acts = snap.table("inventory.ProcessingActivity")
    customers = snap.table("inventory.Customer")
    return [
        {
            "flow": f,
            "exporter_url": party_url(f.exporter),
            "importer_url": party_url(f.importer),
            "country": country_name(f.country),
            "activities": ", ".join(acts[a]["ref"] for a in f.activities if a in acts),
            "customers": ", ".join(
                customers[c]["name"] for c in f.customers if c in customers
            ),
            "status": STATUS_LABELS[f.status],
            "law": rules.REGIME_NAMES[f.regime],
            "transfer_url": (
                reverse("admin:transfers_transfer_change", args=[f.transfer])
                if f.transfer is not None
                else ""
            ),
        }
        for f in flows
    ]


def data_map_view(request: HttpRequest) -> HttpResponse:
    """/admin/data-map/: ``?scope=ours|all|<customer id>`` and ``?as_of=``."""
    if not may_see_flows(request.user):
        raise PermissionDenied
    as_of_text = request.GET.get("as_of", "")
    try:
        when = parse_when(as_of_text, "as_of") if as_of_text else None
        as_of, error = resolve_as_of(when), ""
    except ReportError as exc:
        as_of, error = resolve_as_of(None), str(exc)
    refused = bool(error)  # a moment the inventory cannot answer for: no map
    snap = Snapshot(as_of)
    choices = scope_choices(snap)
    scope = request.GET.get("scope", OURS)
    if scope not in dict(choices):
        scope, error = OURS, error or f"No customer {scope!r} at this date."
    flows = [] if refused else scoped_flows(DataMap(snap), scope)
    acts = snap.table("inventory.ProcessingActivity")
    names = {i: f"{a['ref']} {a['name']}" for i, a in acts.items()}
    context = {
        **admin.site.each_context(request),
        "title": "Data map",
        "as_of": as_of_text if not error else "",
        "shown_as_of": as_of,
        "error": error,
        "scope": scope,
        "scopes": choices,
        "chart": chart_figure(flows, names),
        "rows": rows(flows, snap),
        "legend": [(STATUS_COLOURS[s], STATUS_LABELS[s]) for s in Status],
    }
    return TemplateResponse(request, "admin/kbinventory/data_map.html", context)


@cache
def plotly_source() -> str:
    return str(get_plotlyjs())


def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js from the installed plotly wheel: the page needs no network."""
    if not may_see_flows(request.user):
        raise PermissionDenied
    response = HttpResponse(plotly_source(), content_type="text/javascript")
    response["Cache-Control"] = "private, max-age=86400"
    return response
