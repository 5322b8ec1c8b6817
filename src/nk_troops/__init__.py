"""nk-troops: five October 2024 news articles with claim, quote and figure spans.

The public API:

- ``load(config, **kwargs)``: a config of the installed release via ``datasets.load_dataset``
  (splits ``test`` and ``fold<k>_train`` / ``fold<k>_test``); ``folds(config)`` yields the five
  leave-one-document-out (train, test) pairs; ``release_dir()`` is the folder itself.
- ``validate(source, gold=None)``: the incidents of a release folder or of predicted spans.
- ``evaluate(predictions, gold=None, layers=None, folds=None)``: the typed score report.
- ``encode_bio`` / ``decode_bio``: spans to BIO tags over tokens and back.
- ``SpansModel``, ``SentencesModel``, ``PredictionsModel``, ``DocumentsModel``: pandera models.

``import nk_troops`` stays light: ``datasets``, pandas, pandera and pyarrow are imported
by the functions that need them, never here.
"""

from importlib import import_module
from typing import Any

from .bio import decode_bio, encode_bio
from .paths import folds, load, release_dir
from .version import __version__

_MODELS = ("DocumentsModel", "PredictionsModel", "SentencesModel", "SpansModel")
__all__ = ["__version__", "decode_bio", "encode_bio", "evaluate", "folds", "load", "release_dir", "validate", *_MODELS]


def __getattr__(name: str) -> Any:
    if name in ("validate", "evaluate"):  # callable subpackages (api.callable_package)
        return import_module(f".{name}", __name__)
    if name in _MODELS:
        return getattr(import_module(".frames", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
