"""Every record a network picture draws lies inside the picture's frame."""

import re

import pytest
from django.core.management import call_command

from investigations import models
from investigations.network.drawing import R

pytestmark = pytest.mark.django_db

NODE = re.compile(r'<path transform="translate\(([-\d.]+) ([-\d.]+)\) scale\(([\d.]+)\)"')


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def nodes_outside_the_frame(page):
    [svg] = re.findall(r'<svg xmlns[^>]*class="network-graph".*?</svg>', page, re.S)
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    nodes = svg[svg.index('<g class="nodes">') :]
    outside = []
    for x, y, scale in NODE.findall(nodes):
        radius = R * float(scale)
        x, y = float(x), float(y)
        if not (radius <= x <= width - radius and radius <= y <= height - radius):
            outside.append((x, y))
    return outside


def test_every_contract_page_draws_each_record_inside_the_picture(client):
    call_command("load_demo_data", verbosity=0)
    for contract in models.Contract.objects.published():
        page = client.get(contract.get_absolute_url()).content.decode()
        if 'class="network-graph"' in page:
            assert nodes_outside_the_frame(page) == [], contract.slug
