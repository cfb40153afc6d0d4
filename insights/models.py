"""The summary rows of the cross-programme figures (insights.summaries): each programme's per-school figures
(core.figures `school_figures`), kept current by the worker, so that the dashboard, the map, the open figures and a
borough's schools sum a few thousand rows instead of aggregating every request and assignment on each view."""

from django.db import models


class FigureCount(models.Model):
    """One programme figure of one school, as its programme's `figures.py` computed it (non-zero values only)."""

    figure = models.CharField(max_length=40)  # "wands.taken_up", "wands.delivered", "officers.covered"
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["figure", "school"], name="insights_figure_count_unique")]

    def __str__(self) -> str:
        return f"{self.figure} {self.school_id}: {self.value}"


class BoroughDayCount(models.Model):
    """One programme figure of one borough on one day (Europe/London), for the days before the summaries were built;
    what happened since is counted live (a day or less of rows). `la_code` is None for rows with no borough."""

    figure = models.CharField(max_length=40)  # "toolkit.downloads"
    la_code = models.IntegerField(null=True)
    day = models.DateField()
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["figure", "day"], name="insights_borough_day_idx")]

    def __str__(self) -> str:
        return f"{self.figure} {self.la_code} {self.day}: {self.value}"


class SummaryState(models.Model):
    """One row: when the summaries were last built, and whether a refresh is waiting for the worker."""

    built_at = models.DateTimeField(null=True)
    days_built_on = models.DateField(null=True)  # the day rows hold every whole day before this one
    days_stale = models.BooleanField(default=False)  # a past day changed (a download deleted): rebuild the day rows
    refresh_requested_at = models.DateTimeField(null=True)  # set when a refresh is enqueued, cleared when it starts

    def __str__(self) -> str:
        return f"built {self.built_at}"
