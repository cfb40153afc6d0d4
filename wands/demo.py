"""Demo data for the wands programme: stock deliveries and requests in every state, made through the services so the
ledger, timelines and audit are real. Deterministic; skipped when it has already run."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import SchoolMembership, User
from core.demo import demo_clock
from schools.models import LocalAuthority, School

from . import services
from .models import WandRequest
from .selectors import allowance_total, stock_level, wands_held_against_allowance

ORDER = 40
DEMO_KEY_PREFIX = "demo-"
SCHOOLS = 48
# The state each demo request ends in, in proportion.
STATES = (
    ["submitted"] * 10
    + ["rejected"] * 4
    + ["cancelled"] * 2
    + ["approved"] * 7
    + ["dispatched"] * 7
    + ["delivered"] * 14
    + ["waiting"] * 4
)
COURIERS = ["Parcelforce", "DPD", "Royal Mail Tracked 24"]
REJECTIONS = [
    "Your borough's own scheme already supplies wands to this school.",
    "The behaviour policy on your website does not mention screening yet: please update it and ask again.",
]


def _demo_user(local: str):
    from accounts.demo import demo_email

    return User.objects.filter(email=demo_email(local)).first()


def _head_for(school: School) -> User:
    """A demo headteacher for each demo school that has none (the accounts demo names only one school's people)."""
    membership = (
        SchoolMembership.objects.current()
        .filter(school=school, role=SchoolMembership.Role.HEADTEACHER)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user
    email = f"head-{school.urn}@demo.schools-safety.london"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, full_name=f"Headteacher of {school.name}"
    )
    SchoolMembership.objects.create(user=user, school=school, role=SchoolMembership.Role.HEADTEACHER)
    return user


def _schools(rng: random.Random, demo_school: School | None) -> list[School]:
    open_london = School.objects.filter(
        status__in=School.OPEN_STATUSES, phase__in=[School.Phase.SECONDARY, School.Phase.ALL_THROUGH]
    ).exclude(local_authority__area=LocalAuthority.Area.OUTSIDE)
    candidates = list(open_london.order_by("urn"))
    rng.shuffle(candidates)
    chosen = [s for s in candidates if demo_school is None or s.pk != demo_school.pk][:SCHOOLS]
    return ([demo_school] if demo_school else []) + chosen


def _submit(school, actor, quantity, index):
    return services.wand_request_submit(
        actor=actor,
        school=school,
        quantity=quantity,
        contact_name=f"Site manager at {school.name}",
        contact_phone="020 7946 0" + f"{index:03d}",
        delivery_address="\n".join([school.name, *school.address_lines[:-1]]) or school.name,
        delivery_postcode=school.postcode or "E8 1AA",
        policy_confirmed=True,
        idempotency_key=f"{DEMO_KEY_PREFIX}{index}",
    )


def _replace_faulty_wand(wand_request, *, head, admin, fulfilment, at) -> None:
    """Deliver a request, report one wand faulty, send the replacement: dispatching it arranges the pick-up. `at`
    gives each step's time (demo_clock)."""
    with demo_clock(at("approved")):
        services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    with demo_clock(at("dispatched")):
        services.wand_request_dispatch(
            wand_request_id=wand_request.pk,
            actor=fulfilment,
            courier=COURIERS[0],
            tracking_reference=f"TRK{wand_request.pk:07d}",
        )
    with demo_clock(at("delivered")):
        services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
    with demo_clock(at("delivered") + timedelta(days=2, hours=1)):
        issue = services.wand_issue_report(
            wand_request_id=wand_request.pk,
            actor=head,
            kind="faulty",
            outcome="replacement",
            quantity=1,
            details="The wand does not beep near the test coin.",
        )
    with demo_clock(at("delivered") + timedelta(days=3, hours=2)):
        services.wand_request_approve(wand_request_id=issue.replacement_id, actor=admin)
    with demo_clock(at("delivered") + timedelta(days=4, hours=3)):
        services.wand_request_dispatch(
            wand_request_id=issue.replacement_id,
            actor=fulfilment,
            courier=COURIERS[1],
            tracking_reference=f"TRK{issue.replacement_id:07d}",
        )


def _timetable(rng: random.Random, now):
    """When each step of a request happens, over the last four months (so timelines and the dashboard's median
    delivery time mean something): submitted 3 to 17 weeks ago, then a decision, dispatch and delivery a few working
    days apart, all in the past."""
    submitted = now - timedelta(days=rng.randint(21, 120), hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
    decided = submitted + timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 5))
    dispatched = decided + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 5))
    delivered = dispatched + timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 5))
    times = {
        "submitted": submitted,
        "approved": decided,
        "rejected": decided,
        "cancelled": submitted + timedelta(days=1, hours=3),
        "dispatched": dispatched,
        "delivered": delivered,
    }
    return lambda step: times[step]


