from django.conf import settings

from .navigation import navigation_items, schools_section_active


def service(request):
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "FEEDBACK_URL": settings.FEEDBACK_URL,
        "navigation": lambda: navigation_items(request),
        "schools_section_active": lambda: schools_section_active(request),
    }
