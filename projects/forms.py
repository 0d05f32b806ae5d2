"""Forms of the public pages: the request form, the as-of date and the catalogue filters."""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import RequestKind
from regions.models import Municipality

AGS_IN_TEXT = re.compile(r"\b(05[0-9]{3}(?:[0-9]{3})?)\b")


class MunicipalityField(forms.CharField):
    """A municipality typed by name or AGS (the browser suggests from a datalist).

    A text field rather than a script-driven picker, so it works without JavaScript;
    the server resolves what was typed to exactly one municipality or says why not.
    """

    def clean(self, value) -> Municipality | None:
        text = super().clean(value)
        if not text:
            return None
        match = AGS_IN_TEXT.search(text)
        if match:
            municipality = Municipality.objects.filter(ags=match.group(1)).first()
            if municipality is None:
                raise forms.ValidationError(
                    _("Zum Gemeindeschlüssel %(ags)s ist keine Kommune in NRW verzeichnet."),
                    params={"ags": match.group(1)},
                    code="unknown_ags",
                )
            return municipality
        if text.isdigit():
            raise forms.ValidationError(
                _("Ein Gemeindeschlüssel in NRW hat 8 Ziffern (5 für einen Kreis) und beginnt mit 05."),
                code="bad_ags",
            )
        matches = list(Municipality.objects.filter(name__iexact=text)[:2])
        if not matches:
            matches = list(Municipality.objects.filter(name__icontains=text)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise forms.ValidationError(
                _(
                    "Mehrere Kommunen passen zu „%(text)s“. Bitte wählen Sie einen Eintrag mit Gemeindeschlüssel aus der Liste."
                ),
                params={"text": text},
                code="ambiguous",
            )
        raise forms.ValidationError(
            _(
                "Keine Kommune in NRW heißt „%(text)s“. Bitte prüfen Sie den Namen oder geben Sie den Gemeindeschlüssel an."
            ),
            params={"text": text},
            code="unknown_name",
        )


class TransferRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Worum geht es?"),
        choices=[
            (RequestKind.TRANSFER, _("Wir möchten die Lösung nachnutzen (Nachnutzungsanfrage)")),
            (RequestKind.CONSULTATION, _("Wir möchten uns beraten lassen (Beratungsanfrage)")),
        ],
        initial=RequestKind.TRANSFER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen Sie Nachnutzung oder Beratung.")},
    )
    municipality = MunicipalityField(
        label=_("Ihre Kommune"),
        help_text=_("Name oder Amtlicher Gemeindeschlüssel (AGS), z. B. „Lippstadt“ oder „05974028“."),
        max_length=220,
        error_messages={"required": _("Bitte geben Sie Ihre Kommune an.")},
    )
    contact_name = forms.CharField(
        label=_("Ansprechperson oder Stelle"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie an, wer die Anfrage stellt.")},
    )
    contact_email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        error_messages={
            "required": _("Bitte geben Sie eine E-Mail-Adresse für die Antwort an."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. digitalisierung@stadt.de."),
        },
    )
    message = forms.CharField(
        label=_("Nachricht"),
        required=False,
        max_length=4000,
        help_text=_("Was möchten Sie nachnutzen, welche Fragen haben Sie?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": _("Die Nachricht ist zu lang (höchstens %(limit_value)d Zeichen).")},
    )
    consent = forms.BooleanField(
        label=_(
            "Ich willige ein, dass meine Angaben zur Bearbeitung der Anfrage gespeichert und an das "
            "Projektbüro der Modellregion weitergegeben werden."
        ),
        error_messages={"required": _("Ohne Ihre Einwilligung können wir die Anfrage nicht bearbeiten.")},
    )
    # Honeypot: hidden from people by CSS, filled in by form-filling bots.
    website = forms.CharField(label=_("Bitte leer lassen"), required=False)

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())


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


def prepare_filter_form(form: forms.Form) -> forms.Form:
    """Label the "no filter" choice of every select in plain words instead of dashes."""
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            field.widget.choices = [("unknown", _("alle")), ("true", _("ja")), ("false", _("nein"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("alle")
        elif isinstance(field, forms.ChoiceField):
            # django-filter's ChoiceField adds its empty choice when the choices are set;
            # Django's TypedChoiceField does not, so it gets one here. Without it a browser
            # shows the first real choice as selected and sends it with the next search.
            field.empty_label = _("alle")
            field.choices = [choice for choice in field.choices if choice[0] != ""]
            if not any(value == "" for value, _label in field.choices):
                field.choices = [("", _("alle")), *field.choices]
    return form
