"""What a page needs to show a network: the graph cleared of withheld claims, and its
drawing, with the addresses of the larger page and the downloads."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from .drawing import draw
from .graph import NODE_LIMIT, network_url
from .links import REACH_LIMIT

DOWNLOAD_FORMATS = ("svg", "gexf", "json")


@dataclass
class Picture:
    graph: object
    drawing: object
    node_limit: int = NODE_LIMIT
    reach_limit: int = REACH_LIMIT

    @property
    def parameters(self):
        parameters = {"depth": self.graph.depth}
        if self.graph.as_of:
            parameters["as_of"] = self.graph.as_of.isoformat()
        return parameters

    @property
    def url(self):
        return network_url(self.graph.centre.key, **self.parameters)

    @property
    def page_url(self):
        """The standalone page, larger, and at least two steps out."""
        depth = max(self.graph.depth, 2)
        return network_url(self.graph.centre.key, **{**self.parameters, "depth": depth})

    @property
    def downloads(self):
        query = urlencode({"around": self.graph.centre.key, **self.parameters})
        return {
            file_format: f"{reverse('network_download', args=[file_format])}?{query}"
            for file_format in DOWNLOAD_FORMATS
        }


def picture_of(graph, footnotes):
    """The picture of ``graph`` once claims only unpublished sources back are withheld;
    ``footnotes`` must have been built with ``graph.cited_records()`` among its records."""
    graph.withhold(footnotes)
    return Picture(graph, draw(graph))
