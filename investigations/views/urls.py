"""Public URLs. Each detail route is named <model>_detail and takes the record's slug."""

from django.urls import path

from . import public

urlpatterns = [
    path("", public.home, name="home"),
    path("organisations/<slug:slug>/", public.placeholder, name="organisation_detail"),
    path("people/<slug:slug>/", public.placeholder, name="person_detail"),
    path("sites/<slug:slug>/", public.placeholder, name="site_detail"),
    path("frameworks/<slug:slug>/", public.placeholder, name="framework_detail"),
    path("contracts/<slug:slug>/", public.placeholder, name="contract_detail"),
    path("concerns/<slug:slug>/", public.placeholder, name="concern_detail"),
    path("sources/<slug:slug>/", public.placeholder, name="source_detail"),
]
