"""The ledger's words and constants: kinds, states and the money columns, shared without importing a model."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class AuthorityKind(models.TextChoices):
    DISTRICT_GOVERNMENT = "district_government", _("Bezirksregierung")
    PROJECT_AGENCY = "project_agency", _("Projektträger")
    MINISTRY = "ministry", _("Ministerium")


class RecipientKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommune")
    UNIVERSITY = "university", _("Hochschule oder Forschungseinrichtung")
    COMPANY = "company", _("Unternehmen")
    ASSOCIATION = "association", _("Verein oder gemeinnützige Organisation")
    PUBLIC_COMPANY = "public_company", _("kommunales Unternehmen")


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


class RecoveryKind(models.TextChoices):
    CLAIM = "claim", _("Rückforderung")
    REPAYMENT = "repayment", _("Erstattung")


class ProofOfUseResult(models.TextChoices):
    ACCEPTED = "accepted", _("anerkannt")
    ACCEPTED_WITH_RECLAIM = "reclaim", _("anerkannt mit Rückforderung")
    REJECTED = "rejected", _("nicht anerkannt")
