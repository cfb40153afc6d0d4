"""Pass on every Stepping Stones place offered from a waiting list and not confirmed in time.

A place offered to the top of a waiting list must be confirmed by the receiving school within
STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS school days (default 10). After that day this command declines the referral
(with a reason that says so) and offers the place to the next pupil on the list, as a withdrawal does. Run daily by
deploy/systemd/portal-stepping-stones-offer-expiry.timer (see docs/stepping-stones.md). Idempotent.
"""

from django.core.management.base import BaseCommand

from stepping_stones.services import offers_expire


class Command(BaseCommand):
    help = "Pass Stepping Stones places offered and not confirmed in time to the next pupil on the waiting list."

    def handle(self, *args, **options):
        report = offers_expire()
        self.stdout.write(report.summary())
