"""factory_boy factories for the domain: small, valid defaults that a test overrides."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from funding.models import DecisionKind, DecisionState, FundingDecision, GrantingAuthority, Programme, Recipient
from projects.models import ApplicationStatus, Project, Strand, Topic, TransferRequest
from regions.models import Municipality, MunicipalityKind, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("ags",)

    # An 8-digit NRW key for every n (05913000, 05913001, ... 05914000 ...), however many a session makes.
    ags = factory.Sequence(lambda n: f"05{913 + n // 1000:03d}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    kind = MunicipalityKind.DISTRICT_MUNICIPALITY


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    administrative_district = "9"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    slug = "digitale-modellregionen"
    name = "Digitale Modellregionen in NRW"
    funder = "Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie NRW"
    budget = Decimal("91000000.00")
    start_date = dt.date(2018, 7, 12)
    end_date = dt.date(2023, 6, 30)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Themenfeld {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Projekt {n}")
    slug = factory.Sequence(lambda n: f"projekt-{n}")
    region = factory.SubFactory(RegionFactory)
    strand = Strand.E_GOVERNMENT
    topic = factory.SubFactory(TopicFactory)
    status = ApplicationStatus.APPROVED
    submitted_on = dt.date(2019, 1, 15)


class GrantingAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantingAuthority
        django_get_or_create = ("slug",)

    slug = "bezreg-arnsberg"
    name = "Bezirksregierung Arnsberg"
    kind = "district_government"


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Empfänger {n}")
    kind = "municipality"


class DecisionFactory(factory.django.DjangoModelFactory):
    """A draft initial decision; pass state=released with released_by for a released one."""

    class Meta:
        model = FundingDecision

    reference = factory.Sequence(lambda n: f"AZ-{n:05d}")
    project = factory.SubFactory(ProjectFactory)
    recipient = factory.SubFactory(RecipientFactory)
    authority = factory.SubFactory(GrantingAuthorityFactory)
    kind = DecisionKind.INITIAL
    decision_date = dt.date(2019, 6, 1)
    eligible_costs = Decimal("200000.00")
    amount = Decimal("160000.00")
    own_share = Decimal("40000.00")
    private_investment = Decimal("0.00")
    period_start = dt.date(2019, 7, 1)
    period_end = dt.date(2021, 6, 30)
    state = DecisionState.DRAFT
    drafted_by = factory.SubFactory(UserFactory)
    source = "Testdaten"


class TransferRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransferRequest

    project = factory.SubFactory(ProjectFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    received_on = dt.date(2020, 2, 1)
    contact_name = "Servicestelle Digitalisierung"
    contact_email = "digitalisierung@example.org"
    confirmed_at = factory.LazyFunction(timezone.now)


def release_reviewed_decision(*, decision, user):
    """Release a draft as an approver does: naming the digest of the draft as it stands."""
    from funding import services
    from funding.four_eyes import review_digest

    return services.decision_release(decision=decision, user=user, reviewed=review_digest(decision))


def release_reviewed_entry(*, entry, user):
    """Release a draft payment request, payment or recovery as an approver does."""
    from funding.four_eyes import review_digest
    from funding.payments import services

    return services.entry_release(entry=entry, user=user, reviewed=review_digest(entry))


def verify_second_factor(client, user) -> None:
    """Mark the client's session as past the second factor, as the code form does after a good code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Testgerät", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def staff_login(client, user, *, backend: str = "django.contrib.auth.backends.ModelBackend"):
    """Log `user` in with both factors where their role asks for a second one (tests of other things)."""
    from modellregionen.second_factor import has_second_factor, requires_second_factor

    client.force_login(user, backend=backend)
    if requires_second_factor(user) or has_second_factor(user):
        verify_second_factor(client, user)
    return client


def recorded(instance):
    """Record the change of a record a test wrote straight through the ORM, as the services record theirs.

    The services say what they changed (modellregionen.ledger_changes); a test that builds a
    ledger without them says it here: a released decision, payment or recovery is added by the
    figures, a draft changes no figure, anything else asks for a full recompute.
    """
    from funding.models import FundingDecision
    from funding.payments.models import Payment, Recovery
    from modellregionen import ledger_changes

    released_kinds = {
        FundingDecision: ledger_changes.DECISION_RELEASED,
        Payment: ledger_changes.PAYMENT_RELEASED,
        Recovery: ledger_changes.RECOVERY_RELEASED,
    }
    kind = released_kinds.get(type(instance))
    if kind is None:
        ledger_changes.record()
    elif not instance.is_released:
        ledger_changes.record(ledger_changes.NO_FIGURES)
    else:
        project_id = instance.project_id if kind == ledger_changes.DECISION_RELEASED else instance.decision.project_id
        ledger_changes.record(kind, entry_id=instance.pk, project_id=project_id)
    return instance
