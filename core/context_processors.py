from django.conf import settings

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "nav_items": items_for(user),
        "current_url_name": f"{match.namespace}:{match.url_name}" if match and match.namespace
        else (match.url_name if match else ""),
        "cabinet_name": settings.CABINET_NAME,
    }
