from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Investigations — curation"
admin.site.site_title = "Investigations admin"
admin.site.index_title = "Records, sources and citations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("investigations.api.urls")),
    # Sources' files are served by views/files.py, which checks publication; MEDIA_URL is not.
    path("", include("investigations.views.urls")),
]
