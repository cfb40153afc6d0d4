from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.figures import collect_figure_sources, figures_stale

        from .summaries import days_changed, figures_changed

        # The summary rows follow every write that changes a programme's per-school figures (insights.summaries).
        figures_stale.connect(figures_changed, dispatch_uid="insights.figures_stale")
        saved_or_deleted, deleted = collect_figure_sources()
        for model in saved_or_deleted:
            for signal, kind in ((post_save, "save"), (post_delete, "delete")):
                uid = f"insights.figures:{kind}:{model.__name__}"
                signal.connect(figures_changed, sender=model, weak=False, dispatch_uid=uid)
        for model in deleted:  # additions are counted live after the day rows' day: only deletes change past days
            post_delete.connect(days_changed, sender=model, weak=False, dispatch_uid=f"insights.days:{model.__name__}")
