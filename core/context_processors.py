from django.conf import settings

from .navigation import navigation_items


def service(request):
    return {"SERVICE_NAME": settings.SERVICE_NAME, "navigation": lambda: navigation_items(request)}
