"""Two spans of one layer never overlap (ANNOTATION_SPEC.md section 5); vectorised with numpy."""

from __future__ import annotations

import numpy as np

from ...incidents import Incident
from ...model import Layer
from .context import Corpus, Table, incident


def check(t: Table, corpus: Corpus, file: str) -> list[Incident]:
    """Each span (of a known document, in range) that starts before an earlier span of its (document, layer) has ended."""
    n = len(t["line"])
    if n < 2:
        return []
    group = t.doc_index(corpus) * (len(Layer) + 1) + t.layer_code + 1
    start, end = t.ints("start"), t.ints("end")
    if start is None or end is None:  # in range, so integers, if not all plain ones (True)
        start, end = (np.fromiter(t[c], dtype=np.int64, count=n) for c in ("start", "end"))
    order = np.lexsort((end, start, group))
    # shift each group past the previous one so one running maximum serves every group
    shift = group[order] * (int(end.max()) + 1)
    s, e = start[order] + shift, end[order] + shift
    reach = np.maximum.accumulate(e)
    hits = np.nonzero(s[1:] < reach[:-1])[0] + 1
    out = []
    for i in hits.tolist():
        row = int(order[i])
        prev = int(order[i - 1])  # the span it overlaps may be earlier still; name the nearest
        out.append(
            incident(
                "layer-overlap",
                file,
                t["line"][row],
                [t["start"][row], t["end"][row]],
                f"after {t['id'][prev]} ends ({t['end'][prev]})",
                doc_id=t["doc_id"][row],
                span_id=t["id"][row],
                start=t["start"][row],
                end=t["end"][row],
            )
        )
    return out
