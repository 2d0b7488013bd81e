"""The data map: every flow of personal data, derived from the inventory.

A flow is personal data going from an exporter (one of our legal entities, or a
customer) to an importer (a vendor, or one of our legal entities) that
processes it in one country. Nobody types flows in: they follow from what the
inventory already says (docs/data-map.md has the derivation and its legal
basis):

- our controller activities: our entity -> each recipient vendor, in each of
  its processing countries, and -> the vendor hosting each of the activity's
  systems, in each hosting country (Art. 30(1)(d), (e) GDPR);
- each customer: customer -> our entity, for the processor activities of its
  enabled features (Art. 30(2)(b)); then our entity -> each vendor that serves
  that customer, in each country where it processes (Art. 28(2), (4), Art.
  30(2)(c), SCC Clause 9).

A vendor or system serves a customer through an activity when one of the
customer's enabled features that carries the activity names it, or when it is
one of the activity's own recipients or systems that no feature carrying the
activity names (then every customer of the activity uses it). A customer
that chose a data residency region is served only by that region's systems
and vendors, and by a hosting vendor only where the region's systems are
(``inventory.residency``; Art. 28(3)(a) GDPR, Clause 8.1 SCC). A
``ReachFilter`` can narrow a customer's reach further.

Recorded transfers are the legal instruments: a flow into a country where a
safeguard is needed (Art. 44, 46) is covered by a recorded transfer with the
same exporter, importer, roles and destination whose mechanism holds there;
``judge`` is the one place that decides it, with ``transfers.rules``.

The module reads plain records (dicts by id, as ``reports.snapshot.Snapshot``
gives them), so flows hold as of any date and cost no queries of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from inventory import residency
from transfers import law, rules

Record = Mapping[str, Any]
R = TypeVar("R", bound=Record)
ENTITY, CUSTOMER, VENDOR = "entity", "customer", "vendor"
# The key of systems' places among the vendors' (DataMap._system_places).
SYSTEM_PLACES = "system"
CONTROLLER_ROLES = ("independent_controller", "joint_controller")


class Inventory(Protocol):
    """What the data map reads: the inventory's records by model label and id
    (``reports.snapshot.Snapshot`` is one), and the moment they stand for."""

    @property
    def as_of(self) -> datetime: ...

    def table(self, label: str) -> Mapping[int, Record]: ...


class Status(StrEnum):
    """Whether a flow has the Chapter V safeguard it needs."""

    NO_SAFEGUARD_NEEDED = "no_safeguard_needed"  # EEA, or adequacy (Art. 45)
    COVERED = "covered"  # a recorded transfer's safeguard holds (Art. 46, 49)
    MISSING = "missing"  # a safeguard is needed and none is recorded


@dataclass(frozen=True, order=True)
class Party:
    type: str  # ENTITY, CUSTOMER or VENDOR
    id: int
    name: str
    country: str  # ISO 3166-1 alpha-2

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "country": self.country,
        }


@dataclass(frozen=True, order=True)
class Route:
    """What a flow is: the parties, their roles (the SCC module follows from
    them), the country, and the law the data travels under (``regime``: the
    customer's for its data, onward legs included, ``rules.leg_regime``). A
    covering transfer must match all but the regime, and hold under it."""

    exporter: Party
    importer: Party
    country: str
    exporter_role: rules.Role
    importer_role: rules.Role
    regime: rules.Regime = rules.Regime.EU


@dataclass(frozen=True)
class Leg:
    """One activity's data on one route, for one customer (None: our own)."""

    route: Route
    activity: int
    customer: int | None
    data_categories: frozenset[int]


@dataclass(frozen=True)
class Flow:
    """One route with everything that travels on it and its judgement."""

    route: Route
    activities: tuple[int, ...]
    customers: tuple[int, ...]
    data_categories: tuple[int, ...]
    transfer: int | None  # the covering (or, where none is needed, matching) one
    status: Status
    third_country: bool  # outside the EEA: a Chapter V transfer (Art. 44)

    @property
    def exporter(self) -> Party:
        return self.route.exporter

    @property
    def importer(self) -> Party:
        return self.route.importer

    @property
    def country(self) -> str:
        return self.route.country

    @property
    def regime(self) -> rules.Regime:
        return self.route.regime


@dataclass(frozen=True)
class Reach:
    """What serves one customer: its processor activities, and per activity
    the vendors and systems its data goes to."""

    activities: frozenset[int]
    vendors: Mapping[int, frozenset[int]] = field(default_factory=dict)
    systems: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def all_systems(self) -> frozenset[int]:
        return frozenset(s for ids in self.systems.values() for s in ids)


# A per-customer narrowing of its reach (the customer record, its reach ->
# the reach to use), applied after the customer's residency region.
ReachFilter = Callable[[Record, Reach], Reach]


def codes(text: str | None) -> list[str]:
    """Country codes of a multiple CountryField as stored ("US,DE")."""
    return [c for c in (text or "").split(",") if c]


def judge(
    dest: rules.Destination,
    candidates: list[Record],
    regime: rules.Regime = rules.Regime.EU,
) -> tuple[Status, Record | None]:
    """The status of a flow into ``dest`` and the transfer that covers it.

    ``candidates`` are the recorded transfers with the flow's parties, roles and
    destination, the preferred first. No safeguard is needed inside the EEA
    (Art. 44) or where an adequacy decision covers the importer (Art. 45);
    otherwise the flow is covered only by a candidate whose mechanism holds
    there: an Art. 46 tool, a well-founded Art. 49 derogation, not "none" nor
    an adequacy claim that the decision does not support
    (``rules.mechanism_covers``); SCCs only with the instrument ``regime``
    asks for (UK Addendum or IDTA, Swiss adaptations:
    ``rules.regime_tool_error``).
    """
    valid = [
        t
        for t in candidates
        if rules.mechanism_covers(
            dest, rules.Mechanism(t["mechanism"]), t["derogation_ground"]
        )
        and law.tool_error(regime, t) is None
    ]
    if not rules.safeguard_required(dest):
        found = valid or candidates
        return Status.NO_SAFEGUARD_NEEDED, found[0] if found else None
    if valid:
        return Status.COVERED, valid[0]
    return Status.MISSING, None


class DataMap:
    """The flows of an inventory (as of its date), with the per-activity and
    per-customer views the records, annexes, findings, API and picture use."""

    def __init__(self, inv: Inventory, reach_filter: ReachFilter | None = None):
        self.inv = inv
        self.day = inv.as_of.date()
        self.reach_filter = reach_filter
        self._countries: dict[str, Record] | None = None
        self._carriers = self._features_by_activity()
        self._reach: dict[int, Reach] = {}
        self._serving: dict[int, residency.Serving] = {}
        self._hosted = self._systems_by_vendor()
        # Built once per map, shared by every leg: where each vendor (for a
        # customer whose region restricts it) and each system's host process
        # data, each activity's categories, each route.
        self._places: dict[tuple[Any, int], list[tuple[int, str]]] = {}
        self._activity_categories: dict[int, frozenset[int]] = {}
        self._routes: dict[Any, dict[Any, Route]] = {}
        self.legs = list(self._legs())
        self._legs_by: dict[str, dict[Any, list[Leg]]] = {}
        self._judged: dict[Route, tuple[Status, int | None, bool]] = {}
        self._transfers = self._transfers_by_key()
        self._transfer_laws: dict[int, rules.Regime] = {}

    @classmethod
    def of(cls, inv: Inventory) -> DataMap:
        """The one data map of an inventory (no reach filter), built on first
        use: a report whose findings and record both read the flows builds it
        once (it was a tenth of a large controller record, twice). The map is
        kept on the inventory object itself, so it goes when the inventory
        does (a Snapshot lives for one report or one refresh)."""
        shared = getattr(inv, SHARED, None)
        if shared is None:
            shared = cls(inv)
            setattr(inv, SHARED, shared)
        return shared

    # -- views

    def flows(self, customer: int | None = None) -> list[Flow]:
        """Every flow, or the flows concerning one customer (only that
        customer's activities and data on them)."""
        if customer is None:
            return self.merge(self.legs)
        return self.merge(self._index("customer").get(customer, []))

    def for_activity(self, activity: int) -> list[Flow]:
        """The flows carrying one activity's data (all customers)."""
        return self.merge(self._index("activity").get(activity, []))

    def for_customer_activities(
        self, customer: int, activities: Iterable[int]
    ) -> list[Flow]:
        """The flows carrying these activities' data for one customer."""
        wanted = set(activities)
        legs = self._index("customer").get(customer, [])
        return self.merge(leg for leg in legs if leg.activity in wanted)

    def for_feature(self, customer: int, feature: Record) -> list[Flow]:
        """The flows one enabled feature of a customer causes: its activities'
        data to our entity, then to the vendors (and system hosts) that this
        feature names or that no feature of the activity names."""
        wanted = set(feature["activities"])
        legs = [
            leg
            for leg in self._index("customer").get(customer, [])
            if leg.activity in wanted
            and (
                leg.route.importer.type != VENDOR
                or leg.route.importer.id in self._feature_vendors(feature, leg.activity)
            )
        ]
        return self.merge(legs)

    def _index(self, attribute: str) -> dict[Any, list[Leg]]:
        """The legs by their ``activity`` or ``customer``, grouped on first
        use (the findings read every flow at once and need neither)."""
        if attribute not in self._legs_by:
            grouped: dict[Any, list[Leg]] = defaultdict(list)
            for leg in self.legs:
                grouped[getattr(leg, attribute)].append(leg)
            self._legs_by[attribute] = grouped
        return self._legs_by[attribute]

    def _feature_vendors(self, feature: Record, aid: int) -> set[int]:
        act = self.table("inventory.ProcessingActivity")[aid]
        carriers = self._carriers[aid]
        systems = self.table("inventory.System")
        system_ids = served(act["systems"], "systems", carriers, [feature])
        hosts = {systems[s]["vendor_id"] for s in system_ids if s in systems}
        return set(served(act["recipients"], "vendors", carriers, [feature])) | hosts

    def reach(self, customer_id: int) -> Reach:
        """What serves the customer: within its residency region, then after
        the reach filter."""
        if customer_id not in self._reach:
            customer = self.table("inventory.Customer").get(customer_id)
            reach = Reach(frozenset())
            if customer:
                reach = self._in_region(customer_id, self._customer_reach(customer))
            if customer and self.reach_filter:
                reach = self.reach_filter(customer, reach)
            self._reach[customer_id] = reach
        return self._reach[customer_id]

    def serving(self, customer_id: int | None) -> residency.Serving:
        """The systems and vendors the customer's residency region allows
        (no restriction for our own processing or a customer without one)."""
        if customer_id is None:
            return residency.UNRESTRICTED
        if customer_id not in self._serving:
            customer = self.table("inventory.Customer").get(customer_id) or {}
            regions = self.table("inventory.Region")
            self._serving[customer_id] = residency.serving(customer, regions)
        return self._serving[customer_id]

    def in_region(self, customer_id: int, transfers: list[R]) -> list[R]:
        """The customer's recorded transfers less the onward ones its residency
        region keeps its data off: to a vendor the region excludes, or to a
        vendor the customer's data reaches only in other countries (Art.
        28(3)(a) GDPR, Clause 8.1 SCC). Any other recorded transfer stays."""
        allowed = self.serving(customer_id)
        if allowed.region is None:
            return transfers
        reached: dict[int, set[str]] = defaultdict(set)
        for leg in self._index("customer").get(customer_id, []):
            if leg.route.importer.type == VENDOR:
                reached[leg.route.importer.id].add(leg.route.country)

        def kept(transfer: R) -> bool:
            vendor = transfer["importer_id"]
            if transfer["exporter_customer_id"] or vendor is None:
                return True
            if not allowed.allows_vendor(vendor):
                return False
            return vendor not in reached or transfer["destination"] in reached[vendor]

        return [t for t in transfers if kept(t)]

    def merge(self, legs: Iterable[Leg]) -> list[Flow]:
        """Legs grouped by route into judged flows, in route order."""
        flows = []
        for route, group in sorted(by_route(legs).items(), key=route_order):
            status, transfer, third = self.judged(route)
            flows.append(
                Flow(
                    route,
                    tuple(sorted({g.activity for g in group})),
                    tuple(sorted({g.customer for g in group if g.customer})),
                    tuple(
                        sorted(frozenset().union(*(g.data_categories for g in group)))
                    ),
                    transfer,
                    status,
                    third,
                )
            )
        return flows

    def judged(self, route: Route) -> tuple[Status, int | None, bool]:
        """Judged under the route's law (``transfers.law``): EU, UK or Swiss
        rules, or none where no Chapter V applies to the data."""
        if route not in self._judged:
            importer = route.importer
            vendors = self.table("inventory.Vendor")
            vendor = vendors.get(importer.id) if importer.type == VENDOR else None
            eu = rules.destination(
                self.countries().get(route.country), vendor, self.day
            )
            dest = law.seen_by(route.regime, route.country, eu, vendor)
            status, transfer = judge(dest, self.candidates(route), route.regime)
            tid = transfer["id"] if transfer else None
            self._judged[route] = (status, tid, rules.is_transfer(eu))
        return self._judged[route]

    def candidates(self, route: Route) -> list[Record]:
        """The recorded transfers that can cover the route, those recorded
        under the route's own law first (an onward transfer hanging under
        the customer's transfer), then by id."""
        found = self._transfers.get(route_key(route), [])
        return sorted(found, key=lambda t: self.transfer_law(t) != route.regime)

    def transfer_law(self, transfer: Record) -> rules.Regime:
        """The law a recorded transfer was made under (``law.transfer_law``)."""
        if transfer["id"] not in self._transfer_laws:
            found = law.transfer_law(transfer, self.lookup)[0]
            self._transfer_laws[transfer["id"]] = found
        return self._transfer_laws[transfer["id"]]

    def lookup(self, label: str, pk: Any) -> Record | None:
        return None if pk is None else self.table(label).get(pk)

    def party_law(self, party: Party) -> rules.Regime:
        """The transfer law an entity or customer is subject to."""
        label = (
            "inventory.LegalEntity" if party.type == ENTITY else "inventory.Customer"
        )
        return law.exporter_law(self.table(label).get(party.id))[0]

    # -- reading the inventory

    def table(self, label: str) -> Mapping[int, Record]:
        return self.inv.table(label)

    def countries(self) -> dict[str, Record]:
        """The country profiles by code, built once a map (every route asks)."""
        if self._countries is None:
            profiles = self.table("transfers.CountryProfile").values()
            self._countries = {p["code"]: p for p in profiles}
        return self._countries

    def entity_party(self, entity: Record) -> Party:
        return Party(ENTITY, entity["id"], entity["name"], entity["country"])

    def our_entity(self) -> Record | None:
        """The entity that runs our own processing: the first by name."""
        entities = sorted(self.table("inventory.LegalEntity").values(), key=by_name)
        return entities[0] if entities else None

    def customer_entity(self, customer: Record) -> Record | None:
        """Our entity importing the customer's data: the one its recorded
        transfer names, else ours."""
        entities = self.table("inventory.LegalEntity")
        for transfer in sorted(self.table("transfers.Transfer").values(), key=by_id):
            if transfer["exporter_customer_id"] == customer["id"]:
                entity = entities.get(transfer["importer_entity_id"])
                if entity is not None:
                    return entity
        return self.our_entity()

    # -- deriving the legs

    def _legs(self) -> Iterator[Leg]:
        entity = self.our_entity()
        if entity is None:
            return
        ours = self.entity_party(entity)
        regime = self.party_law(ours)
        activities = self.table("inventory.ProcessingActivity")
        for act in sorted(activities.values(), key=by_id):
            if act["status"] != "retired" and act["role"] == rules.Role.CONTROLLER:
                yield from self._activity_legs(
                    (ours, regime), act, None, act["recipients"], act["systems"]
                )
        for customer in sorted(self.table("inventory.Customer").values(), key=by_id):
            yield from self._customer_legs(customer)

    def _customer_legs(self, customer: Record) -> Iterator[Leg]:
        entity = self.customer_entity(customer)
        if entity is None:
            return
        ours = self.entity_party(entity)
        exporter = Party(
            CUSTOMER, customer["id"], customer["name"], customer["country"]
        )
        # The customer's data travels under its law on every leg.
        regime = rules.leg_regime(self.party_law(ours), self.party_law(exporter))
        to_us = Route(
            exporter,
            ours,
            entity["country"],
            rules.Role.CONTROLLER,
            rules.Role.PROCESSOR,
            regime,
        )
        reach = self.reach(customer["id"])
        activities = self.table("inventory.ProcessingActivity")
        for aid in sorted(reach.activities):
            act = activities[aid]
            yield Leg(to_us, aid, customer["id"], self._categories(act))
            yield from self._activity_legs(
                (ours, regime),
                act,
                customer["id"],
                reach.vendors.get(aid, frozenset()),
                reach.systems.get(aid, frozenset()),
            )

    def _activity_legs(
        self,
        sender: tuple[Party, rules.Regime],
        act: Record,
        customer: int | None,
        vendor_ids: Iterable[int],
        system_ids: Iterable[int],
    ) -> Iterator[Leg]:
        """The activity's data to each vendor, where the vendor processes it,
        and to the vendor hosting each system, where the system is hosted."""
        places: list[tuple[int, str]] = []
        scope = self._place_scope(customer)
        for vid in vendor_ids:
            places.extend(self._vendor_places(scope, vid))
        for sid in system_ids:
            places.extend(self._system_places(sid))
        if not places:
            return
        role = act["role"]
        categories = self._categories(act)
        routes = self._routes.setdefault(sender, {})
        aid = act["id"]
        for place in dict.fromkeys(places):
            route = routes.get((place, role))
            if route is None:
                route = routes[(place, role)] = self._route(sender, place, role)
            yield Leg(route, aid, customer, categories)

    def _route(
        self, sender: tuple[Party, rules.Regime], place: tuple[int, str], role: str
    ) -> Route:
        exporter, regime = sender
        vid, code = place
        vendor = self.table("inventory.Vendor")[vid]
        importer = Party(VENDOR, vendor["id"], vendor["name"], vendor["country"])
        return Route(
            exporter, importer, code, rules.Role(role), importer_role(vendor), regime
        )

    def _place_scope(self, customer: int | None) -> int | None:
        """Whose residency region decides where vendors process the data:
        the customer's if its region places systems, else nobody's."""
        return None if self.serving(customer).systems is None else customer

    def _vendor_places(self, scope: int | None, vid: int) -> list[tuple[int, str]]:
        """(vendor, country) for each country where the vendor processes the
        data of ``scope`` (a customer whose region restricts it, else all)."""
        key = (scope, vid)
        if key not in self._places:
            vendor = self.table("inventory.Vendor").get(vid)
            kept: list[str] = []
            if vendor is not None:
                where = codes(vendor["processing_countries"]) or codes(
                    vendor["country"]
                )
                kept = residency.countries(
                    self.serving(scope), where, self._hosted[vid]
                )
            self._places[key] = [(vid, code) for code in kept]
        return self._places[key]

    def _system_places(self, sid: int) -> list[tuple[int, str]]:
        """(hosting vendor, country) for each country the system is hosted in."""
        key = (SYSTEM_PLACES, sid)
        if key not in self._places:
            system = self.table("inventory.System").get(sid)
            vendors = self.table("inventory.Vendor")
            found: list[tuple[int, str]] = []
            if system is not None and system["vendor_id"] in vendors:
                hosts = codes(system["hosting_countries"])
                found = [(system["vendor_id"], code) for code in hosts]
            self._places[key] = found
        return self._places[key]

    def _categories(self, act: Record) -> frozenset[int]:
        """The activity's data categories, one frozenset per activity."""
        if act["id"] not in self._activity_categories:
            self._activity_categories[act["id"]] = frozenset(act["data_categories"])
        return self._activity_categories[act["id"]]

    def _features_by_activity(self) -> dict[int, list[Record]]:
        carriers: dict[int, list[Record]] = defaultdict(list)
        for feature in self.table("inventory.ProductFeature").values():
            for aid in feature["activities"]:
                carriers[aid].append(feature)
        return carriers

    def _customer_reach(self, customer: Record) -> Reach:
        features = self.table("inventory.ProductFeature")
        enabled = {i for i in customer["features"] if i in features}
        activities = self.table("inventory.ProcessingActivity")
        mine = {
            aid
            for fid in enabled
            for aid in features[fid]["activities"]
            if aid in activities
            and activities[aid]["status"] != "retired"
            and activities[aid]["role"] == rules.Role.PROCESSOR
        }
        vendors, systems = {}, {}
        for aid in mine:
            carriers = self._carriers[aid]
            chosen = [f for f in carriers if f["id"] in enabled]
            act = activities[aid]
            vendors[aid] = served(act["recipients"], "vendors", carriers, chosen)
            systems[aid] = served(act["systems"], "systems", carriers, chosen)
        return Reach(frozenset(mine), vendors, systems)

    def _in_region(self, customer_id: int, reach: Reach) -> Reach:
        """The reach less the systems and vendors outside the customer's
        residency region; a system no vendor hosts (the customer's own shop)
        stays, as no region places it."""
        allowed = self.serving(customer_id)
        if allowed.region is None:
            return reach
        systems = self.table("inventory.System")
        unplaced = [i for i, s in systems.items() if s["vendor_id"] is None]
        return Reach(
            reach.activities,
            residency.narrow(allowed, reach.vendors, "vendors"),
            residency.narrow(allowed, reach.systems, "systems", unplaced),
        )

    def _systems_by_vendor(self) -> dict[int, dict[int, list[str]]]:
        """Per vendor, the systems it hosts and their hosting countries."""
        hosted: dict[int, dict[int, list[str]]] = defaultdict(dict)
        for system in self.table("inventory.System").values():
            if system["vendor_id"] is not None:
                hosted[system["vendor_id"]][system["id"]] = codes(
                    system["hosting_countries"]
                )
        return hosted

    def _transfers_by_key(self) -> dict[tuple[Any, ...], list[Record]]:
        """Recorded transfers by the routes they can cover (``route_key``),
        by id."""
        # Legs share their route objects: each route's key once.
        routes = {id(leg.route): leg.route for leg in self.legs}
        wanted = {route_key(route) for route in routes.values()}
        found: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
        for transfer in sorted(self.table("transfers.Transfer").values(), key=by_id):
            key = transfer_key(transfer)
            if key in wanted:
                found[key].append(transfer)
        return found


# The attribute of an inventory holding its shared data map (``DataMap.of``).
# Not a WeakKeyDictionary: its value, the map, refers to its key, the
# inventory, so no entry would ever be dropped.
SHARED = "_shared_data_map"


def by_route(legs: Iterable[Leg]) -> dict[Route, list[Leg]]:
    """The legs grouped by route. Legs share their route objects (the data
    map builds each route once), so they are grouped by object first and
    the routes compared by value once per object, not once per leg."""
    by_object: dict[int, tuple[Route, list[Leg]]] = {}
    for leg in legs:
        found = by_object.get(id(leg.route))
        if found is None:
            found = by_object[id(leg.route)] = (leg.route, [])
        found[1].append(leg)
    grouped: dict[Route, list[Leg]] = {}
    for route, group in by_object.values():
        grouped.setdefault(route, []).extend(group)
    return grouped


def route_order(item: tuple[Route, Any]) -> tuple[Any, ...]:
    """The order of ``Route`` (its fields, the parties' fields within), as
    a plain tuple: compared in C rather than through the dataclasses'
    generated comparisons."""
    route = item[0]
    return (
        party_order(route.exporter),
        party_order(route.importer),
        route.country,
        route.exporter_role,
        route.importer_role,
        route.regime,
    )


def party_order(party: Party) -> tuple[str, int, str, str]:
    return (party.type, party.id, party.name, party.country)


def served(
    own: Iterable[int], key: str, carriers: Sequence[Record], chosen: Sequence[Record]
) -> frozenset[int]:
    """The activity's ``own`` vendors (systems) that no feature ties to itself,
    and those the customer's chosen features name."""
    tied = {i for f in carriers for i in f.get(key, [])}
    return frozenset(
        {i for i in own if i not in tied} | {i for f in chosen for i in f.get(key, [])}
    )


def importer_role(vendor: Record) -> rules.Role:
    """A vendor acting as a controller receives as controller; processors and
    sub-processors as processor (Art. 4(7), (8), Art. 28)."""
    if vendor["role"] in CONTROLLER_ROLES:
        return rules.Role.CONTROLLER
    return rules.Role.PROCESSOR


def route_key(route: Route) -> tuple[Any, ...]:
    """What a transfer must match to cover the route (all but its law: one
    contract can serve several, ``judge`` checks it holds under the route's)."""
    return (
        route.exporter.type,
        route.exporter.id,
        route.importer.type,
        route.importer.id,
        route.country,
        str(route.exporter_role),
        str(route.importer_role),
    )


def transfer_key(t: Record) -> tuple[Any, ...]:
    exporter = (
        (ENTITY, t["exporter_id"])
        if t["exporter_id"]
        else (CUSTOMER, t["exporter_customer_id"])
    )
    importer = (
        (VENDOR, t["importer_id"])
        if t["importer_id"]
        else (ENTITY, t["importer_entity_id"])
    )
    return (
        *exporter,
        *importer,
        t["destination"],
        t["exporter_role"],
        t["importer_role"],
    )


def on_routes(transfer: Record, flows: Iterable[Flow]) -> bool:
    """Whether a recorded transfer matches the route of one of these flows."""
    return transfer_key(transfer) in {route_key(f.route) for f in flows}


def by_id(record: Record) -> int:
    return int(record["id"])


def by_name(record: Record) -> str:
    return str(record["name"])
