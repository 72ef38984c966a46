import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investigations.settings")
application = get_wsgi_application()
# What loading made (Django, the app, its settings) lives as long as the process. Frozen,
# it is left out of the collector's full collections, which otherwise walk all of it each
# time: at a million contracts one stopped a page for 100 to 200 ms.
gc.freeze()
