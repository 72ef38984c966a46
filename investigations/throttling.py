"""Who is signing in, for django-axes' lockouts (settings: "Login throttling").

Behind a reverse proxy every request comes from the proxy's address, so an address
lockout would lock everyone out at once. TRUSTED_PROXIES says how many proxies stand in
front of the site; the client is then the address that many hops from the right of
X-Forwarded-For, which is the one the nearest proxy saw and a client cannot forge.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_address(request):
    proxies = settings.TRUSTED_PROXIES
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: what happened, for how long, what to do."""
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
