"""``nk-troops view``: the release as a static site, spans drawn in the text (``render_site``, ``publish``)."""

from .data import read_diff, read_view
from .pages import render_site
from .publish import publish

__all__ = ["publish", "read_diff", "read_view", "render_site"]
