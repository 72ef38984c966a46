"""Throttling of API requests, with the limit and what remains in the headers.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]`` (settings: API_RATE_LIMIT),
read on each request rather than once at import, so that a change of settings applies. The
client is told apart by its address as django-axes tells it (REST_FRAMEWORK NUM_PROXIES is
TRUSTED_PROXIES). A refused request gets 429 and a Retry-After header, as DRF answers it.

It is a middleware before the page cache, not DRF's per-view throttle: a list answered from
the cache is then counted like any other, and its headers are this reader's, not those of
whoever's request the cache kept.
"""

from django.core.cache import caches
from django.http import JsonResponse
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

API_PREFIX = "/api/"


class AnonymousRateThrottle(AnonRateThrottle):
    @property
    def cache(self):
        return caches["throttle"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        """Every API reader is anonymous (the API authenticates no one): by address."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class RateLimitMiddleware:
    """Throttles every request under /api/ and tells it X-RateLimit-Limit and
    X-RateLimit-Remaining."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        throttle = AnonymousRateThrottle()
        if throttle.allow_request(request, None):
            response = self.get_response(request)
        else:
            response = refused(throttle.wait())
        remaining = max(0, throttle.num_requests - len(throttle.history))
        response["X-RateLimit-Limit"] = str(throttle.num_requests)
        response["X-RateLimit-Remaining"] = str(remaining)
        return response


def refused(wait):
    refusal = Throttled(wait)
    response = JsonResponse({"detail": str(refusal.detail)}, status=refusal.status_code)
    response["Retry-After"] = str(refusal.wait)
    return response
