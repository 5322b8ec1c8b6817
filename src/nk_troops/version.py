"""The release version: the one place it is written (pyproject reads it, the build copies it into the card)."""

__version__ = "1.0.0"
