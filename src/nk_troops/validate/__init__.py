"""The validator: a release folder, a documents/spans pair or a predictions file -> incidents."""

from .run import Inputs, Report, release_inputs, validate, validate_predictions

__all__ = ["Inputs", "Report", "release_inputs", "validate", "validate_predictions"]
