import pytest

from tests import factories


@pytest.fixture
def researcher(db):
    return factories.make_researcher()


@pytest.fixture
def editor(db):
    return factories.make_editor()


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every test makes users; the production hasher's million rounds cost half a second
    each, which is most of the suite's time and tests nothing about passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets an empty in-memory cache, so no page cached by one test leaks into
    another, and tests never touch the development server's cache directory."""
    in_memory = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {
        "default": {**in_memory, "LOCATION": "pages"},
        "throttle": {**in_memory, "LOCATION": "throttle"},
    }
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    """Background tasks run inline, inside the request that enqueues them; a test of the
    worker itself puts the database backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def unthrottled_api(settings):
    """Room for every API request a test makes (a crawl makes hundreds); the throttling
    tests set a rate of their own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute"},
    }
