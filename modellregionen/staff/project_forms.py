"""Forms of the staff workspace for projects and requests."""

from django import forms
from django.utils.translation import gettext_lazy as _

from modellregionen.forms import formfield_with_https_urls
from projects.models import Project, RequestStatus
from projects.services import PROJECT_EDITABLE_FIELDS
from regions.forms import MunicipalityField, MunicipalityListField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    # Typed by name or AGS with the same lookup as the public request form, not picked from
    # a select of 427 entries.
    lead_municipality = MunicipalityField(
        label=_("federführende Kommune"),
        required=False,
        help_text=_("Name oder Gemeindeschlüssel, z. B. „Paderborn“ oder „05774032“."),
    )
    partner_municipalities = MunicipalityListField(
        label=_("Partnerkommunen"),
        required=False,
        help_text=_("Eine Kommune je Zeile, Name oder Gemeindeschlüssel."),
    )

    class Meta:
        model = Project
        fields = PROJECT_EDITABLE_FIELDS
        formfield_callback = formfield_with_https_urls
        widgets = {
            "implementation_start": DateInput(),
            "implementation_end": DateInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.lead_municipality_id:
            # Shown as "Paderborn, Stadt (05774032)", not as the bare key.
            self.initial["lead_municipality"] = self.instance.lead_municipality

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROJECT_EDITABLE_FIELDS if name in self.cleaned_data}


class RequestStatusForm(forms.Form):
    """The next status of a request, from the allowed steps only, and a note that explains it."""

    to_status = forms.ChoiceField(label=_("neuer Status"))
    note = forms.CharField(
        label=_("Notiz"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wird im Verlauf der Anfrage gespeichert."),
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(value, RequestStatus(value).label) for value in allowed]
