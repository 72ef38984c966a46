"""Throttling of anonymous API requests, with the limit and what remains in the headers.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]`` (settings: API_RATE_LIMIT),
read on each request rather than once at import, so that a change of settings applies. The
client is told apart by its address as django-axes tells it (REST_FRAMEWORK NUM_PROXIES is
TRUSTED_PROXIES). A refused request gets 429 and DRF's Retry-After header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        history = getattr(self, "history", None)
        if history is not None:
            request.rate_limit = (self.num_requests, max(0, self.num_requests - len(history)))
        return allowed


class RateLimitHeaders:
    """A view mixin: X-RateLimit-Limit and X-RateLimit-Remaining on every response."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate_limit = getattr(request, "rate_limit", None)
        if rate_limit is not None:
            response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"] = map(str, rate_limit)
        return response
