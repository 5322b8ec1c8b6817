"""``python -m nk_troops``: the ``nk-troops`` command."""

import sys

from .cli import main

sys.exit(main())
