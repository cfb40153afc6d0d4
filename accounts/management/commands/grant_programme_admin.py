from django.core.management.base import BaseCommand, CommandError

from accounts.services import programme_role_grant, user_for_email
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Make an existing account a programme admin. For appointing the first admin of a new installation; "
        "afterwards admins grant roles in the portal. Audited as done by the system."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = user_for_email(email)
            programme_role_grant(actor=None, user=user, kind="programme_admin")
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{user.email} is now a programme admin. They must set up two-factor sign-in.")
