"""Sub-processor change notices from changes to which vendors a feature uses.

A feature's vendors are its customers' sub-processors (SCC Annex III), so a
change to ``ProductFeature.vendors`` is announced to exactly the customers whose
set of sub-processors it changes (Clause 9(a) SCC 2021/914). The "before" state
is taken in the pre_* signal and compared in the post_* one; Django runs both
inside the transaction of the many-to-many write, so the notices and the change
commit together or not at all. Vendor country moves are handled in
``Vendor.save``.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from inventory.models import ProductFeature, Vendor
from inventory.notices import SubprocessorNotice, vendor_use

BEFORE = "_subprocessor_notice_before"

# Sent by ``load_demo`` once the demo inventory is in place, in its
# transaction: apps that build on the inventory add their part of the demo and
# return the outcome of each record ("created", "changed", "unchanged").
demo_loaded = Signal()


def affected_features(
    instance: Any, reverse: bool, pk_set: set[int] | None
) -> set[int]:
    """The features whose vendor set the change touches."""
    if not reverse:
        return {instance.pk}
    if pk_set is not None:
        return set(pk_set)
    return set(
        ProductFeature.objects.filter(vendors=instance).values_list("pk", flat=True)
    )


def feature_vendors_changed(
    sender: Any,
    instance: ProductFeature | Vendor,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    if action.startswith("pre_"):
        features = affected_features(instance, reverse, pk_set)
        setattr(instance, BEFORE, (features, vendor_use(features)))
    elif action.startswith("post_") and hasattr(instance, BEFORE):
        features, before = getattr(instance, BEFORE)
        delattr(instance, BEFORE)
        SubprocessorNotice.objects.announce_features_change(
            before, vendor_use(features), origin=instance
        )