@transaction.atomic
def seed(*, stdout, options) -> None:
    if WandRequest.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).exists():
        stdout.write("  wand requests already loaded")
        return
    admin, fulfilment = _demo_user("programme-admin"), _demo_user("fulfilment-staff")
    if admin is None or fulfilment is None:
        stdout.write("  wand requests skipped: the demo programme admin and fulfilment users are missing")
        return
    from accounts.demo import demo_school

    rng = random.Random(40)  # noqa: S311 - demo data, not security
    schools = _schools(rng, demo_school())
    if not schools:
        stdout.write("  wand requests skipped: no open London secondary schools (load the demo schools first)")
        return

    now = timezone.now()
    with demo_clock(now - timedelta(days=130)):
        services.stock_delivery_record(actor=admin, quantity=80, batch="SUP-2025-001", note="First order")
    with demo_clock(now - timedelta(days=126)):
        services.stock_delivery_record(
            actor=fulfilment, quantity=40, batch="SUP-2025-002", serials=[f"KW25-{n:05d}" for n in range(1, 41)]
        )
    plan = []
    for index, school in enumerate(schools):
        state = "delivered" if index == 0 else STATES[(index - 1) % len(STATES)]
        head = _head_for(school)
        figures_left = allowance_total(school) - wands_held_against_allowance(school)
        if figures_left < 1:
            continue
        quantity = min(figures_left, rng.choice([2, 3, 4, 4, 6]))
        at = _timetable(rng, now)
        with demo_clock(at("submitted")):
            wand_request = _submit(school, head, quantity, index)
        plan.append((state, wand_request, head, at))
    # One delivery has a faulty wand whose replacement is already out, so fulfilment has a pick-up to collect. It goes
    # first, while stock is plentiful.
    delivered = [p for p in plan if p[0] == "delivered"]
    faulty = delivered[2] if len(delivered) > 2 else None
    if faulty is not None:
        _replace_faulty_wand(faulty[1], head=faulty[2], admin=admin, fulfilment=fulfilment, at=faulty[3])
    # Approvals in a stable order: the ones that end waiting are approved last, when stock has run out.
    approve_order = [p for p in plan if p[0] in {"approved", "dispatched", "delivered"} and p is not faulty] + [
        p for p in plan if p[0] == "waiting"
    ]
    for state, wand_request, _, at in approve_order:
        with demo_clock(at("approved")):
            if state == "waiting":
                available = stock_level().available
                if available >= wand_request.quantity:
                    services.stock_write_off(
                        actor=admin, quantity=available, note="Damaged in the warehouse flood (demo)"
                    )
            services.wand_request_approve(wand_request_id=wand_request.pk, actor=admin)
    for state, wand_request, head, at in plan:
        if state == "rejected":
            with demo_clock(at("rejected")):
                services.wand_request_reject(
                    wand_request_id=wand_request.pk, actor=admin, reason=REJECTIONS[wand_request.pk % 2]
                )
        elif state == "cancelled":
            with demo_clock(at("cancelled")):
                services.wand_request_cancel(wand_request_id=wand_request.pk, actor=head, reason="We bought our own")
        elif state in {"dispatched", "delivered"}:
            wand_request.refresh_from_db()
            if wand_request.status != WandRequest.Status.APPROVED:
                continue
            with demo_clock(at("dispatched")):
                services.wand_request_dispatch(
                    wand_request_id=wand_request.pk,
                    actor=fulfilment,
                    courier=COURIERS[wand_request.pk % len(COURIERS)],
                    tracking_reference=f"TRK{wand_request.pk:07d}",
                )
            if state == "delivered":
                with demo_clock(at("delivered")):
                    services.wand_request_confirm_delivery(wand_request_id=wand_request.pk, actor=head)
    counts = {}
    for status in WandRequest.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    stdout.write(
        f"  {sum(counts.values())} wand requests at {len(schools)} schools: "
        + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items()))
    )
