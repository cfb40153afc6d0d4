from django.core.management.base import BaseCommand

from accounts.services import access_review_reminders_send


class Command(BaseCommand):
    help = (
        "Email headteachers and programme admins about roles reaching pupil or police data that must be confirmed "
        "within 14 days. Each reviewer gets at most one reminder a week (Monday to Sunday), however often it runs: "
        "run it daily or weekly (see docs/access-reviews.md)."
    )

    def handle(self, *args, **options):
        sent = access_review_reminders_send()
        self.stdout.write(f"Access review reminders sent: {sent}")
