"""Form fields for municipalities typed by name or AGS, shared by the public and staff forms.

A text field with a suggestion list (an HTML datalist) instead of a script-driven picker, so it
works with the keyboard, on a phone and without JavaScript. The server resolves the entry with
`regions.lookup`; when it is ambiguous or unknown the field keeps the candidates, and the form
shows them as radio buttons named "<field>_choice", so a second submit settles the choice.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from regions.lookup import resolve_municipality, suggestion_label
from regions.models import Municipality

CHOICE_SUFFIX = "_choice"


class MunicipalityInput(forms.TextInput):
    """A text input whose value is the candidate chosen under it, if one was chosen."""

    def value_from_datadict(self, data, files, name):
        chosen = (data.get(name + CHOICE_SUFFIX) or "").strip()
        return chosen or super().value_from_datadict(data, files, name)


class MunicipalityField(forms.CharField):
    """One municipality of the current directory; `candidates` holds the closest ones after an error."""

    widget = MunicipalityInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 220)
        super().__init__(*args, **kwargs)
        self.candidates: list[Municipality] = []

    def prepare_value(self, value):
        if isinstance(value, Municipality):
            return suggestion_label(value)
        return super().prepare_value(value)

    def clean(self, value) -> Municipality | None:
        self.candidates = []
        text = super().clean(value)
        if not text:
            return None
        result = resolve_municipality(text)
        if result.found:
            return result.municipality
        self.candidates = result.candidates
        raise forms.ValidationError(result.message, code=result.code)


class MunicipalityListField(forms.CharField):
    """Several municipalities, one per line (names carry commas: "Paderborn, Stadt")."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):  # the form's initial: the project's partners
            return "\n".join(suggestion_label(m) if isinstance(m, Municipality) else str(m) for m in value)
        return super().prepare_value(value)

    def clean(self, value) -> list[Municipality]:
        text = super().clean(value) or ""
        found: list[Municipality] = []
        errors = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            result = resolve_municipality(line)
            if result.found:
                if result.municipality not in found:
                    found.append(result.municipality)
                continue
            hint = ", ".join(suggestion_label(m) for m in result.candidates)
            message = _("Zeile %(number)d: %(message)s") % {"number": number, "message": result.message}
            errors.append(f"{message} {hint}".strip() if hint else message)
        if errors:
            raise forms.ValidationError(errors)
        return found
