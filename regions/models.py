from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.validators import validate_ags, validate_ags_matches_kind


class AdministrativeDistrict(models.TextChoices):
    """Regierungsbezirk; the value is the district's digit in the AGS."""

    DUESSELDORF = "1", "Düsseldorf"
    KOELN = "3", "Köln"
    MUENSTER = "5", "Münster"
    DETMOLD = "7", "Detmold"
    ARNSBERG = "9", "Arnsberg"


class Region(models.Model):
    slug = models.SlugField(_("Kürzel"), unique=True)
    name = models.CharField(_("Name"), max_length=200)
    administrative_district = models.CharField(
        _("Regierungsbezirk"), max_length=1, choices=AdministrativeDistrict.choices
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    lead_municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("federführende Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_regions",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Modellregion")
        verbose_name_plural = _("Modellregionen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("region-detail", kwargs={"slug": self.slug})


# The URIs DCAT-AP.de's political geocoding gives every Gemeinde (8-digit key) and Kreis (5-digit key):
# where other open data links a municipality, it uses these.
MUNICIPALITY_KEY_URI = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"
DISTRICT_KEY_URI = "http://dcat-ap.de/def/politicalGeocoding/districtKey/"


def key_uri(ags: str | None) -> str | None:
    """The political-geocoding URI of a Gemeinde (8 digits) or Kreis (5 digits) key."""
    if not ags:
        return None
    return f"{MUNICIPALITY_KEY_URI if len(ags) == 8 else DISTRICT_KEY_URI}{ags}"


class MunicipalityKind(models.TextChoices):
    INDEPENDENT_CITY = "independent_city", _("kreisfreie Stadt")
    DISTRICT_MUNICIPALITY = "district_municipality", _("kreisangehörige Gemeinde")
    DISTRICT = "district", _("Kreis")
    CITY_REGION = "city_region", _("StädteRegion")

    @classmethod
    def district_level(cls) -> set[str]:
        """Kinds whose key is the 5-digit Kreis key."""
        return {cls.DISTRICT, cls.CITY_REGION}


class MunicipalityQuerySet(models.QuerySet):
    def districts(self) -> "MunicipalityQuerySet":
        return self.filter(kind__in=MunicipalityKind.district_level())

    def gemeinden(self) -> "MunicipalityQuerySet":
        """Gemeinden (kreisfreie and kreisangehörige), not Kreise."""
        return self.exclude(kind__in=MunicipalityKind.district_level())

    def listed(self) -> "MunicipalityQuerySet":
        """Those in the current Gemeindeverzeichnis (not merged away or renamed out of it)."""
        return self.filter(in_directory=True)


class Municipality(models.Model):
    """A local authority of NRW, keyed by its Amtlicher Gemeindeschlüssel."""

    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        primary_key=True,
        validators=[validate_ags],
        help_text=_("8 Ziffern für eine Gemeinde, 5 für einen Kreis; NRW beginnt mit 05."),
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=32, choices=MunicipalityKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Kreis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"kind__in": ["district", "city_region"]},
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("Modellregion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalities",
    )
    # What the Gemeindeverzeichnis (GV100AD) carries. A Kreis gets the sums of its Gemeinden.
    population = models.PositiveIntegerField(_("Einwohnerzahl"), null=True, blank=True)
    area_hectares = models.PositiveIntegerField(_("Fläche in Hektar"), null=True, blank=True)
    postcode = models.CharField(_("Postleitzahl des Verwaltungssitzes"), max_length=5, blank=True)
    directory_date = models.DateField(
        _("Gebietsstand"),
        null=True,
        blank=True,
        help_text=_("Stand des Gemeindeverzeichnisses, aus dem die Werte stammen."),
    )
    # A municipality that a newer directory no longer lists (merged, dissolved) is kept, because
    # decisions, recipients, projects and requests may refer to it; it is only marked.
    in_directory = models.BooleanField(_("im Gemeindeverzeichnis"), default=True)
    history = HistoricalRecords()

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ags__regex=r"^05[0-9]{3}([0-9]{3})?$"),
                name="municipality_ags_is_nrw_key",
                violation_error_message=_(
                    "Der Gemeindeschlüssel (AGS) einer Kommune in NRW beginnt mit 05 und hat 5 oder 8 Ziffern."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ags})"

    def get_absolute_url(self) -> str:
        return reverse("municipality-detail", kwargs={"ags": self.ags})

    def clean(self) -> None:
        validate_ags_matches_kind(self.ags, is_district_level=self.kind in MunicipalityKind.district_level())
        if self.parent_id and not self.ags.startswith(self.parent_id):
            raise ValidationError(
                {
                    "parent": _("Der Kreis %(parent)s passt nicht zum Schlüssel %(ags)s.")
                    % {"parent": self.parent_id, "ags": self.ags}
                }
            )

    @property
    def administrative_district(self) -> str:
        return AdministrativeDistrict(self.ags[2]).label

    @property
    def is_district(self) -> bool:
        return self.kind in MunicipalityKind.district_level()

    @property
    def municipality_key(self) -> str:
        """The 8-digit Amtlicher Gemeindeschlüssel of a Gemeinde; empty for a Kreis."""
        return "" if self.is_district else self.ags

    @property
    def district_key(self) -> str:
        """The 5-digit Kreisschlüssel: of the Kreis itself, or of the Gemeinde's Kreis (or kreisfreie Stadt)."""
        return self.ags[:5]

    @property
    def uri(self) -> str:
        return key_uri(self.ags)

    @property
    def short_name(self) -> str:
        """The name without its official suffix: "Paderborn" for "Paderborn, Stadt" and "Kreis Paderborn"."""
        return short_name_of(self.name)


