from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords


class Strand(models.TextChoices):
    """Förderschwerpunkt."""

    E_GOVERNMENT = "e_government", _("E-Government")
    URBAN_DEVELOPMENT = "urban_development", _("Digitale Stadtentwicklung")


class ProjectKind(models.TextChoices):
    PROJECT = "project", _("Projekt")
    PROJECT_OFFICE = "project_office", _("Projektbüro")


class OzgField(models.TextChoices):
    """The 14 Themenfelder of the OZG catalogue."""

    WORK = "work", _("Arbeit & Ruhestand")
    BUILDING = "building", _("Bauen & Wohnen")
    EDUCATION = "education", _("Bildung")
    MIGRATION = "migration", _("Ein- & Auswanderung")
    ENGAGEMENT = "engagement", _("Engagement & Hobby")
    FAMILY = "family", _("Familie & Kind")
    RESEARCH = "research", _("Forschung & Förderung")
    HEALTH = "health", _("Gesundheit")
    MOBILITY = "mobility", _("Mobilität & Reisen")
    CROSS_CUTTING = "cross_cutting", _("Querschnittsleistungen")
    LAW = "law", _("Recht & Ordnung")
    TAXES = "taxes", _("Steuern & Zoll")
    ENVIRONMENT = "environment", _("Umwelt")
    BUSINESS = "business", _("Unternehmensführung & -entwicklung")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("eingereicht")
    APPROVED = "approved", _("bewilligt")
    REJECTED = "rejected", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("nicht begonnen")
    RUNNING = "running", _("in Umsetzung")
    COMPLETED = "completed", _("abgeschlossen")
    DISCONTINUED = "discontinued", _("abgebrochen")


class Maturity(models.TextChoices):
    CONCEPT = "concept", _("Konzept")
    PILOT = "pilot", _("Pilotbetrieb")
    IN_OPERATION = "in_operation", _("im Regelbetrieb")
    ROLLED_OUT = "rolled_out", _("bereits nachgenutzt")


class Licence(models.TextChoices):
    EUPL = "eupl-1.2", _("EUPL 1.2")
    MIT = "mit", _("MIT")
    APACHE = "apache-2.0", _("Apache 2.0")
    GPL = "gpl-3.0", _("GPL 3.0")
    AGPL = "agpl-3.0", _("AGPL 3.0")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    PROPRIETARY_FREE = "licence_free", _("lizenzfrei nutzbar (Vereinbarung)")
    PROPRIETARY = "proprietary", _("proprietär")
    UNKNOWN = "unknown", _("ungeklärt")


