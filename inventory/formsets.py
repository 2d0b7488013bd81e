"""The admin's inline formsets: one blank row built once a page, and the
lawfulness rules checked over an activity's inline rows."""

from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from inventory.models import lawful_bases_errors, model_values


class InlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline's rows, with one blank row for the page's "Add another"
    template: Django builds ``empty_form`` anew each time it is read, and a
    change page reads it six times an inline (the media, twice; the
    prepopulated fields; the file-field check; the rows, twice), each a
    form with its fields copied and its widgets wrapped."""

    empty_form = cached_property(forms.BaseInlineFormSet.empty_form.fget)  # type: ignore[attr-defined]


class LawfulnessFormSet(InlineFormSet):
    """Checks the rows of one inline against the activity being saved
    (``self.instance`` carries the form's values) with the one rule,
    ``lawful_bases_errors``."""

    def kept(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        errors = self.rule_errors(model_values(self.instance))
        if errors:
            raise ValidationError(list(errors.values()))

    def rule_errors(self, values: dict[str, Any]) -> dict[str, str]:
        return {}


class LawfulBasisFormSet(LawfulnessFormSet):
    def rule_errors(self, values: dict[str, Any]) -> dict[str, str]:
        bases = [row["basis"] for row in self.kept()]
        return lawful_bases_errors(values, bases, [])


class ConditionFormSet(LawfulnessFormSet):
    def rule_errors(self, values: dict[str, Any]) -> dict[str, str]:
        rows = [(row["data_category"], row["condition"]) for row in self.kept()]
        # The activity's categories as posted on the same page.
        data: Any = self.data
        posted = data.getlist("data_categories") if data else []
        categories = {int(pk) for pk in posted if str(pk).isdigit()}
        return lawful_bases_errors({"role": values["role"]}, [], rows, categories)
