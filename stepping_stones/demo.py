"""Demo data for Stepping Stones: the current transition (models.current_transition_year) across secondaries in
Hackney, Tower Hamlets and Lambeth, feeder primaries (schools that teach Year 6, never an infant school), and fictional
pupils in every state, all made through the services (so places, waiting lists, consent and the audit trail are
real). The demo Stepping Stones lead's school (the Hackney demo secondary) is full, with a waiting list and a place
offered; its first feeder primary has its own demo Stepping Stones lead, who made that primary's referrals. One pupil
is referred by two primaries (a possible duplicate for the coordinators). Names are clearly fictional; UPNs carry
valid check letters. The history is spread over the past four months (core.demo.demo_clock), in the order the statuses
imply: pupils placed were referred months ago, those on the waiting list weeks later, those waiting for an answer in
the last fortnight, drafts in the last week; the place offered from the waiting list days ago (so its date to confirm
by is still ahead). Deterministic; skipped when it has already run."""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import SchoolDuty, SchoolMembership, User
from core.demo import demo_clock
from schools.models import School

from . import services
from .models import Cohort, Need, PossibleDuplicate, Referral, current_transition_year
from .upn import upn_make

ORDER = 70
HACKNEY, TOWER_HAMLETS, LAMBETH = 204, 211, 208
NEEDS = [
    ("Attendance", "Often absent or late"),
    ("Exclusion risk", "Fixed-term exclusions or close to one"),
    ("Anxiety about moving up", ""),
    ("Friendship difficulties", ""),
    ("Known to youth services", ""),
    ("Sibling involved in serious youth violence", ""),
    ("Young carer", ""),
    ("Special educational needs", "SEN support or an EHC plan"),
]
FIRST_NAMES = [
    "Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan", "Taylor", "Jamie", "Robin", "Charlie",
    "Frankie", "Kai", "Remi", "Sasha", "Ali", "Noor", "Tobi", "Ife", "Zara", "Leo",
]  # fmt: skip
# Surnames nobody has: the demo must never look like a real child's record.
SURNAMES = [
    "Demoford", "Examplewood", "Fictionalson", "Sampleton", "Madeupsky", "Pretendly", "Notreal-Smith", "Testington",
    "Inventa", "Placeholder", "Mockworth", "Dummett-Demo",
]  # fmt: skip
STRENGTHS = [
    "Great at football and a natural team captain",
    "Loves drawing and comics",
    "Kind to younger pupils",
    "Curious about science; asks brilliant questions",
    "Strong reader",
    "Funny and well liked by staff",
]
DECLINE_REASONS = [
    "The family have chosen a school outside the borough.",
    "The pupil already has a mentor at our school.",
]
# The demo lead's school ends full: places taken, a waiting list and one place offered after a withdrawal.
FULL_SCHOOL_PLACES = 6


def _demo_user(local: str) -> User | None:
    from accounts.demo import demo_email

    return User.objects.filter(email=demo_email(local)).first()


def _head_for(school: School) -> User:
    """A headteacher for a demo school that has none (headteachers hold the Stepping Stones lead duty)."""
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


def _open(phase_values, la: int):
    return School.objects.filter(
        local_authority_id=la, phase__in=phase_values, status__in=School.OPEN_STATUSES
    ).order_by("urn")


def _open_feeders(la: int):
    """Open schools that refer Year 6 pupils: a primary-phase school whose statutory age range includes Year 6, so
    never an infant school (School.LEAVES_OUT_YEAR_6; the referral and feeder services refuse one too)."""
    return _open(School.FEEDER_PHASES, la).exclude(School.LEAVES_OUT_YEAR_6)


def _upn(rng: random.Random, school: School, index: int, *, temporary: bool = False) -> str:
    estab = (school.establishment_number or f"{2000 + school.urn % 1000}")[-4:].zfill(4)
    serial = f"{index % 100:02d}{'ABCDEFGH'[index % 8]}" if temporary else f"{index % 1000:03d}"
    return upn_make(f"{school.local_authority_id:03d}{estab}{rng.choice(['14', '15', '16'])}{serial}")


