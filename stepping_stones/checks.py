"""System checks for Stepping Stones settings (registered in apps.ready() when the app config imports this module)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def retention_months_setting(app_configs, **kwargs):
    """STEPPING_STONES_RETENTION_MONTHS, when set, must be a whole number of months, at least 1."""
    value = getattr(settings, "STEPPING_STONES_RETENTION_MONTHS", None)
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return [
            Error(
                "STEPPING_STONES_RETENTION_MONTHS must be a whole number of months, 1 or more.",
                hint="Unset it to use the default of 24 months after the cohort ends.",
                id="stepping_stones.E001",
            )
        ]
    return []


@register()
def offer_expiry_setting(app_configs, **kwargs):
    """STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS, when set, must be a whole number of school days, at least 1."""
    value = getattr(settings, "STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS", None)
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return [
            Error(
                "STEPPING_STONES_OFFER_EXPIRY_SCHOOL_DAYS must be a whole number of school days, 1 or more.",
                hint="Unset it to use the default of 10 school days to confirm a place offered from the waiting list.",
                id="stepping_stones.E002",
            )
        ]
    return []
