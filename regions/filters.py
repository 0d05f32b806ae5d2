import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        model = Municipality
        fields = ["ags", "q", "kind", "region"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
