"""Forms of the staff workspace for the payments ledger: payment requests, payments, recoveries, proofs of use."""

from django import forms
from django.utils.translation import gettext_lazy

from funding.choices import ProofOfUseResult
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from modellregionen.staff.decision_forms import DateInput, EuroField, clean_source_of_record


class EntryForm(forms.ModelForm):
    """The fields of one entry on a known grant; the rules run in the services on save."""

    amount = EuroField(label=gettext_lazy("Betrag (€)"))

    def clean_source(self):
        return clean_source_of_record(self.cleaned_data.get("source"))

    def _post_clean(self):
        # The model's clean (the ledger's rules) needs the grant, which the view sets; the
        # services run it with everything in place, so the form only parses the fields.
        pass


class PaymentRequestForm(EntryForm):
    class Meta:
        model = PaymentRequest
        fields = ("reference", "amount", "received_on", "purpose", "source")
        widgets = {"received_on": DateInput(), "purpose": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)


class PaymentForm(EntryForm):
    class Meta:
        model = Payment
        fields = ("reference", "amount", "value_date", "payment_request", "corrects", "source")
        widgets = {"value_date": DateInput()}
        help_texts = {
            "amount": gettext_lazy("Eine Korrektur ist negativ und nennt die korrigierte Auszahlung."),
            "payment_request": gettext_lazy("Die freigegebene Mittelanforderung, auf die gezahlt wird."),
        }

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = Payment.objects.released().filter(decision=grant, amount__gt=0)
        self.fields["corrects"].required = False
        self.fields["payment_request"].queryset = PaymentRequest.objects.released().filter(decision=grant)
        self.fields["payment_request"].required = False


class RecoveryForm(EntryForm):
    class Meta:
        model = Recovery
        fields = ("reference", "amount", "booked_on", "reason", "source")
        widgets = {"booked_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)


class ProofOfUseForm(forms.ModelForm):
    class Meta:
        model = ProofOfUse
        fields = ("due_on", "received_on", "checked_on", "result")
        widgets = {"due_on": DateInput(), "received_on": DateInput(), "checked_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].required = False
        self.fields["due_on"].help_text = gettext_lazy(
            "Leer lassen: sechs Monate nach Ende des Bewilligungszeitraums (Einstellung des Programms)."
        )
        self.fields["result"].choices = [("", "—"), *ProofOfUseResult.choices]

    def _post_clean(self):
        pass  # the services check the proof against its grant
