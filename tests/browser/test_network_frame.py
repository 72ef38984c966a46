"""A network picture, as a reader's browser shows it, has every record inside its frame."""

import pytest

from tests.browser.test_accessibility import demo_page

pytestmark = pytest.mark.django_db
__all__ = ["demo_page"]

# Small pictures (two to five records, the contract at a corner) and a large one.
PAGES = [
    "/contracts/london-adult-mri-service/",
    "/contracts/any-qualified-provider-accreditation-alliance-medical/",
    "/contracts/clacton-community-diagnostic-centre/",
    "/sites/taunton-community-diagnostic-centre/",
]


def inside(box, frame):
    return (
        box["x"] >= frame["x"]
        and box["y"] >= frame["y"]
        and box["x"] + box["width"] <= frame["x"] + frame["width"]
        and box["y"] + box["height"] <= frame["y"] + frame["height"]
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_record_in_the_picture_shows_inside_its_frame(demo_page, no_page_cache, path):
    demo_page.goto(path)
    canvas = demo_page.locator(".network-canvas")
    canvas.scroll_into_view_if_needed()
    frame = canvas.bounding_box()
    for node in demo_page.locator("svg.network-graph g.nodes a path").all():
        box = node.bounding_box()
        assert inside(box, frame), (path, node.get_attribute("transform"), box, frame)
