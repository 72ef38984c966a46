"""Hostile Markdown in any prose field renders inert."""

import pytest
from django.apps import apps

from investigations.prose import render_markdown
from tests import factories

HOSTILE = """A paragraph.[^a]

<script>alert("script")</script>

<img src="x" onerror="alert('onerror')">

[a link](javascript:alert('link')) and <a href="javascript:alert('raw')">raw</a>

<p onclick="alert('click')" style="color:red">styled</p>
"""
FORBIDDEN = ("<script", "onerror", "javascript:", "onclick", "<img", "style=")


def prose_fields():
    return [
        (model, field)
        for model in apps.get_app_config("investigations").get_models()
        for field in getattr(model, "prose_fields", ())
    ]


def test_it_knows_the_prose_fields_of_the_main_records():
    found = {(model.__name__, field) for model, field in prose_fields()}
    assert {
        ("Organisation", "summary"),
        ("ProfileSection", "body"),
        ("Contract", "description"),
    } <= found


@pytest.mark.parametrize(
    ("model", "field"), prose_fields(), ids=lambda v: getattr(v, "__name__", v)
)
def test_it_renders_hostile_markdown_inert(db, model, field):
    record = factories.make_one_of_each()[model]
    model.objects.filter(pk=record.pk).update(**{field: HOSTILE})
    record.refresh_from_db()
    html = render_markdown(getattr(record, field), render_marker=lambda key: f"<sup>{key}</sup>")
    for forbidden in FORBIDDEN:
        assert forbidden not in html.lower(), (model.__name__, field, forbidden)
    assert "A paragraph.<sup>a</sup>" in html  # the prose itself survives
