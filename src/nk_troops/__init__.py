"""nk-troops: five October 2024 news articles with claim, quote and figure spans."""

from .paths import load
from .version import __version__

__all__ = ["__version__", "load"]