def _referrer_for(primary: School) -> User:
    """The primary's own Stepping Stones lead where it has one (the demo primary), else its headteacher."""
    membership = (
        SchoolMembership.objects.current()
        .filter(school=primary, duties__duty=SchoolDuty.Duty.STEPPING_STONES_LEAD, duties__ended_at__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else _head_for(primary)


def _ago(rng: random.Random, now: datetime, most: int, least: int) -> datetime:
    """A moment `least` to `most` days before `now`, at some hour of that day."""
    return now - timedelta(days=rng.randint(least, most), hours=rng.randint(0, 8), minutes=rng.randint(0, 59))


def _after(rng: random.Random, at: datetime, least: int, most: int) -> datetime:
    """A moment `least` to `most` days after `at`."""
    return at + timedelta(days=rng.randint(least, most), hours=rng.randint(1, 5), minutes=rng.randint(0, 59))


def _dob(rng: random.Random, transition_year: int) -> date:
    start = date(transition_year - 12, 9, 1)
    return start + timedelta(days=rng.randint(0, 364))


@transaction.atomic
def seed(*, stdout, options) -> None:
    transition_year = current_transition_year()
    cohort = Cohort.objects.filter(transition_year=transition_year).first()
    if cohort is not None and cohort.referrals.exists():
        stdout.write("  Stepping Stones already loaded")
        return
    vru = _demo_user("stepping-stones-coordinator")
    if vru is None:
        stdout.write("  Stepping Stones skipped: the demo Stepping Stones coordinator is missing")
        return
    from accounts.demo import demo_primary_school, demo_school

    demo_primary = demo_primary_school()

    rng = random.Random(70)  # noqa: S311 - demo data, not security
    # When things happen: a generator of its own, so the pupils and schools are the same as before dates were spread.
    times = random.Random(71)  # noqa: S311 - demo data, not security
    now = timezone.now()
    lead_school = demo_school()
    secondaries = [lead_school] if lead_school else []
    for la in (HACKNEY, TOWER_HAMLETS, LAMBETH):
        secondaries += [s for s in _open(School.RECEIVING_PHASES, la)[:3] if s not in secondaries][:2]
    secondaries = secondaries[:6]
    if not secondaries:
        stdout.write("  Stepping Stones skipped: no open secondaries in Hackney, Tower Hamlets or Lambeth")
        return

    with demo_clock(now - timedelta(days=120)):  # the transition set up before its first referral
        cohort = cohort or services.cohort_create(actor=vru, transition_year=transition_year)
        for name, description in NEEDS:
            if not Need.objects.filter(name=name).exists():
                services.need_create(actor=vru, name=name, description=description)
        needs = list(Need.objects.filter(is_active=True))

        feeders: dict[int, list[School]] = {}
        for index, secondary in enumerate(secondaries):
            primaries = list(_open_feeders(secondary.local_authority_id)[index * 3 : index * 3 + 3])
            if not primaries:
                primaries = list(_open_feeders(secondary.local_authority_id)[:3])
            if secondary == lead_school and demo_primary is not None:
                primaries = [demo_primary, *[p for p in primaries if p != demo_primary]][:3]
            places = FULL_SCHOOL_PLACES if secondary == lead_school else rng.choice([10, 12, 15])
            services.participating_school_set(
                actor=vru, cohort=cohort, school=secondary, places=places, feeder_primaries=primaries
            )
            feeders[secondary.pk] = primaries
    pupil = 0

    def refer(secondary, at, *, known=True, consent=True, submit=True, temporary=False, outside=False, primary=None):
        """Started at `at`; consent recorded and the referral submitted up to 3 days later."""
        nonlocal pupil
        primaries = feeders.get(secondary.pk) or []
        if not primaries:
            return None
        primary = primary or primaries[pupil % len(primaries)]
        head = _referrer_for(primary)
        pupil += 1
        dob = _dob(rng, transition_year)
        if outside:
            dob = dob - timedelta(days=365)
        with demo_clock(at):
            referral = services.referral_create(
                actor=head,
                cohort=cohort,
                referring_school=primary,
                receiving_school=secondary if known else None,
                first_name=FIRST_NAMES[pupil % len(FIRST_NAMES)],
                last_name=SURNAMES[pupil % len(SURNAMES)],
                date_of_birth=dob,
                upn=_upn(rng, primary, pupil, temporary=temporary),
                outside_age_group_reason="Repeated Year 5 after a long illness (demo)" if outside else "",
                needs=rng.sample(needs, k=min(2, len(needs))),
                strengths=rng.choice(STRENGTHS),
                known_by_name=f"Year 6 teacher at {primary.name}",
                known_by_role="Year 6 class teacher",
                priority=rng.choice([1, 2, 3, 3]),
            )
        with demo_clock(_after(times, at, 0, 3)):
            if consent:
                services.consent_record(
                    actor=head,
                    referral=referral,
                    given_by_name="Parent of a demo pupil",
                    relationship=rng.choice(["mother", "father", "carer"]),
                    method=rng.choice(["paper", "verbal", "email"]),
                    given_on=timezone.localdate() - timedelta(days=rng.randint(5, 60)),
                    text_version=services.CONSENT_TEXT_VERSIONS[-1],
                )
            if submit:
                referral = services.referral_submit(actor=head, referral=referral)
        return referral

    others = [s for s in secondaries if s != lead_school]
    # The demo lead's school: full, with a waiting list, then a withdrawal offers the place to the top of the list.
    # Placed 3 to 4 months ago, waitlisted 1 to 2 months ago, the place offered 2 days ago (its offer still open).
    if lead_school is not None:
        lead = _demo_user("stepping-stones-lead") or _head_for(lead_school)
        placed = []
        for _ in range(FULL_SCHOOL_PLACES):
            at = _ago(times, now, 110, 75)
            referral = refer(lead_school, at)
            if referral is not None:
                placed.append((referral, at))
        for referral, at in placed:
            with demo_clock(_after(times, at, 6, 12)):
                services.referral_accept(actor=lead, referral=referral)
        for _ in range(3):
            at = _ago(times, now, 60, 45)
            referral = refer(lead_school, at)
            if referral is not None:
                with demo_clock(_after(times, at, 6, 12)):
                    services.referral_waitlist(actor=lead, referral=referral)
        placed = [referral for referral, _ in placed]
        if placed:
            with demo_clock(_ago(times, now, 2, 2)):
                services.referral_withdraw(actor=lead, referral=placed[0], reason="The family moved to Essex (demo).")
        if len(placed) > 2:
            with demo_clock(_ago(times, now, 20, 10)):
                services.referral_advance(actor=lead, referral=placed[1], to="enrolled", reason="Started Year 7 (demo)")
                services.progress_update(
                    actor=lead, referral=placed[2], engagement_day_attended=True, sessions_attended=2
                )
        for _ in range(2):
            refer(lead_school, _ago(times, now, 12, 5))  # waiting for an answer
        # A draft at the demo primary, so its lead finds it by the pupil's name on the Stepping Stones home page.
        refer(lead_school, _ago(times, now, 2, 1), submit=False, consent=False, primary=demo_primary)
    # Every other state at the other schools: placed 2 to 3 months ago, then enrolled, active or gone since; declined
    # 1 to 2 months ago; waiting for an answer or a destination in the last month; drafts in the last week.
    twice_referred = None
    for index, secondary in enumerate(others):
        head = _head_for(secondary)
        accepted = []
        for _ in range(4):
            at = _ago(times, now, 100, 70)
            referral = refer(secondary, at)
            if referral is not None:
                with demo_clock(_after(times, at, 6, 12)):
                    services.referral_accept(actor=head, referral=referral)
                accepted.append(referral)
        if len(accepted) >= 4:
            enrolled = _ago(times, now, 45, 35)
            active = _after(times, enrolled, 5, 10)
            with demo_clock(enrolled):
                services.referral_advance(
                    actor=head, referral=accepted[0], to="enrolled", reason="Started Year 7 (demo)"
                )
            for referral in accepted[1:3]:
                with demo_clock(enrolled):
                    services.referral_advance(
                        actor=head, referral=referral, to="enrolled", reason="Started Year 7 (demo)"
                    )
                with demo_clock(active):
                    services.referral_advance(
                        actor=head, referral=referral, to="active", reason="Attending sessions (demo)"
                    )
                    services.progress_update(
                        actor=head,
                        referral=referral,
                        engagement_day_attended=True,
                        summer_school_attended=rng.choice([True, False]),
                        sessions_attended=rng.randint(1, 8),
                        peer_mentor_assigned=True,
                    )
            if index == 0:
                with demo_clock(enrolled):
                    services.referral_advance(
                        actor=head, referral=accepted[3], to="enrolled", reason="Started Year 7 (demo)"
                    )
                with demo_clock(active):
                    services.referral_advance(
                        actor=head, referral=accepted[3], to="active", reason="Attending sessions (demo)"
                    )
                with demo_clock(_ago(times, now, 10, 5)):
                    services.referral_advance(
                        actor=head, referral=accepted[3], to="completed", reason="Finished the programme (demo)"
                    )
            elif index == 1:
                with demo_clock(_ago(times, now, 15, 8)):
                    services.referral_withdraw(
                        actor=head, referral=accepted[3], reason="Moved to a school in Kent", moved_school=True
                    )
            elif index == 2:
                with demo_clock(_ago(times, now, 15, 8)):
                    services.consent_withdraw(actor=head, referral=accepted[3], reason="Parent withdrew consent (demo)")
        at = _ago(times, now, 70, 50)
        declined = refer(secondary, at)
        if declined is not None:
            with demo_clock(_after(times, at, 6, 12)):
                services.referral_decline(actor=head, referral=declined, reason=DECLINE_REASONS[index % 2])
        submitted = refer(secondary, _ago(times, now, 30, 8))  # submitted
        twice_referred = twice_referred or submitted
        refer(secondary, _ago(times, now, 30, 8), temporary=True)  # submitted, temporary UPN
        if index == 0:
            refer(secondary, _ago(times, now, 30, 8), outside=True)
        refer(secondary, _ago(times, now, 20, 5), known=False)  # pending destination: the VRU's queue
        refer(secondary, _ago(times, now, 7, 4), submit=False)  # draft with consent
    # The second primary's referral of the same pupil: after the first was submitted (8 or more days ago, 3 to submit).
    with demo_clock(_ago(times, now, 3, 2)):
        duplicates = _refer_again_elsewhere(
            twice_referred,
            feeders={pk: schools for pk, schools in feeders.items() if pk in {s.pk for s in others}},
            needs=needs,
        )
    counts: dict[str, int] = {}
    for status in Referral.objects.filter(cohort=cohort).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    stdout.write(
        f"  Stepping Stones {cohort.name}: {sum(counts.values())} fictional pupils at {len(secondaries)} secondaries: "
        + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items()))
        + f"; {duplicates} possible duplicate pair(s) for the coordinators"
    )


