from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Förderung")

    def ready(self) -> None:
        # Connects the receivers that schedule a figures recompute after ledger changes.
        from funding.figures import signals  # noqa: F401
