import django_filters
from django.core.validators import RegexValidator
from django.db.models import Case, IntegerField, When
from django.utils.translation import gettext_lazy as _

from modellregionen.api.filtering import YesNoFilter
from regions.lookup import search_municipalities
from regions.models import Municipality, MunicipalityKind, Region


class MunicipalityFilter(django_filters.FilterSet):
    ags = django_filters.CharFilter(
        label=_("AGS beginnt mit"),
        field_name="ags",
        lookup_expr="startswith",
        validators=[RegexValidator(r"^[0-9]{1,8}$", _("Nur Ziffern, höchstens 8."))],
    )
    q = django_filters.CharFilter(label=_("Name oder AGS"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Art"), choices=MunicipalityKind.choices)
    region = django_filters.ModelChoiceFilter(
        label=_("Modellregion"), queryset=Region.objects.all(), to_field_name="slug"
    )
    in_directory = YesNoFilter(label=_("im Gemeindeverzeichnis"), field_name="in_directory")

    class Meta:
        model = Municipality
        fields = ["ags", "q", "kind", "region", "in_directory"]

    def filter_search(self, queryset, name, value):
        # The same lookup as the request and staff forms; the best matches first.
        found = search_municipalities(value, queryset=queryset)
        order = Case(*(When(ags=m.ags, then=position) for position, m in enumerate(found)), output_field=IntegerField())
        return queryset.filter(ags__in=[m.ags for m in found]).order_by(order) if found else queryset.none()
