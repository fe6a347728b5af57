from personnel.scope import RequestScopeCache


class ScopeCacheMiddleware:
    """Caches each user's scope for the length of one request (and no longer, so a role
    granted or expired takes effect on the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with RequestScopeCache():
            return self.get_response(request)
