"""Stepping Stones rows for the national generator: cohorts, participating secondaries with feeder primaries, and
referrals of synthetic pupils (names like "Pupil 123", no UPN, no real data), spread over seven transitions."""

import datetime
import time

REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
YEARS = range(2020, 2027)
SECONDARIES_PER_COHORT = 300


def _code(number: int, length: int) -> str:
    """A distinct code per number in the references' alphabet (references are random in the app; here distinct)."""
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return "".join(reversed(chars))


def make(count: int, rng, clock, bulk) -> None:
    from schools.models import School
    from stepping_stones.models import Cohort, ParticipatingSchool, Referral

    started = time.perf_counter()
    cohorts = Cohort.objects.bulk_create(
        [
            Cohort(
                transition_year=year,
                status=Cohort.Status.ENDED if year < 2026 else Cohort.Status.OPEN,
                ends_on=datetime.date(year + 1, 7, 31),
            )
            for year in YEARS
        ]
    )
    open_schools = School.objects.exclude(status=School.Status.CLOSED)
    secondaries = list(open_schools.filter(phase=School.Phase.SECONDARY).values_list("urn", flat=True))
    primaries = list(open_schools.filter(phase=School.Phase.PRIMARY).values_list("urn", flat=True))
    everyone = list(open_schools.values_list("urn", flat=True))
    chosen = (secondaries or everyone)[:SECONDARIES_PER_COHORT]
    primaries = primaries or everyone
    ParticipatingSchool.objects.bulk_create(
        [ParticipatingSchool(cohort=c, school_id=urn, places=500) for c in cohorts for urn in chosen],
        batch_size=2000,
    )
    clock.step("Stepping Stones cohorts/schools", len(cohorts) * len(chosen), time.perf_counter() - started)

    status = Referral.Status
    weights = [
        (status.COMPLETED, 40),
        (status.ACTIVE, 10),
        (status.ACCEPTED, 10),
        (status.SUBMITTED, 12),
        (status.WAITLISTED, 8),
        (status.DECLINED, 8),
        (status.DRAFT, 6),
        (status.WITHDRAWN, 6),
    ]
    choices = [s for s, w in weights for _ in range(w)]
    per_cohort = max(count // len(cohorts), 1)
    step = datetime.timedelta(days=300) / per_cohort

    def rows():
        for n in range(count):
            cohort = cohorts[min(n // per_cohort, len(cohorts) - 1)]
            created = datetime.datetime(cohort.transition_year - 1, 9, 1, 8, tzinfo=datetime.UTC) + step * (
                n % per_cohort
            )
            state = rng.choice(choices)
            decided = state not in (status.DRAFT, status.SUBMITTED)
            yield Referral(
                reference=f"SS{cohort.transition_year % 100:02d}-{_code(n, 5)}",
                pseudonym=f"P-{_code(n, 8)}",
                cohort=cohort,
                status=state,
                priority=rng.choice([1, 2, 3, 3, 3]),
                first_name="Pupil",
                last_name=str(n),
                date_of_birth=datetime.date(cohort.transition_year - 12, 1 + n % 12, 1 + n % 28),
                strengths="Kind to others; enjoys football.",
                referring_school_id=primaries[rng.randrange(len(primaries))],
                receiving_school_id=chosen[rng.randrange(len(chosen))],
                decline_reason="No places left" if state == status.DECLINED else "",
                leave_reason="Moved away" if state == status.WITHDRAWN else "",
                submitted_at=created if state != status.DRAFT else None,
                decided_at=created + datetime.timedelta(days=10) if decided else None,
                created_at=created,
                updated_at=created,
            )

    from bench.generate_national import without_auto_now

    fields = [Referral._meta.get_field(f) for f in ("created_at", "updated_at")]
    with without_auto_now(*fields):
        bulk(Referral, rows(), count, clock, "Stepping Stones referrals")
