from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools register"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from schools.counts import register_changed
        from schools.models import BasicCommandUnit, LocalAuthority, School

        # Cached list counts of the register go stale on any write (schools/counts.py).
        for model in (School, LocalAuthority, BasicCommandUnit):
            post_save.connect(register_changed, sender=model, dispatch_uid=f"register-counts-save-{model.__name__}")
            post_delete.connect(register_changed, sender=model, dispatch_uid=f"register-counts-delete-{model.__name__}")
