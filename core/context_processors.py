from django.conf import settings

from .navigation import navigation_items


def service(request):
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "FEEDBACK_URL": settings.FEEDBACK_URL,
        "navigation": lambda: navigation_items(request),
    }
