from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.figures import collect_figure_sources, figures_stale

        from .summaries import figures_changed

        # The summary rows follow every write that changes a programme's per-school figures (insights.summaries).
        figures_stale.connect(figures_changed, dispatch_uid="insights.figures_stale")
        for model in collect_figure_sources():
            for signal, kind in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(
                    figures_changed, sender=model, weak=False, dispatch_uid=f"insights.figures:{kind}:{model.__name__}"
                )
