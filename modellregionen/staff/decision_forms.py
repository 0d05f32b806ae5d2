"""Forms of the staff workspace for grant decisions and their import."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import services
from funding.models import MONEY_FIELDS, DecisionKind, FundingDecision
from projects.models import Project

# German amounts as people type them: "1.234.567,89", "1234567,89", "-500"; and the
# unambiguous point form "1234.56" a spreadsheet copies. "1.234" is German thousands.
GERMAN_AMOUNT = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")
POINT_AMOUNT = re.compile(r"^-?\d+\.\d{1,2}$")
LARGEST_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def parse_euro(text: str) -> Decimal:
    """Parse an amount typed in German or point notation; ValueError with a German hint otherwise."""
    cleaned = text.replace("€", "").replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").strip()
    if GERMAN_AMOUNT.match(cleaned):
        value = Decimal(cleaned.replace(".", "").replace(",", "."))
    elif POINT_AMOUNT.match(cleaned):
        value = Decimal(cleaned)
    else:
        raise ValueError(_("„%(text)s“ ist kein Betrag; bitte z. B. 1.234.567,89 eingeben.") % {"text": text})
    if abs(value) > LARGEST_AMOUNT:
        raise ValueError(_("Der Betrag ist zu groß."))
    return value.quantize(Decimal("0.01"))


class EuroField(forms.Field):
    """A money field that reads and shows German amounts ("1.234.567,89")."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "money"})

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        return value

    def __init__(self, *, blank_is_zero: bool = False, **kwargs):
        self.blank_is_zero = blank_is_zero
        if blank_is_zero:
            kwargs.setdefault("required", False)
            kwargs.setdefault("initial", Decimal("0.00"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            # Own share, private investment and eligible costs are often simply none.
            return Decimal("0.00") if self.blank_is_zero else None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_euro(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


DEMO_MARKER = "illustrative"


def clean_source_of_record(value: str) -> str:
    """Quelle of a decision or booking recorded by staff: required, and never the demo data's marker."""
    value = (value or "").strip()
    if value.casefold() == DEMO_MARKER:
        raise forms.ValidationError(
            _("„illustrative“ kennzeichnet nur die Demodaten des Programms; nennen Sie Bescheid, Schreiben oder Beleg.")
        )
    return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DecisionForm(forms.ModelForm):
    """Every field of a decision. Amendments and revocations keep project, kind and the amended decision."""

    eligible_costs = EuroField(label=gettext_lazy("zuwendungsfähige Ausgaben (€)"), blank_is_zero=True)
    amount = EuroField(label=gettext_lazy("Zuwendung (€)"))
    own_share = EuroField(label=gettext_lazy("Eigenanteil (€)"), blank_is_zero=True)
    private_investment = EuroField(label=gettext_lazy("private Investitionen (€)"), blank_is_zero=True)

    class Meta:
        model = FundingDecision
        fields = services.EDITABLE_FIELDS
        widgets = {
            "decision_date": DateInput(),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }

    def __init__(self, *args, fixed_correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = True
        self.fields["project"].queryset = Project.objects.select_related("region").order_by("title")
        self.fields["amends"].queryset = (
            FundingDecision.objects.released().select_related("project").order_by("reference")
        )
        self.fields["amends"].required = False
        for name in MONEY_FIELDS:
            self.fields[name].widget.attrs["data-money"] = name
        if fixed_correction:
            # An amendment or revocation starts from a released decision; what it corrects stays put.
            for name in ("project", "kind", "amends"):
                self.fields[name].disabled = True
        else:
            # A new decision is an initial one; corrections start from the decision they correct.
            self.fields["kind"].choices = [(DecisionKind.INITIAL, DecisionKind.INITIAL.label)]
            self.fields["amends"].disabled = True

    def clean_source(self):
        return clean_source_of_record(self.cleaned_data.get("source"))

    def _post_clean(self):
        # The ledger rules run once every field parses; otherwise a missing amount would be
        # reported twice ("required" and the rule's "Bitte geben Sie die Zuwendung an").
        if self._errors:
            return
        super()._post_clean()

    def service_fields(self) -> dict:
        """The cleaned values in the shape funding.services expects."""
        return {name: self.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in self.cleaned_data}


def import_limits_text() -> str:
    """The limits of every import, as the upload page states them."""
    return _("Höchstens %(mb)s MB und %(rows)s Zeilen je Datei.") % {
        "mb": formats.number_format(settings.IMPORT_MAX_BYTES / 2**20, 1),
        "rows": formats.number_format(settings.IMPORT_MAX_ROWS, 0, force_grouping=True),
    }


class DecisionImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder XLSX)"),
        help_text=gettext_lazy("Eine Zeile je Bescheid, mit der Kopfzeile des Importformats."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {import_limits_text()}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Nur CSV- und XLSX-Dateien können importiert werden."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Die Datei ist größer als %(mb)s MB.")
                % {"mb": formats.number_format(settings.IMPORT_MAX_BYTES / 2**20, 1)}
            )
        return upload
