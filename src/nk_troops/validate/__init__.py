"""The validator: a release folder, a documents/spans pair or a predictions file -> incidents."""

from pathlib import Path

from .run import Inputs, Report, release_inputs, validate, validate_predictions


# PROVISIONAL SHIM (helper b13, issue 13): v12 provides the real ``check_release``; the lead takes v12's at merge.
def check_release(folder: Path) -> Report:
    return validate(release_inputs(folder))


__all__ = ["Inputs", "Report", "check_release", "release_inputs", "validate", "validate_predictions"]
