"""Forms of the figures' pages: the "Stand" date of a dashboard."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    """The "Stand" date and the figures version of a page, read from the query string so the URL can be cited.

    Without `version` the page shows the current version; with it, that published version, as
    it was published (a citation's permalink names both).
    """

    version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Die Version muss eine Zahl sein.")},
    )

    as_of = forms.DateField(
        label=_("Stand"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Bitte geben Sie ein Datum an, z. B. 06.12.2019.")},
    )

    def __init__(self, *args, programme=None, **kwargs):
        # The programme whose versions the page shows (default: the default programme).
        self.programme = programme
        super().__init__(*args, **kwargs)

    def clean_as_of(self) -> dt.date | None:
        value = self.cleaned_data["as_of"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Der Stand kann nicht in der Zukunft liegen."))
        if value and value.year < 2000:
            raise forms.ValidationError(_("Bitte wählen Sie ein Datum ab dem Jahr 2000."))
        return value

    def clean_version(self):
        from funding.figures import selectors

        number = self.cleaned_data["version"]
        if number is None:
            return None
        programme = self.programme or selectors.default_programme()
        version = selectors.figures_version_by_id(version_id=number)
        if version is None or programme is None or version.programme_id != programme.pk:
            raise forms.ValidationError(
                _("Die Version %(id)d gibt es für dieses Programm nicht; gezeigt wird die aktuelle.") % {"id": number}
            )
        return version

    def chosen_version(self):
        """The published version the URL names, or None for the current one."""
        return self.cleaned_data.get("version") if self.is_valid() else None

    def shown_version(self):
        """The version the page shows: the one the URL names, else the programme's current one (None if none)."""
        from funding.figures import selectors

        return self.chosen_version() or selectors.current_figures_version(programme=self.programme)

    def as_of_or_today(self) -> dt.date:
        self.is_valid()
        if "as_of" in getattr(self, "cleaned_data", {}) and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


def as_of_status(as_of_form: AsOfForm) -> int:
    """400 for a page whose "Stand" or version in the URL is wrong (the page still shows, with the error)."""
    return 400 if as_of_form.is_bound and not as_of_form.is_valid() else 200


def page_citation(request, context: dict) -> dict:
    """The "Zitieren" element of a page: its permalink (date and version pinned) and the citation text."""
    from django.utils.http import urlencode

    from modellregionen.api.licence import citation

    version, as_of = context.get("version"), context["as_of"]
    if version is None:
        return {}
    permalink = request.build_absolute_uri(
        f"{request.path}?{urlencode({'as_of': as_of.isoformat(), 'version': version.pk})}"
    )
    stand = f"Stand {as_of:%d.%m.%Y}"
    programme = context.get("programme") or version.programme
    return {
        "permalink": permalink,
        "citation": citation(programme=programme, version=version, stand=stand, permalink=permalink),
    }


class PlaceForm(AsOfForm):
    """A page's date and version, and the model region a picture or table is about (its slug)."""

    region = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean_region(self):
        from regions.models import Region

        slug = self.cleaned_data["region"]
        if not slug:
            return None
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise forms.ValidationError(_("Diese Modellregion gibt es nicht."))
        return region


class MapForm(PlaceForm):
    """What the map shows: a figure, as of a date from a version; on its own URL, also where it is zoomed to."""

    map = forms.ChoiceField(
        label=_("Karte zeigt"),
        required=False,
        choices=[],
        error_messages={"invalid_choice": _("Diese Karte gibt es nicht; gezeigt wird die Förderung je Einwohner.")},
    )
    ags = forms.RegexField(regex=r"^05[0-9]{3}([0-9]{3})?$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from funding.figures.maps import MAP_FIGURES

        super().__init__(*args, **kwargs)
        self.fields["map"].choices = list(MAP_FIGURES.items())

    def chosen_map(self) -> str:
        from funding.figures.maps import DEFAULT_MAP_FIGURE

        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("map") or DEFAULT_MAP_FIGURE


def plain_refusal(form: AsOfForm):
    """A plain-text 400 naming each wrong parameter of a file's address, a 503 before any figures; else None."""
    from django.http import HttpResponse
    from django.utils.translation import gettext

    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    if form.shown_version() is None:
        return HttpResponse(
            gettext("Noch keine Kennzahlen veröffentlicht."), status=503, content_type="text/plain; charset=utf-8"
        )
    return None
