import os

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

from investigations.wsgi import application  # noqa: E402,F401
