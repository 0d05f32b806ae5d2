from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from funding.figures import FIGURES
from funding.org_ids import validate_org_id

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Programme(models.Model):
    """Förderprogramm: the app may track more than one."""

    slug = models.SlugField(_("Kürzel"), unique=True)
    name = models.CharField(_("Name"), max_length=300)
    funder = models.CharField(_("Mittelgeber"), max_length=300)
    funder_org_id = models.CharField(
        _("Kennung des Mittelgebers"),
        max_length=100,
        blank=True,
        validators=[validate_org_id],
        help_text=_("Organisationskennung nach org-id.guide, z. B. XI-WIKIDATA-Q…; leer, wenn keine bekannt ist."),
    )
    budget = models.DecimalField(_("Budget (€)"), **MONEY)
    start_date = models.DateField(_("Laufzeit ab"))
    end_date = models.DateField(_("Laufzeit bis"))
    guideline_date = models.DateField(_("Richtlinie vom"), null=True, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    url = models.URLField(_("Programmseite"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderprogramm")
        verbose_name_plural = _("Förderprogramme")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="programme_budget_not_negative"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="programme_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # One identifier per funder: 360Giving's checks flag a funder name with two identifiers.
        if self.funder_org_id:
            other = (
                Programme.objects.filter(funder=self.funder)
                .exclude(pk=self.pk)
                .exclude(funder_org_id="")
                .exclude(funder_org_id=self.funder_org_id)
                .first()
            )
            if other:
                raise ValidationError(
                    {
                        "funder_org_id": _(
                            "Derselbe Mittelgeber hat im Programm „%(programme)s“ schon die Kennung %(org_id)s."
                        )
                        % {"programme": other.name, "org_id": other.funder_org_id}
                    }
                )


class AuthorityKind(models.TextChoices):
    DISTRICT_GOVERNMENT = "district_government", _("Bezirksregierung")
    PROJECT_AGENCY = "project_agency", _("Projektträger")
    MINISTRY = "ministry", _("Ministerium")


class GrantingAuthority(models.Model):
    """Bewilligungsbehörde."""

    slug = models.SlugField(_("Kürzel"), unique=True)
    name = models.CharField(_("Name"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=32, choices=AuthorityKind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Bewilligungsbehörde")
        verbose_name_plural = _("Bewilligungsbehörden")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RecipientKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommune")
    UNIVERSITY = "university", _("Hochschule oder Forschungseinrichtung")
    COMPANY = "company", _("Unternehmen")
    ASSOCIATION = "association", _("Verein oder gemeinnützige Organisation")
    PUBLIC_COMPANY = "public_company", _("kommunales Unternehmen")


class Recipient(models.Model):
    """Zuwendungsempfänger."""

    name = models.CharField(_("Name"), max_length=300, unique=True)
    kind = models.CharField(_("Art"), max_length=32, choices=RecipientKind.choices)
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        help_text=_("Nur wenn der Empfänger selbst eine Kommune ist."),
    )
    org_id = models.CharField(
        _("Organisationskennung"),
        max_length=100,
        blank=True,
        validators=[validate_org_id],
        help_text=_(
            "Nach org-id.guide: Hochschulen XI-ROR-…, Unternehmen DE-CR-…, öffentliche Stellen XI-WIKIDATA-Q…; "
            "leer, wenn keine bekannt ist."
        ),
    )
    seat = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("Sitz"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Gemeinde des Sitzes, für Postleitzahl und Gemeindeschlüssel; bei Kommunen die Kommune selbst."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Zuwendungsempfänger")
        verbose_name_plural = _("Zuwendungsempfänger")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org_id"], condition=~models.Q(org_id=""), name="recipient_org_id_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seat_municipality(self):
        """Where the recipient sits: its seat, or the municipality it is."""
        return self.seat or self.municipality


class DecisionKind(models.TextChoices):
    INITIAL = "initial", _("Zuwendungsbescheid")
    AMENDMENT = "amendment", _("Änderungsbescheid")
    REVOCATION = "revocation", _("Widerruf")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    RELEASED = "released", _("freigegeben")


class FinancingType(models.TextChoices):
    SHARE = "share", _("Anteilfinanzierung")
    DEFICIT = "deficit", _("Fehlbedarfsfinanzierung")
    FIXED = "fixed", _("Festbetragsfinanzierung")
    FULL = "full", _("Vollfinanzierung")


# The money columns of a decision. Amendments and revocations store signed changes,
# so a project's value of each is the plain sum over its released decisions.
MONEY_FIELDS = ("eligible_costs", "amount", "own_share", "private_investment")


class FundingDecisionQuerySet(models.QuerySet):
    def released(self) -> "FundingDecisionQuerySet":
        return self.filter(state=DecisionState.RELEASED)

    def drafts(self) -> "FundingDecisionQuerySet":
        return self.filter(state=DecisionState.DRAFT)

    def as_of(self, day) -> "FundingDecisionQuerySet":
        """Decisions that count at the end of `day`."""
        return self.released().filter(decision_date__lte=day)


class FundingDecision(models.Model):
    """Zuwendungsbescheid, Änderungsbescheid or Widerruf: one entry of the ledger.

    A draft becomes binding when a second person releases it; a released decision is
    never edited or deleted (the database refuses it too): an amendment corrects it.
    """

    reference = models.CharField(_("Aktenzeichen"), max_length=64, unique=True)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("Projekt"), on_delete=models.PROTECT, related_name="decisions"
    )
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("Zuwendungsempfänger"), on_delete=models.PROTECT, related_name="decisions"
    )
    authority = models.ForeignKey(
        GrantingAuthority, verbose_name=_("Bewilligungsbehörde"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("Art"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.INITIAL)
    amends = models.ForeignKey(
        "self",
        verbose_name=_("ändert Bescheid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    decision_date = models.DateField(_("Bescheiddatum"))
    financing_type = models.CharField(
        _("Finanzierungsart"), max_length=16, choices=FinancingType.choices, default=FinancingType.SHARE
    )
    eligible_costs = models.DecimalField(_("zuwendungsfähige Ausgaben (€)"), **MONEY, default=ZERO)
    amount = models.DecimalField(_("Zuwendung (€)"), **MONEY)
    own_share = models.DecimalField(_("Eigenanteil (€)"), **MONEY, default=ZERO)
    private_investment = models.DecimalField(_("private Investitionen (€)"), **MONEY, default=ZERO)
    period_start = models.DateField(_("Bewilligungszeitraum ab"))
    period_end = models.DateField(_("Bewilligungszeitraum bis"))
    state = FSMField(_("Status"), max_length=16, choices=DecisionState.choices, default=DecisionState.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_decisions",
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("freigegeben von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="released_decisions",
    )
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    source = models.CharField(
        _("Quelle"), max_length=300, default="illustrative", help_text=_("Veröffentlichung oder „illustrative“.")
    )
    rate_exception_reason = models.TextField(
        _("Begründung einer höheren Förderquote"),
        blank=True,
        help_text=_(
            "Nur nötig, wenn die Förderquote über der Obergrenze der Richtlinie liegt "
            "(50 %, Kommunen und Gemeinnützige 80 %, Hochschulen und Forschung 90 %)."
        ),
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    history = HistoricalRecords()

    objects = FundingDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zuwendungsbescheid")
        verbose_name_plural = _("Zuwendungsbescheide")
        ordering = ["decision_date", "id"]
        indexes = [
            models.Index(fields=["state", "decision_date"]),
            models.Index(fields=["project", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.INITIAL)
                | models.Q(amount__gte=0, eligible_costs__gte=0, own_share__gte=0, private_investment__gte=0),
                name="decision_initial_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.INITIAL) | models.Q(amount__lte=models.F("eligible_costs")),
                name="decision_initial_grant_within_eligible_costs",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.REVOCATION)
                | models.Q(amount__lt=0, eligible_costs__lte=0, own_share__lte=0, private_investment__lte=0),
                name="decision_revocation_takes_back",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=DecisionKind.INITIAL, amends__isnull=True)
                | (~models.Q(kind=DecisionKind.INITIAL) & models.Q(amends__isnull=False)),
                name="decision_only_corrections_amend",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="decision_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(state=DecisionState.DRAFT)
                | models.Q(released_by__isnull=False, released_at__isnull=False),
                name="decision_released_has_releaser",
            ),
            # Four-eyes principle, also for writes that bypass the services.
            models.CheckConstraint(
                condition=models.Q(drafted_by__isnull=True)
                | models.Q(released_by__isnull=True)
                | ~models.Q(released_by=models.F("drafted_by")),
                name="decision_released_by_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("project-detail", kwargs={"slug": self.project.slug})

    @property
    def is_released(self) -> bool:
        return self.state == DecisionState.RELEASED

    @property
    def funding_rate(self) -> Decimal | None:
        """Förderquote: grant / eligible costs, derived so it can never contradict them."""
        if not self.eligible_costs:
            return None
        return (self.amount / self.eligible_costs).quantize(Decimal("0.0001"))

    def clean(self) -> None:
        from funding.rules import check_decision

        check_decision(self)

    @transition(field=state, source=DecisionState.DRAFT, target=DecisionState.RELEASED)
    def release(self, *, by, at) -> None:
        self.released_by = by
        self.released_at = at


class LedgerState(models.Model):
    """One row that every change to the ledger (decisions, projects, requests) bumps, in its own transaction.

    The counter is the durable fact "the figures are behind the ledger": a version records the
    count it was computed from, and any committed change not in it has a higher count, because
    writers serialise on this row and the recompute reads the count before it reads the facts.
    `first_unpublished_at` says since when the published figures are behind (NULL when they are not).
    """

    change_count = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    first_unpublished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stand des Hauptbuchs")
        verbose_name_plural = _("Stand des Hauptbuchs")

    def __str__(self) -> str:
        return f"{self.change_count} Änderungen"


class FiguresVersion(models.Model):
    """One published set of figures of a programme, computed from the ledger at once.

    Exactly one version per programme is current; older ones are kept (FIGURES_VERSIONS_KEPT)
    so that a cited version stays reproducible.
    """

    programme = models.ForeignKey(
        Programme, verbose_name=_("Förderprogramm"), on_delete=models.CASCADE, related_name="figures_versions"
    )
    computed_at = models.DateTimeField(_("berechnet am"))
    duration_ms = models.PositiveIntegerField(_("Rechenzeit (ms)"), default=0)
    ledger_watermark = models.DateTimeField(
        _("Stand des Hauptbuchs"), null=True, blank=True, help_text=_("Zeit der letzten enthaltenen Änderung.")
    )
    rows_read = models.PositiveBigIntegerField(_("gelesene Zeilen"), default=0)
    # LedgerState.change_count when the version was computed (NULL before migration 0011).
    ledger_change_count = models.BigIntegerField(_("Änderungszähler des Hauptbuchs"), null=True, blank=True)
    # The programme's budget when the version was computed: the budget share of a cited
    # version stays what was published, also after the budget changes.
    budget = models.DecimalField(_("Budget (€)"), **MONEY)
    # The denominators of the reach figures, from the Gemeindeverzeichnis when the version was
    # computed (NULL in versions from before migration 0010).
    nrw_gemeinden = models.PositiveIntegerField(_("Gemeinden in NRW"), null=True, blank=True)
    nrw_population = models.PositiveBigIntegerField(_("Einwohner in NRW"), null=True, blank=True)
    population_date = models.DateField(_("Gebietsstand der Einwohnerzahlen"), null=True, blank=True)
    is_current = models.BooleanField(_("aktuell"), default=False)

    class Meta:
        verbose_name = _("Kennzahlen-Stand")
        verbose_name_plural = _("Kennzahlen-Stände")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"], condition=models.Q(is_current=True), name="one_current_figures_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} #{self.pk} ({self.computed_at:%Y-%m-%d %H:%M})"


class FigureGroup(models.Model):
    """One group of a version's figures: the programme total, a region, a year, ...

    `grouping` is a number of funding.figures.GROUPING_NUMBERS; `member` numbers the group
    within its grouping and version (the figures engine takes the id of the region, topic
    or authority, the year, ...). Key and label are stored as published, so a cited
    version keeps them after a region is renamed.
    """

    version = models.ForeignKey(FiguresVersion, on_delete=models.CASCADE, related_name="groups")
    grouping = models.PositiveSmallIntegerField()
    member = models.IntegerField()
    key = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=300, blank=True)
    # Inhabitants of the group's area (a region's, else all regions'), for the figures per inhabitant.
    population = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("Kennzahl-Gruppe")
        verbose_name_plural = _("Kennzahl-Gruppen")
        constraints = [
            models.UniqueConstraint(fields=["version", "grouping", "member"], name="one_figure_group_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.grouping}:{self.key}"


class FigureStep(models.Model):
    """The running figures of one group from `valid_from` on (until `valid_until`, exclusive).

    One row per group and day on which any figure changed: "as of D" is one lookup of the
    group's last row on or before D in the primary key, and the same rows draw the charts.
    The group is (`grouping`, `member`) of a FigureGroup of the same version. Only
    funding.figures.STORED_FIGURES are stored, money in whole cents (exact integers);
    funding.selectors.step_values turns a row into every figure.
    """

    # The primary key is the as-of lookup, so a written step maintains one index. Rows are
    # narrow (integers only): writing them is most of a full recompute of a small ledger.
    pk = models.CompositePrimaryKey("version", "grouping", "member", "valid_from")
    # No constraint in the database: checking it costs about a fifth of a full recompute
    # of a small ledger (one lookup per written row), and only the figures engine writes
    # steps, into the version it has just created. Deleting a version through the ORM
    # deletes its steps.
    version = models.ForeignKey(
        FiguresVersion, on_delete=models.CASCADE, related_name="steps", db_index=False, db_constraint=False
    )
    grouping = models.PositiveSmallIntegerField()
    member = models.IntegerField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    funded_projects = models.IntegerField(default=0)
    project_offices = models.IntegerField(default=0)
    funding_granted_cents = models.BigIntegerField(default=0)
    private_investment_cents = models.BigIntegerField(default=0)
    eligible_investment_cents = models.BigIntegerField(default=0)
    own_share_cents = models.BigIntegerField(default=0)
    applications = models.IntegerField(default=0)
    transfer_requests = models.IntegerField(default=0)
    consultation_requests = models.IntegerField(default=0)
    requesting_municipalities = models.IntegerField(default=0)
    # NULL in versions computed before these figures existed (migration 0010): not known, not zero.
    requesting_gemeinden = models.IntegerField(null=True)
    reach_population = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("Kennzahl-Stufe")
        verbose_name_plural = _("Kennzahl-Stufen")

    def __str__(self) -> str:
        return f"{self.grouping}:{self.member} ab {self.valid_from}"

    @staticmethod
    def column_of(figure: str) -> str:
        """The field that stores `figure` (one of funding.figures.STORED_FIGURES)."""
        return f"{figure}_cents" if FIGURES[figure].unit == "eur" else figure
