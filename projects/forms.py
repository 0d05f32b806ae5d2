"""Forms of the public pages: the request form and the catalogue filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import RequestKind
from regions.forms import MunicipalityField


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

    # The error summary names each field briefly; a field's label may be a whole sentence.
    SUMMARY_NAMES = {"kind": _("Art der Anfrage"), "consent": _("Einwilligung")}

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(the field's id, its short name, the message) of every field error, in the form's order."""
        return [
            (field.id_for_label, self.SUMMARY_NAMES.get(field.name, field.label), error)
            for field in self
            for error in field.errors
        ]


def prepare_filter_form(form: forms.Form) -> forms.Form:
    """Label the "no filter" choice of every select in plain words instead of dashes."""
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            field.widget.choices = [("unknown", _("alle")), ("true", _("ja")), ("false", _("nein"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("alle")
        elif isinstance(field, forms.ChoiceField) and getattr(field, "empty_label", "") is None:
            continue  # a filter with a default of its own (the catalogue's status), no "alle" to add
        elif isinstance(field, forms.ChoiceField):
            # django-filter's ChoiceField adds its empty choice when the choices are set;
            # Django's TypedChoiceField does not, so it gets one here. Without it a browser
            # shows the first real choice as selected and sends it with the next search.
            field.empty_label = _("alle")
            field.choices = [choice for choice in field.choices if choice[0] != ""]
            if not any(value == "" for value, _label in field.choices):
                field.choices = [("", _("alle")), *field.choices]
    return form
