"""The rules, one module per family; importing this package registers every rule (``registry.RULES``)."""

from . import documents, figures, references, release, spans, tokens  # noqa: F401
