"""The payments ledger: what was paid out on a grant, what was reclaimed and repaid, and the proof of use.

A grant is an initial decision (Zuwendungsbescheid) together with the amendments and
revocations that change it; payments, recoveries and the proof of use are booked on the
initial decision. Payments and recoveries are entries like decisions: drafted by one
person, released by a second, immutable once released (the database refuses a change) and
corrected only by counter-entries. Every change is in the history.

These models belong to the funding app (app label "funding"), whose migrations hold their
tables; funding.models imports them so that Django registers them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.choices import MONEY, ProofOfUseResult, RecoveryKind
from funding.entries import FourEyesEntry, reference_field
from funding.payments.rules import check_entry, check_proof_of_use


class LedgerEntry(FourEyesEntry):
    """What a payment and a recovery share: a booked amount on a grant, under four eyes."""

    reference = reference_field(_("Buchungszeichen"))
    amount = models.DecimalField(_("Betrag (€)"), **MONEY)
    # No default, as for decisions: "illustrative" marks only the programme's demo data.
    source = models.CharField(_("Quelle"), max_length=300, help_text=_("Der Buchungsbeleg, z. B. Kassenanordnung."))

    class Meta(FourEyesEntry.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        """The staff page of the grant's project, where its entries are listed."""
        return reverse("staff-project-detail", args=[self.decision.project_id])

    def clean(self) -> None:
        check_entry(self)


class PaymentRequest(LedgerEntry):
    """Mittelanforderung: the recipient asks for money on a grant; payments are made on it.

    Recorded by Sachbearbeitung and released by a second person like a booking, because it
    is what a payment is checked against. It stays open until its payments add up to the
    amount asked for; it is never changed once released (a new request replaces it).
    """

    decision = models.ForeignKey(
        "funding.FundingDecision",
        verbose_name=_("Zuwendungsbescheid"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
        help_text=_("Der ursprüngliche Zuwendungsbescheid des Empfängers; Änderungen rechnen sich ein."),
    )
    received_on = models.DateField(_("eingegangen am"))
    purpose = models.TextField(
        _("Zweck"), blank=True, help_text=_("Wofür das Geld angefordert wird, z. B. der Zeitraum.")
    )
    history = HistoricalRecords()

    class Meta(LedgerEntry.Meta):
        verbose_name = _("Mittelanforderung")
        verbose_name_plural = _("Mittelanforderungen")
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["decision", "state"])]
        constraints = [
            *FourEyesEntry.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="payment_request_amount_positive",
                violation_error_message=_("Bitte geben Sie einen Betrag über 0,00 € an."),
            ),
        ]


