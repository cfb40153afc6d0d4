from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools register"

    def ready(self):
        from core.pagination import stale_counts_on_write
        from schools.counts import REGISTER_COUNTS
        from schools.models import BasicCommandUnit, LocalAuthority, School

        # Cached list counts of the register go stale on any write (schools/counts.py).
        stale_counts_on_write(REGISTER_COUNTS, School, LocalAuthority, BasicCommandUnit)
