"""The release version: the one place it is written (pyproject reads it, the build copies it into the card)."""

__version__ = "2.0.0"
RELEASE_DATE = "2026-12-01"  # the day this version was released; set together with __version__
