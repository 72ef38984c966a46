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