class Topic(models.Model):
    """Themenfeld (mobility, health, ...): an editable list."""

    slug = models.SlugField(_("Kürzel"), unique=True)
    name = models.CharField(_("Name"), max_length=200, unique=True)
    name_en = models.CharField(_("Name (englisch)"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Themenfeld")
        verbose_name_plural = _("Themenfelder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def projects(self) -> "ProjectQuerySet":
        """Projects proper, without the regions' project offices."""
        return self.filter(kind=ProjectKind.PROJECT)

    def project_offices(self) -> "ProjectQuerySet":
        return self.filter(kind=ProjectKind.PROJECT_OFFICE)

    def approved(self) -> "ProjectQuerySet":
        return self.filter(status=ApplicationStatus.APPROVED)

    def for_region(self, region) -> "ProjectQuerySet":
        return self.filter(region=region)


class Project(models.Model):
    programme = models.ForeignKey(
        "funding.Programme", verbose_name=_("Förderprogramm"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("Titel"), max_length=300)
    slug = models.SlugField(_("Kürzel"), max_length=120, unique=True)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=500, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("Modellregion"), on_delete=models.PROTECT, related_name="projects"
    )
    lead_municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("federführende Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    partner_municipalities = models.ManyToManyField(
        "regions.Municipality", verbose_name=_("Partnerkommunen"), blank=True, related_name="partner_projects"
    )
    strand = models.CharField(_("Förderschwerpunkt"), max_length=32, choices=Strand.choices)
    topic = models.ForeignKey(
        Topic, verbose_name=_("Themenfeld"), on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    ozg_field = models.CharField(_("OZG-Themenfeld"), max_length=32, choices=OzgField.choices, blank=True)
    kind = models.CharField(_("Art"), max_length=32, choices=ProjectKind.choices, default=ProjectKind.PROJECT)

    status = FSMField(
        _("Antragsstatus"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_on = models.DateField(_("eingereicht am"))
    status_changed_on = models.DateField(_("beschieden am"), null=True, blank=True)

    implementation_status = models.CharField(
        _("Umsetzungsstand"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    implementation_start = models.DateField(_("Umsetzung ab"), null=True, blank=True)
    implementation_end = models.DateField(_("Umsetzung bis"), null=True, blank=True)

    transferable = models.BooleanField(_("nachnutzbar"), default=False)
    licence = models.CharField(_("Lizenz"), max_length=32, choices=Licence.choices, default=Licence.UNKNOWN)
    maturity = models.CharField(_("Reifegrad"), max_length=16, choices=Maturity.choices, blank=True)
    documentation_url = models.URLField(_("Repository oder Dokumentation"), blank=True)
    contact_role = models.CharField(
        _("Ansprechstelle"), max_length=200, blank=True, help_text=_("Eine Funktion, keine Privatperson.")
    )
    contact_email = models.EmailField(_("E-Mail der Ansprechstelle"), blank=True)
    source = models.CharField(
        _("Quelle"), max_length=300, default="illustrative", help_text=_("Veröffentlichung oder „illustrative“.")
    )
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("Projekt")
        verbose_name_plural = _("Projekte")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(implementation_end__isnull=True)
                | models.Q(implementation_start__isnull=True)
                | models.Q(implementation_end__gte=models.F("implementation_start")),
                name="project_implementation_ends_after_start",
                violation_error_message=_("Die Umsetzung kann nicht vor ihrem Beginn enden."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if (
            self.implementation_start
            and self.implementation_end
            and self.implementation_end < self.implementation_start
        ):
            raise ValidationError({"implementation_end": _("Das Ende der Umsetzung liegt vor ihrem Beginn.")})
        if self.status_changed_on and self.submitted_on and self.status_changed_on < self.submitted_on:
            raise ValidationError({"status_changed_on": _("Der Bescheid liegt vor dem Antrag.")})

    @transition(field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.APPROVED)
    def approve(self, *, on) -> None:
        self.status_changed_on = on

    @transition(field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.REJECTED)
    def reject(self, *, on) -> None:
        self.status_changed_on = on

    @transition(field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.WITHDRAWN)
    def withdraw(self, *, on) -> None:
        self.status_changed_on = on


class RequestKind(models.TextChoices):
    TRANSFER = "transfer", _("Nachnutzung")
    CONSULTATION = "consultation", _("Beratung")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("eingegangen")
    CLARIFICATION = "clarification", _("in Klärung")
    AGREED = "agreed", _("vereinbart")
    IMPLEMENTED = "implemented", _("umgesetzt")
    DECLINED = "declined", _("abgelehnt")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


# Which status a request may move to from each status. Closed requests stay closed.
REQUEST_STATUS_FLOW: dict[str, list[str]] = {
    RequestStatus.RECEIVED: [
        RequestStatus.CLARIFICATION,
        RequestStatus.AGREED,
        RequestStatus.DECLINED,
        RequestStatus.WITHDRAWN,
    ],
    RequestStatus.CLARIFICATION: [RequestStatus.AGREED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN],
    RequestStatus.AGREED: [RequestStatus.IMPLEMENTED, RequestStatus.WITHDRAWN],
    RequestStatus.IMPLEMENTED: [],
    RequestStatus.DECLINED: [],
    RequestStatus.WITHDRAWN: [],
}


class TransferRequestQuerySet(models.QuerySet):
    def counted(self) -> "TransferRequestQuerySet":
        """Requests the figures count: confirmed by the requester's link or accepted by staff."""
        return self.filter(confirmed_at__isnull=False)


class TransferRequest(models.Model):
    """Nachnutzungs- oder Beratungsanfrage of a municipality for a project's solution.

    A request from the public form counts in the figures only once it is confirmed: by the
    requester, through the link in the one e-mail sent to the address they typed, or by staff
    taking it up (any status change). Until then it waits in the inbox, marked unconfirmed.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("anfragende Kommune"),
        on_delete=models.PROTECT,
        related_name="transfer_requests",
    )
    kind = models.CharField(_("Art"), max_length=16, choices=RequestKind.choices, default=RequestKind.TRANSFER)
    received_on = models.DateField(_("eingegangen am"))
    # Personal data: required by the form, emptied by an erasure (projects/erasure.py).
    contact_name = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail"), blank=True)
    message = models.TextField(_("Nachricht"), blank=True)
    personal_data_erased_at = models.DateTimeField(_("personenbezogene Daten gelöscht am"), null=True, blank=True)
    consent_given_at = models.DateTimeField(_("Einwilligung erteilt am"), null=True, blank=True)
    status = FSMField(_("Status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    source = models.CharField(_("Quelle"), max_length=300, default="illustrative")
    confirmed_at = models.DateTimeField(
        _("bestätigt am"), null=True, blank=True, help_text=_("Leer: unbestätigt, zählt noch in keiner Kennzahl.")
    )
    # Indexed: the ledger watermark (funding.figures.ledgers) reads its maximum at every publication.
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("Nachnutzungsanfrage")
        verbose_name_plural = _("Nachnutzungsanfragen")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.municipality.name} → {self.project.title}"

    @property
    def reference(self) -> str:
        """The number a requester quotes when they write or call: the year it came in and its id."""
        return f"AN-{self.received_on:%Y}-{self.pk:05d}"

    def allowed_next_statuses(self) -> list[str]:
        return REQUEST_STATUS_FLOW[self.status]


class RequestStatusChange(models.Model):
    """One step in a request's status history, with the note that explains it."""

    request = models.ForeignKey(
        TransferRequest, verbose_name=_("Anfrage"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("von"), max_length=16, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("nach"), max_length=16, choices=RequestStatus.choices)
    note = models.TextField(_("Notiz"), blank=True)
    changed_by = models.ForeignKey(
        "auth.User", verbose_name=_("geändert von"), on_delete=models.PROTECT, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("geändert am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