KREIS_PREFIX = "Kreis "


def short_name_of(name: str) -> str:
    """ "Paderborn, Stadt" -> "Paderborn"; "Kreis Paderborn" -> "Paderborn"; "Märkischer Kreis" stays."""
    name = name.split(",", 1)[0].strip()
    if name.startswith(KREIS_PREFIX):
        name = name[len(KREIS_PREFIX) :]
    return name


class StaffProfile(models.Model):
    """Links a staff user to the region whose project office they work for."""

    user = models.OneToOneField(
        "auth.User", verbose_name=_("Benutzer"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("Modellregion"), on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )

    class Meta:
        verbose_name = _("Mitarbeiterprofil")
        verbose_name_plural = _("Mitarbeiterprofile")

    def __str__(self) -> str:
        return f"{self.user} – {self.region or '—'}"


class RoleChange(models.Model):
    """One change of a user's roles (groups) or superuser status: who, when, old → new.

    Written by regions.user_guard for every path (admin, shell, code); administrators
    read it in the admin. Names are stored as text so the record survives renamed groups.
    """

    user = models.ForeignKey(
        "auth.User", verbose_name=_("Benutzer"), on_delete=models.CASCADE, related_name="role_changes"
    )
    changed_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="role_changes_made",
    )
    changed_at = models.DateTimeField(_("geändert am"), auto_now_add=True)
    before = models.CharField(_("vorher"), max_length=500, blank=True)
    after = models.CharField(_("nachher"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Rollenänderung")
        verbose_name_plural = _("Rollenänderungen")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.before or '—'} → {self.after or '—'}"


class RoleGrant(models.Model):
    """Giving or taking a role, as asked by one administrator; giving needs a second one.

    Four eyes for accounts (regions.accounts): a role is given only when an administrator other
    than the one who asked, other than the person it is for and other than whoever created that
    account approves it. Taking a role away needs one administrator and applies at once.
    """

    class Change(models.TextChoices):
        GRANT = "grant", _("Rolle geben")
        REVOKE = "revoke", _("Rolle entziehen")

    class State(models.TextChoices):
        PENDING = "pending", _("wartet auf Genehmigung")
        APPROVED = "approved", _("genehmigt")
        REFUSED = "refused", _("abgelehnt")

    user = models.ForeignKey(
        "auth.User", verbose_name=_("Benutzer"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.ForeignKey("auth.Group", verbose_name=_("Rolle"), on_delete=models.PROTECT, related_name="+")
    change = models.CharField(_("Änderung"), max_length=8, choices=Change.choices, default=Change.GRANT)
    reason = models.TextField(_("Begründung"), blank=True)
    state = models.CharField(_("Status"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        "auth.User", verbose_name=_("beantragt von"), on_delete=models.PROTECT, related_name="role_grants_requested"
    )
    requested_at = models.DateTimeField(_("beantragt am"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("entschieden von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants_decided",
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Rollenantrag")
        verbose_name_plural = _("Rollenanträge")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Four eyes for a grant, also for writes that bypass the services.
            models.CheckConstraint(
                condition=~models.Q(change="grant", state="approved")
                | (~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("user"))),
                name="role_grant_approved_by_a_second_person",
                violation_error_message=_(
                    "Eine Rolle vergibt eine zweite Person: weder wer sie beantragt hat noch wer sie erhält."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.role} → {self.user} ({self.get_state_display()})"


class LoginFailure(models.Model):
    """One wrong password or code at the staff login, by client address (regions.login_limits).

    In the database, not the cache: the limit on password spraying must hold while Redis is
    down, and across every app server.
    """

    address = models.CharField(_("Adresse"), max_length=64)
    at = models.DateTimeField(_("Zeitpunkt"))

    class Meta:
        verbose_name = _("fehlgeschlagene Anmeldung")
        verbose_name_plural = _("fehlgeschlagene Anmeldungen")
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
