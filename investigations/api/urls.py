"""/api/: the API root, a list and a detail for each resource, the OpenAPI schema and its
browsable documentation."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from .links import RESOURCE_MODELS, prefix
from .views import VIEWSETS

app_name = "api"


class Root(APIRootView):
    """The list of resources, each with the address of its list."""


class Documentation(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files; its start-up script is a second request to
    this address (``?script``), not inline, so the page keeps to the site's CSP."""

    template_name = "api/documentation.html"
    url_name = "api:schema"


router = DefaultRouter()
router.APIRootView = Root
for model in RESOURCE_MODELS:
    router.register(prefix(model), VIEWSETS[model], basename=model._meta.model_name)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's stylesheet draws its icons as data: images; nothing else is loosened.
    path(
        "docs/",
        csp_update({"img-src": [SELF, "data:"]})(Documentation.as_view()),
        name="docs",
    ),
    *router.urls,
]