def _refer_again_elsewhere(original: Referral | None, *, feeders: dict[int, list[School]], needs) -> int:
    """A possible duplicate for the coordinators: the same pupil (same UPN, name and date of birth) referred again by
    another primary (a family that moved house mid-year), to another secondary. The services flag the pair as they
    would any second school's referral of a UPN (services._flag_possible_duplicates); the second school is told
    nothing. Returns the number of open pairs."""
    if original is None:
        return 0
    other_primaries = [
        (secondary_id, primary)
        for secondary_id, primaries in feeders.items()
        for primary in primaries
        if primary.pk != original.referring_school_id and secondary_id != original.receiving_school_id
    ]
    if not other_primaries:
        return 0
    secondary_id, primary = other_primaries[0]
    head = _referrer_for(primary)
    again = services.referral_create(
        actor=head,
        cohort=original.cohort,
        referring_school=primary,
        receiving_school=School.objects.get(pk=secondary_id),
        first_name=original.first_name,
        last_name=original.last_name,
        date_of_birth=original.date_of_birth,
        upn=original.upn,
        needs=needs[:1],
        strengths="Settled quickly after moving school (demo)",
        known_by_name=f"Year 6 teacher at {primary.name}",
        known_by_role="Year 6 class teacher",
    )
    services.consent_record(
        actor=head,
        referral=again,
        given_by_name="Parent of a demo pupil",
        relationship="mother",
        method="paper",
        given_on=timezone.localdate() - timedelta(days=3),
        text_version=services.CONSENT_TEXT_VERSIONS[-1],
    )
    services.referral_submit(actor=head, referral=again)
    return PossibleDuplicate.objects.filter(cohort=original.cohort, decision=PossibleDuplicate.Decision.OPEN).count()
