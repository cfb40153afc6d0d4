"""Demo data for school officers: officers for every BCU with police-station bases near their schools, most schools
given a named officer by the optimiser (applied through the services, so history, audit and loads are real), and
some gaps in the queue: schools left for allocators to decide, an officer who moved on, headteachers' requests.
Deterministic; skipped when it has already run."""

import math
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import PoliceRole, SchoolMembership, User
from core.demo import demo_clock
from schools.models import BasicCommandUnit, School

from . import selectors, services
from .models import Officer, OfficerRequest

ORDER = 50
FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Hassan",
    "Isla",
    "Jamal",
    "Kate",
    "Leon",
    "Maya",
    "Nadia",
    "Owen",
    "Priya",
    "Rhys",
    "Sade",
    "Tom",
    "Yusuf",
]
LAST = [
    "Adeyemi",
    "Brown",
    "Clarke",
    "Demir",
    "Evans",
    "Fraser",
    "Green",
    "Hussain",
    "Ibrahim",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Reid",
    "Singh",
    "Taylor",
]
CAPACITY = 120
SKIP_SHARE = 0.08  # proposals left unapplied, so the queue has work in it


def _lead() -> User:
    """An all-London allocator who sets up the demo allocation."""
    from accounts.demo import demo_email

    email = demo_email("police-lead")
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, full_name="Lee Lead (all London allocator)"
    )
    if not PoliceRole.objects.current().filter(user=user, kind=PoliceRole.Kind.ALLOCATOR).exists():
        PoliceRole.objects.create(user=user, kind=PoliceRole.Kind.ALLOCATOR, all_london=True)
    return user


def _officers_for(bcu: BasicCommandUnit, rng: random.Random, lead: User) -> list[Officer]:
    schools = list(
        School.objects.filter(status__in=School.OPEN_STATUSES, local_authority__bcu=bcu).select_related(
            "local_authority"
        )
    )
    if not schools:
        return []
    book = selectors.WeightBook()
    load = sum(book.weight(s)[0] for s in schools)
    count = max(1, math.ceil(load / CAPACITY * 0.97))
    located = [s for s in schools if s.latitude is not None] or schools
    made = []
    for n in range(count):
        anchor = located[(n * 7919) % len(located)]
        point = selectors.school_coordinates(anchor) or (51.5, -0.12, True)
        made.append(
            services.officer_create(
                actor=lead,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                shoulder_number=f"{100 + n}{bcu.slug[:2].upper()}{bcu.pk:02d}",
                bcu=bcu,
                base_name=f"{anchor.local_authority.name} police station",
                base_postcode=anchor.postcode or "SW1A 2JL",
                base_latitude=point[0] + rng.uniform(-0.004, 0.004),
                base_longitude=point[1] + rng.uniform(-0.006, 0.006),
                capacity=rng.choice([100, 110, 120, 130, 140]),
                rank=rng.choice([Officer.Rank.PC] * 6 + [Officer.Rank.SGT, Officer.Rank.PCSO]),
                role_type=rng.choice([Officer.RoleType.SAFER_SCHOOLS] * 2 + [Officer.RoleType.WARD_SPECIALIST]),
                work_email=f"sso.{bcu.slug}.{n}@met.police.example",
                work_phone=f"020 7230 {1000 + n:04d}",
            )
        )
    return made


def seed(*, stdout, options) -> None:
    if Officer.objects.exists():
        stdout.write("  officers: already seeded")
        return
    rng = random.Random(50)
    lead = _lead()
    # The demo's history happens over the school year, not when seed_demo runs (core.demo.demo_clock): officers
    # join and are assigned at the start of the autumn term's run-up, 16 weeks ago; the gaps open in the last weeks.
    now = timezone.now()
    for bcu in BasicCommandUnit.objects.order_by("pk"):
        with transaction.atomic(), demo_clock(now - timedelta(days=115, hours=rng.randint(0, 6))):
            officers = _officers_for(bcu, rng, lead)
        if not officers:
            continue
        result = selectors.area_plan(user=lead, bcu_id=bcu.pk, time_limit=5)
        pairs = sorted(result.plan.new.items())
        chosen = [pair for pair in pairs if rng.random() >= SKIP_SHARE]
        if chosen:
            with demo_clock(now - timedelta(days=112, hours=rng.randint(0, 6))):
                services.plan_apply(actor=lead, bcu_id=bcu.pk, pairs=chosen)
        stdout.write(
            f"  officers: {bcu.name}: {len(officers)} officers, {len(chosen)} of {len(pairs)} schools assigned"
        )
    _link_demo_officer()
    _gaps(rng, lead)


def _link_demo_officer() -> None:
    from accounts.demo import demo_email

    user = User.objects.filter(email=demo_email("police-officer")).first()
    officer = Officer.objects.filter(bcu__slug="central-east", user__isnull=True).order_by("pk").first()
    if user is not None and officer is not None and not hasattr(user, "officer"):
        officer.user = user
        officer.name = user.full_name or officer.name
        officer.save(update_fields=["user", "name"])


def _gaps(rng: random.Random, lead: User) -> None:
    """One officer in North Area has moved on (their schools wait again); a few headteachers have asked."""
    now = timezone.now()
    leaving = Officer.objects.filter(bcu__slug="north", active=True).order_by("-pk").first()
    if leaving is not None:
        with demo_clock(now - timedelta(days=24, hours=3)):
            services.officer_end(actor=lead, officer_id=leaving.pk, reason="Moved to the response team")
    heads = (
        SchoolMembership.objects.current()
        .filter(role=SchoolMembership.Role.HEADTEACHER, school__local_authority__bcu__isnull=False)
        .select_related("user", "school")
        .order_by("school_id")[:4]
    )
    for index, membership in enumerate(heads):
        if OfficerRequest.objects.filter(school=membership.school, status="open").exists():
            continue
        with demo_clock(now - timedelta(days=2 + 4 * index, hours=rng.randint(1, 6))):
            _request(membership, index, rng)


def _request(membership, index: int, rng: random.Random) -> None:
    services.officer_request_create(
        actor=membership.user,
        school_urn=membership.school_id,
        kind="change" if index % 2 else "new",
        reason=rng.choice(
            [
                "Our officer has not visited since September and we have a knife incident to discuss.",
                "We share a site with a pupil referral unit and need one officer for both.",
            ]
        ),
    )
