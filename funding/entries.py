"""What every four-eyes entry is: decisions, payment requests, payments and recoveries.

One abstract model holds the fields, states, querysets and the release transition they
share, and the two rules the database holds for each of them: a released entry names who
released it and when, and that is never the person who drafted it. How entries are written
is funding.four_eyes; the triggers that keep released entries unchanged are funding.db_guards.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from funding.choices import DecisionState

# A file reference as administrations write them ("DMR-ARN-2019-001", "34.06.01-1234/2019",
# "III B 4 (12)"): letters, digits, single spaces and . / - _ : ( ), starting with a letter or a
# digit. Nothing else, so that a reference is safe in a URL, a CSV cell and a citation.
REFERENCE_VALIDATOR = RegexValidator(
    r"\A[0-9A-Za-zÄÖÜäöüß](?:[0-9A-Za-zÄÖÜäöüß./:()_-]| (?=[0-9A-Za-zÄÖÜäöüß./:()_-]))*\Z",
    message=_(
        "Nur Buchstaben, Ziffern, einzelne Leerzeichen und . / - _ : ( ); am Anfang ein Buchstabe oder eine Ziffer."
    ),
    code="invalid_reference",
)


def reference_field(verbose_name) -> models.CharField:
    """The reference of an entry: unique, also when only upper and lower case differ (see FourEyesEntry)."""
    return models.CharField(verbose_name, max_length=64, unique=True, validators=[REFERENCE_VALIDATOR])


class FourEyesQuerySet(models.QuerySet):
    def released(self):
        return self.filter(state=DecisionState.RELEASED)

    def drafts(self):
        return self.filter(state=DecisionState.DRAFT)


class FourEyesEntry(models.Model):
    state = FSMField(_("Status"), max_length=16, choices=DecisionState.choices, default=DecisionState.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_%(class)s_entries",
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("freigegeben von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="released_%(class)s_entries",
    )
    released_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    # Indexed: the ledger watermark (funding.figures.ledgers) reads its maximum at every publication.
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)

    objects = FourEyesQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=DecisionState.DRAFT)
                | models.Q(released_by__isnull=False, released_at__isnull=False),
                name="%(class)s_released_has_releaser",
                violation_error_message=_("Freigegeben ist nur, was eine Person mit Datum freigegeben hat."),
            ),
            # Four-eyes principle, also for writes that bypass the services.
            models.CheckConstraint(
                condition=models.Q(drafted_by__isnull=True)
                | models.Q(released_by__isnull=True)
                | ~models.Q(released_by=models.F("drafted_by")),
                name="%(class)s_released_by_second_person",
                violation_error_message=_("Freigeben muss eine zweite Person, nicht wer den Entwurf angelegt hat."),
            ),
            # "dmr-arn-2019-001" would pass for "DMR-ARN-2019-001" in a citation.
            models.UniqueConstraint(
                Upper("reference"),
                name="%(class)s_reference_unique_ignoring_case",
                violation_error_message=_("Dieses Zeichen gibt es schon (in anderer Groß- und Kleinschreibung)."),
            ),
        ]

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude=exclude)
        if exclude and "reference" in exclude:
            return
        same = (
            type(self)
            .objects.filter(reference__iexact=self.reference)
            .exclude(pk=self.pk)
            .values_list("reference", flat=True)
            .first()
        )
        if same is not None:
            raise ValidationError(
                {
                    "reference": _("„%(same)s“ gibt es schon; Groß- und Kleinschreibung unterscheiden Zeichen nicht.")
                    % {"same": same}
                }
            )

    def validate_constraints(self, exclude=None):
        # The reference's uniqueness is said once, by validate_unique above, with the entry it collides with.
        super().validate_constraints(exclude={*(exclude or ()), "reference"})

    @property
    def is_released(self) -> bool:
        return self.state == DecisionState.RELEASED

    @transition(field=state, source=DecisionState.DRAFT, target=DecisionState.RELEASED)
    def release(self, *, by, at) -> None:
        self.released_by = by
        self.released_at = at
