"""Public URLs. Each detail route is named <model>_detail and takes the record's slug."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from investigations.caching import cache_keyed_on
from investigations.feeds import RecentlyUpdatedFeed
from investigations.sitemaps import SITEMAPS

from . import data, details, files, health, lists, network, pages, search, standards

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("search/", search.search, name="search"),
    path("organisations/", lists.organisation_list, name="organisation_list"),
    path("contracts/", lists.contract_list, name="contract_list"),
    path("concerns/", lists.concern_list, name="concern_list"),
    path("people/", lists.person_list, name="person_list"),
    path("sources/", lists.source_list, name="source_list"),
    path("sites/", lists.site_list, name="site_list"),
    path("frameworks/", lists.framework_list, name="framework_list"),
    path("data/", data.data_page, name="data"),
    path("data/dumps/<str:date>/<str:name>", data.dump_file, name="dump_file"),
    path("organisations/<slug:slug>/", details.organisation_detail, name="organisation_detail"),
    path("people/<slug:slug>/", details.person_detail, name="person_detail"),
    path("sites/<slug:slug>/", details.site_detail, name="site_detail"),
    path("frameworks/<slug:slug>/", details.framework_detail, name="framework_detail"),
    path("contracts/<slug:slug>/", details.contract_detail, name="contract_detail"),
    path("concerns/<slug:slug>/", details.concern_detail, name="concern_detail"),
    path("sources/<slug:slug>/", details.source_detail, name="source_detail"),
    path("sources/<slug:slug>/file/", files.source_file, name="source_file"),
    # One record in the standards' formats (views/standards.py).
    path(
        "organisations/<slug:slug>/ftm.jsonl", standards.organisation_ftm, name="organisation_ftm"
    ),
    path(
        "organisations/<slug:slug>/ocds.json", standards.organisation_ocds, name="organisation_ocds"
    ),
    path("people/<slug:slug>/ftm.jsonl", standards.person_ftm, name="person_ftm"),
    path("sites/<slug:slug>/ftm.jsonl", standards.site_ftm, name="site_ftm"),
    path("contracts/<slug:slug>/ftm.jsonl", standards.contract_ftm, name="contract_ftm"),
    path("contracts/<slug:slug>/ocds.json", standards.contract_ocds, name="contract_ocds"),
    path("network/", network.network_page, name="network"),
    re_path(
        r"^network/download\.(?P<file_format>svg|gexf|json)$",
        network.network_download,
        name="network_download",
    ),
    path("feed/", cache_keyed_on()(RecentlyUpdatedFeed()), name="feed"),
    # "p" is the sitemap's page number.
    path("sitemap.xml", cache_keyed_on("p")(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
