"""Forms of the figures' pages: the "Stand" date of a dashboard."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    """The "Stand" date of a dashboard, read from the query string so the URL can be shared."""

    as_of = forms.DateField(
        label=_("Stand"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Bitte geben Sie ein Datum an, z. B. 06.12.2019.")},
    )

    def clean_as_of(self) -> dt.date | None:
        value = self.cleaned_data["as_of"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Der Stand kann nicht in der Zukunft liegen."))
        if value and value.year < 2000:
            raise forms.ValidationError(_("Bitte wählen Sie ein Datum ab dem Jahr 2000."))
        return value

    def as_of_or_today(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()
