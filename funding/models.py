from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.choices import (  # noqa: F401  (re-exported: the ledger's models module names them too)
    MONEY,
    MONEY_FIELDS,
    ZERO,
    AuthorityKind,
    DecisionKind,
    DecisionState,
    FinancingType,
    RecipientKind,
)
from funding.entries import FourEyesEntry, FourEyesQuerySet, reference_field
from funding.org_ids import validate_org_id


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
    proof_of_use_months = models.PositiveSmallIntegerField(
        _("Verwendungsnachweis fällig nach (Monaten)"),
        default=6,
        help_text=_("Monate nach Ende des Bewilligungszeitraums; nach ANBest-P 6."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderprogramm")
        verbose_name_plural = _("Förderprogramme")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gte=0),
                name="programme_budget_not_negative",
                violation_error_message=_("Das Budget kann nicht negativ sein."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_start",
                violation_error_message=_("Das Programm kann nicht vor seinem Beginn enden."),
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


class FundingDecisionQuerySet(FourEyesQuerySet):
    def as_of(self, day) -> "FundingDecisionQuerySet":
        """Decisions that count at the end of `day`."""
        return self.released().filter(decision_date__lte=day)

    def money_totals(self) -> dict[str, Decimal]:
        """The sum of each money column over exactly these decisions, added as Decimals (exact everywhere)."""
        totals = dict.fromkeys(MONEY_FIELDS, ZERO)
        for decision in self:
            for name in MONEY_FIELDS:
                totals[name] += getattr(decision, name)
        return totals


class FundingDecision(FourEyesEntry):
    """Zuwendungsbescheid, Änderungsbescheid or Widerruf: one entry of the ledger.

    A draft becomes binding when a second person releases it; a released decision is
    never edited or deleted (the database refuses it too): an amendment corrects it.
    """

    reference = reference_field(_("Aktenzeichen"))
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
    # No default: every path names where a decision comes from; "illustrative" marks only the
    # programme's demo data (funding.programme_data), never a decision a clerk records.
    source = models.CharField(
        _("Quelle"),
        max_length=300,
        help_text=_("Der Bescheid oder die Veröffentlichung, z. B. Aktenzeichen und Datum."),
    )
    rate_exception_reason = models.TextField(
        _("Begründung einer höheren Förderquote"),
        blank=True,
        help_text=_(
            "Nur nötig, wenn die Förderquote über der Obergrenze der Richtlinie liegt "
            "(50 %, Kommunen und Gemeinnützige 80 %, Hochschulen und Forschung 90 %)."
        ),
    )
    history = HistoricalRecords()

    objects = FundingDecisionQuerySet.as_manager()

    class Meta(FourEyesEntry.Meta):
        verbose_name = _("Zuwendungsbescheid")
        verbose_name_plural = _("Zuwendungsbescheide")
        ordering = ["decision_date", "id"]
        indexes = [
            models.Index(fields=["state", "decision_date"]),
            models.Index(fields=["project", "state"]),
        ]
        constraints = [
            *FourEyesEntry.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.INITIAL)
                | models.Q(amount__gte=0, eligible_costs__gte=0, own_share__gte=0, private_investment__gte=0),
                name="decision_initial_amounts_not_negative",
                violation_error_message=_("Die Beträge eines Zuwendungsbescheids können nicht negativ sein."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.INITIAL) | models.Q(amount__lte=models.F("eligible_costs")),
                name="decision_initial_grant_within_eligible_costs",
                violation_error_message=_("Die Zuwendung kann nicht höher sein als die zuwendungsfähigen Ausgaben."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.REVOCATION)
                | models.Q(amount__lt=0, eligible_costs__lte=0, own_share__lte=0, private_investment__lte=0),
                name="decision_revocation_takes_back",
                violation_error_message=_("Ein Widerruf nimmt zurück: seine Beträge sind negativ."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind=DecisionKind.INITIAL, amends__isnull=True)
                | (~models.Q(kind=DecisionKind.INITIAL) & models.Q(amends__isnull=False)),
                name="decision_only_corrections_amend",
                violation_error_message=_(
                    "Nur Änderungen und Widerrufe beziehen sich auf einen früheren Bescheid, und sie müssen es."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="decision_period_ends_after_start",
                violation_error_message=_("Der Förderzeitraum kann nicht vor seinem Beginn enden."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("project-detail", kwargs={"slug": self.project.slug})

    @property
    def funding_rate(self) -> Decimal | None:
        """Förderquote: grant / eligible costs, derived so it can never contradict them."""
        if not self.eligible_costs:
            return None
        return (self.amount / self.eligible_costs).quantize(Decimal("0.0001"))

    def clean(self) -> None:
        from funding.rules import check_decision

        check_decision(self)


# The figures' stored versions live with the figures; importing them here registers them
# with the funding app, whose migrations hold their tables.
from funding.figures.models import FigureGroup, FigureStep, FiguresVersion, LedgerChange, LedgerState  # noqa: E402, F401

# Import rows between preview and confirmation (funding.import_previews).
from funding.import_previews import PendingImport  # noqa: E402, F401

# The second ledger: payments, recoveries and proofs of use, booked on initial decisions.
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery  # noqa: E402, F401
