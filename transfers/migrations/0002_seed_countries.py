"""Seed the country register: every ISO 3166-1 country, the 30 EEA states and
the Commission's adequacy decisions (GDPR Art. 45; docs/law.md). Each row gets its first
history record, so reports as of any later date find it."""

from django.db import migrations
from django.utils import timezone
from django_countries import countries

from transfers.countries import ADEQUACY, EEA

REASON = "Seeded from the Commission adequacy list (GDPR Art. 45)"


def seed(apps, schema_editor):
    CountryProfile = apps.get_model("transfers", "CountryProfile")
    History = apps.get_model("transfers", "HistoricalCountryProfile")
    decisions = {d.code: d for d in ADEQUACY}
    now = timezone.now()
    for code, _name in countries:
        decision = decisions.get(code)
        values = {"eea": code in EEA}
        if decision:
            values.update(
                adequacy=decision.adequacy.value,
                scope=decision.scope.value if decision.scope else "",
                adequacy_scope=decision.adequacy_scope,
                decision_reference=decision.decision_reference,
                valid_from=decision.valid_from,
                valid_to=decision.valid_to,
            )
        row, created = CountryProfile.objects.get_or_create(code=code, defaults=values)
        if created:
            fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
            History.objects.create(
                **fields,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
            )


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
