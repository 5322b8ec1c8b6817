"""Baselines to beat: rules written with the texts in view, and trained models scored leave one document out.

The rules (``BASELINES``, run by ``nk-troops baseline NAME``) write predictions in
the scorer's format; the trained baselines (``crf``, ``speakers``, ``checkworthy``,
``clustering``) are run and scored per fold by ``results``, with the rules, for the
results table.

``BASELINES`` maps a rule baseline's name to (layer, predict function). A run over
several baselines also fills each predicted claim's ``figures`` and ``quotes`` with
the predicted spans of the same run that lie inside it, as the release does, and
numbers the ids per document and layer over the whole run.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence

from ..model import Claim, Entity, Figure, Layer, Quote, Span, span_to_row
from ..release.write import render_jsonl
from . import claims_rules, figures_quantulum3, figures_rules, quotes_rules
from .common import Doc, make_id

BASELINES: dict[str, tuple[Layer, Callable[[Doc, list[Entity]], list[Span]]]] = {
    "figures-rules": (Layer.FIGURE, lambda doc, _entities: figures_rules.predict(doc)),
    "figures-quantulum3": (Layer.FIGURE, lambda doc, _entities: figures_quantulum3.predict(doc)),
    "quotes-rules": (Layer.QUOTE, quotes_rules.predict),
    "claims-rules": (Layer.CLAIM, claims_rules.predict),
}
RULES = ("figures-rules", "quotes-rules", "claims-rules")  # `all`: one baseline per layer, so a run scores like a system


def run(names: Sequence[str], docs: list[Doc], entities: list[Entity]) -> list[Span]:
    """Predicted spans of the named baselines over every document."""
    spans: list[Span] = []
    for doc in docs:
        found, numbers = [], Counter[Layer]()
        for sp in (sp for name in names for sp in BASELINES[name][1](doc, entities)):
            numbers[sp.LAYER] += 1  # numbered over the run: two baselines of one layer never share an id
            found.append(dataclasses.replace(sp, id=make_id(doc.doc_id, sp.LAYER, numbers[sp.LAYER])))
        figures, quotes = [sp for sp in found if isinstance(sp, Figure)], [sp for sp in found if isinstance(sp, Quote)]
        for sp in found:
            if isinstance(sp, Claim):
                inside = lambda others, c=sp: tuple(o.id for o in others if c.start <= o.start and o.end <= c.end)  # noqa: E731
                sp = dataclasses.replace(sp, figures=inside(figures), quotes=inside(quotes))
            spans.append(sp)
    return spans


def render_predictions(spans: list[Span]) -> str:
    """JSONL in the release's flat span shape, one span per line."""
    return render_jsonl([span_to_row(sp) for sp in spans]).decode("utf-8")
