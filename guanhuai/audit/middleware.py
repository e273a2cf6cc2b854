from django.conf import settings

from .context import reset_ip, set_ip


def client_ip(request) -> str:
    """The address of the person at the keyboard, for audit events and login throttling.

    Behind N reverse proxies (TRUSTED_PROXY_COUNT = N), each proxy appends the
    address it saw to X-Forwarded-For, so the client is the N-th entry from the
    right; anything further left was written by the client and can be forged.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count][:64]
    return (request.META.get("REMOTE_ADDR", "") or "")[:64]


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)
