"""Notices written while load_demo runs go through the same history path as
the change they announce: same actor, the command named in the reason."""

import io

import pytest
from django.core.management import call_command

from inventory import demo
from inventory.models import ProductFeature, SubprocessorNotice

pytestmark = pytest.mark.django_db


def test_notices_from_load_demo_name_it_like_the_change_they_announce(monkeypatch):
    call_command("load_demo", stdout=io.StringIO())
    assert not SubprocessorNotice.objects.exists()
    (chat,) = [row for row in demo.FEATURES if row["name"] == "AI chat"]
    monkeypatch.setitem(chat, "vendors", [*chat["vendors"], "Textwire Messaging Inc."])
    call_command("load_demo", stdout=io.StringIO())
    notices = SubprocessorNotice.objects.filter(vendor_name="Textwire Messaging Inc.")
    assert notices.exists()
    feature = ProductFeature.objects.get(name="AI chat").history.first()
    assert feature.history_change_reason == "KonnectBot demo data (load_demo)"
    for notice in notices:
        (created,) = notice.history.all()
        assert created.history_change_reason == (
            "Announces: KonnectBot demo data (load_demo)"
        )
        assert created.history_user_id == feature.history_user_id
