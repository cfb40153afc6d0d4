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
        saved_or_deleted, deleted = collect_figure_sources()
        for signals, models in (((post_save, post_delete), saved_or_deleted), ((post_delete,), deleted)):
            for model in models:
                for signal in signals:
                    uid = f"insights.figures:{signal is post_save}:{model.__name__}"
                    signal.connect(figures_changed, sender=model, weak=False, dispatch_uid=uid)
