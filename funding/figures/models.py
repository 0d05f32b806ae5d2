"""The figures' stored state: published versions, their groups and steps, and the ledger's change count.

These models belong to the funding app (app label "funding"), whose migrations hold their
tables; funding.models imports them so that Django registers them. They import nothing of
the ledger: the version points at its programme by name.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.choices import MONEY
from funding.figures.definitions import stored_unit
from modellregionen import ledger_changes


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


class LedgerChange(models.Model):
    """One committed change to the ledgers, numbered by LedgerState.change_count, and what it did to the figures.

    Written with the change, in its transaction (modellregionen.ledger_changes.record).
    A released decision, payment or recovery is only ever added (released entries are
    immutable), so the figures can take it in without reading the whole ledger
    (funding.figures.increments); a saved or deleted draft changes no figure; anything else
    (a project or request edited, a proof of use, the directory, a fixture load) needs a full
    recompute. Rows that every current version includes are deleted after publication.
    """

    class Kind(models.TextChoices):
        DECISION_RELEASED = ledger_changes.DECISION_RELEASED, _("Bescheid freigegeben")
        PAYMENT_RELEASED = ledger_changes.PAYMENT_RELEASED, _("Zahlung freigegeben")
        RECOVERY_RELEASED = ledger_changes.RECOVERY_RELEASED, _("Rückforderung oder Erstattung freigegeben")
        NO_FIGURES = ledger_changes.NO_FIGURES, _("Entwurf (keine Kennzahl betroffen)")
        OTHER = ledger_changes.OTHER, _("sonstige Änderung (vollständige Neuberechnung)")

    number = models.BigIntegerField(_("Nummer"), primary_key=True)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    # The released entry (of the table its kind names) and its project; NULL for the other kinds.
    entry_id = models.BigIntegerField(null=True, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("Änderung des Hauptbuchs")
        verbose_name_plural = _("Änderungen des Hauptbuchs")

    def __str__(self) -> str:
        return f"{self.number}: {self.kind}"


class FiguresVersion(models.Model):
    """One published set of figures of a programme, computed from the ledger at once.

    Exactly one version per programme is current; older ones are never deleted, so that a
    cited version stays reproducible. A version is published only when a figure changed.
    """

    programme = models.ForeignKey(
        "funding.Programme", verbose_name=_("Förderprogramm"), on_delete=models.CASCADE, related_name="figures_versions"
    )
    computed_at = models.DateTimeField(_("berechnet am"))
    duration_ms = models.PositiveIntegerField(_("Rechenzeit (ms)"), default=0)
    ledger_watermark = models.DateTimeField(
        _("Stand des Hauptbuchs"), null=True, blank=True, help_text=_("Zeit der letzten enthaltenen Änderung.")
    )
    rows_read = models.PositiveBigIntegerField(_("gelesene Zeilen"), default=0)
    # LedgerState.change_count when the version was computed (NULL before migration 0011).
    ledger_change_count = models.BigIntegerField(_("Änderungszähler des Hauptbuchs"), null=True, blank=True)
    # The newest ledger change count and watermark this version is known to include. They start as
    # the two above and move on when a recompute finds the figures unchanged: then nothing new is
    # published (a citation of this version stays what it was) and freshness still knows exactly
    # what the published figures include. Never shown in an answer: the version's own fields are.
    includes_change_count = models.BigIntegerField(null=True, blank=True)
    includes_watermark = models.DateTimeField(null=True, blank=True)
    # The programme's budget when the version was computed: the budget share of a cited
    # version stays what was published, also after the budget changes.
    budget = models.DecimalField(_("Budget (€)"), **MONEY)
    # The denominators of the reach figures, from the Gemeindeverzeichnis when the version was
    # computed (NULL in versions from before migration 0010).
    nrw_gemeinden = models.PositiveIntegerField(_("Gemeinden in NRW"), null=True, blank=True)
    nrw_population = models.PositiveBigIntegerField(_("Einwohner in NRW"), null=True, blank=True)
    population_date = models.DateField(_("Gebietsstand der Einwohnerzahlen"), null=True, blank=True)
    is_current = models.BooleanField(_("aktuell"), default=False)
    # The version this one was derived from by adding the ledger changes since (NULL: computed
    # from the whole ledger). Either way its steps are the same (funding.figures.increments).
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("fortgeschrieben aus"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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

    `grouping` is a number of funding.figures.definitions.GROUPING_NUMBERS; `member` numbers the group
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
    # The version whose steps this group's figures are: this one, or (for a group an increment did
    # not touch) the version they were written for. A version stores only the steps it changed.
    steps_from = models.ForeignKey(
        FiguresVersion, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )

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
    The group is (`grouping`, `member`) of a FigureGroup whose `steps_from` is this version: a
    later version refers to these rows for every group it did not change. Only
    funding.figures.definitions.STORED_FIGURES are stored, money in whole cents (exact integers);
    funding.figures.selectors.step_values turns a row into every figure.
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
    # NULL in versions computed before the payments ledger (migration 0014).
    paid_out_cents = models.BigIntegerField(null=True)
    reclaimed_cents = models.BigIntegerField(null=True)
    proofs_due = models.IntegerField(null=True)
    proofs_received = models.IntegerField(null=True)
    proofs_overdue = models.IntegerField(null=True)
    # The part of each figure above that rests on illustrative records (definitions.ILLUSTRATIVE_PARTS);
    # NULL in versions computed before they were stored (migration 0022): not known, never zero.
    illustrative_funded_projects = models.IntegerField(null=True)
    illustrative_project_offices = models.IntegerField(null=True)
    illustrative_funding_granted_cents = models.BigIntegerField(null=True)
    illustrative_private_investment_cents = models.BigIntegerField(null=True)
    illustrative_eligible_investment_cents = models.BigIntegerField(null=True)
    illustrative_own_share_cents = models.BigIntegerField(null=True)
    illustrative_applications = models.IntegerField(null=True)
    illustrative_transfer_requests = models.IntegerField(null=True)
    illustrative_consultation_requests = models.IntegerField(null=True)
    illustrative_requesting_municipalities = models.IntegerField(null=True)
    illustrative_requesting_gemeinden = models.IntegerField(null=True)
    illustrative_reach_population = models.BigIntegerField(null=True)
    illustrative_paid_out_cents = models.BigIntegerField(null=True)
    illustrative_reclaimed_cents = models.BigIntegerField(null=True)
    illustrative_proofs_due = models.IntegerField(null=True)
    illustrative_proofs_received = models.IntegerField(null=True)
    illustrative_proofs_overdue = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("Kennzahl-Stufe")
        verbose_name_plural = _("Kennzahl-Stufen")

    def __str__(self) -> str:
        return f"{self.grouping}:{self.member} ab {self.valid_from}"

    @staticmethod
    def column_of(figure: str) -> str:
        """The field that stores `figure` (one of funding.figures.definitions.STORED_KEYS)."""
        return f"{figure}_cents" if stored_unit(figure) == "eur" else figure
