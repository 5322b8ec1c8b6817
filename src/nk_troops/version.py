"""The release version: the one place it is written (pyproject reads it, the build copies it into the card)."""

__version__ = "1.0.0"
RELEASE_DATE = "2026-11-23"  # the day this version was released; set together with __version__
