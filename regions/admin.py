from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regions.models import Municipality, Region, StaffProfile


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "administrative_district", "lead_municipality")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("lead_municipality",)


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "ags", "kind", "parent", "region")
    list_filter = ("kind", "region")
    search_fields = ("name", "ags")
    autocomplete_fields = ("parent",)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
