from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Investigations — curation"
admin.site.site_title = "Investigations admin"
admin.site.index_title = "Records, sources and citations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("investigations.views.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