class Payment(LedgerEntry):
    """Auszahlung: money paid to the recipient on a grant, counted on its value date.

    A correction is a counter-entry: a negative amount that names the payment it corrects.
    A payment answers a payment request (Mittelanforderung) of the same grant; the
    correction of a payment counts against the request of the payment it corrects.
    """

    decision = models.ForeignKey(
        "funding.FundingDecision",
        verbose_name=_("Zuwendungsbescheid"),
        on_delete=models.PROTECT,
        related_name="payments",
        help_text=_("Der ursprüngliche Zuwendungsbescheid des Empfängers; Änderungen rechnen sich ein."),
    )
    value_date = models.DateField(_("Wertstellung"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("korrigiert Auszahlung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    payment_request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("Mittelanforderung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    history = HistoricalRecords()

    class Meta(LedgerEntry.Meta):
        verbose_name = _("Auszahlung")
        verbose_name_plural = _("Auszahlungen")
        ordering = ["value_date", "id"]
        indexes = [models.Index(fields=["state", "value_date"]), models.Index(fields=["decision", "state"])]
        constraints = [
            *FourEyesEntry.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(amount=0),
                name="payment_amount_not_zero",
                violation_error_message=_("Eine Auszahlung von 0,00 € ist keine Buchung."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, corrects__isnull=True)
                | models.Q(amount__lt=0, corrects__isnull=False),
                name="payment_negative_only_as_correction",
                violation_error_message=_(
                    "Ein negativer Betrag ist nur als Korrektur einer Auszahlung möglich, eine Korrektur nur mit negativem Betrag."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | models.Q(payment_request__isnull=True),
                name="payment_correction_without_request",
                violation_error_message=_(
                    "Eine Korrektur zählt bei der Mittelanforderung der korrigierten Auszahlung; nennen Sie keine."
                ),
            ),
        ]


class Recovery(LedgerEntry):
    """Rückforderung (a claim, after a revocation or a proof-of-use review) or Erstattung (money repaid)."""

    decision = models.ForeignKey(
        "funding.FundingDecision",
        verbose_name=_("Zuwendungsbescheid"),
        on_delete=models.PROTECT,
        related_name="recoveries",
        help_text=_("Der ursprüngliche Zuwendungsbescheid des Empfängers; Änderungen rechnen sich ein."),
    )
    kind = models.CharField(_("Art"), max_length=16, choices=RecoveryKind.choices)
    booked_on = models.DateField(
        _("Datum"), help_text=_("Rückforderung: Datum des Bescheids; Erstattung: Wertstellung des Eingangs.")
    )
    reason = models.TextField(_("Grund"), blank=True)
    history = HistoricalRecords()

    class Meta(LedgerEntry.Meta):
        verbose_name = _("Rückforderung oder Erstattung")
        verbose_name_plural = _("Rückforderungen und Erstattungen")
        ordering = ["booked_on", "id"]
        indexes = [models.Index(fields=["state", "booked_on"]), models.Index(fields=["decision", "state"])]
        constraints = [
            *FourEyesEntry.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="recovery_amount_positive",
                violation_error_message=_("Bitte geben Sie einen Betrag über 0,00 € an."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=RecoveryKind.CLAIM) | ~models.Q(reason=""),
                name="recovery_claim_has_reason",
                violation_error_message=_(
                    "Eine Rückforderung braucht ihren Grund (Widerruf, Prüfung des Verwendungsnachweises)."
                ),
            ),
        ]


class ProofOfUse(models.Model):
    """Verwendungsnachweis of a grant: when it is due, received and checked, and the result."""

    decision = models.OneToOneField(
        "funding.FundingDecision",
        verbose_name=_("Zuwendungsbescheid"),
        on_delete=models.PROTECT,
        related_name="proof_of_use",
    )
    due_on = models.DateField(
        _("fällig am"),
        help_text=_("Nach ANBest-P sechs Monate nach Ende des Bewilligungszeitraums (je Programm einstellbar)."),
    )
    received_on = models.DateField(_("eingegangen am"), null=True, blank=True)
    checked_on = models.DateField(_("geprüft am"), null=True, blank=True)
    result = models.CharField(_("Ergebnis"), max_length=16, choices=ProofOfUseResult.choices, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geprüft von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checked_proofs_of_use",
    )
    source = models.CharField(_("Quelle"), max_length=300, default="illustrative")
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    # Indexed: the ledger watermark (funding.figures.ledgers) reads its maximum at every publication.
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Verwendungsnachweis")
        verbose_name_plural = _("Verwendungsnachweise")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checked_on__isnull=True)
                | models.Q(received_on__isnull=False, checked_on__gte=models.F("received_on")),
                name="proof_of_use_checked_after_received",
                violation_error_message=_(
                    "Geprüft werden kann nur ein eingegangener Nachweis, nicht vor seinem Eingang."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(checked_on__isnull=True, result="")
                | models.Q(checked_on__isnull=False) & ~models.Q(result=""),
                name="proof_of_use_result_once_checked",
                violation_error_message=_("Ein Prüfergebnis gehört zu einem Prüfdatum und umgekehrt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Verwendungsnachweis')} {self.decision.reference}"

    def is_overdue(self, day) -> bool:
        """Overdue from the day after it was due until the day it arrives."""
        return self.due_on < day and (self.received_on is None or self.received_on > day)

    def clean(self) -> None:
        check_proof_of_use(self)
