"""The span-count figure (``dataset/span_counts.png``): spans per layer per document.

Rendered with the Agg backend at a fixed size and dpi and without the software
and date metadata matplotlib would stamp, so the PNG is byte-identical on rebuild.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ..model import Layer

if TYPE_CHECKING:
    from .assemble import Release

COLOURS = {Layer.CLAIM: "#4477aa", Layer.QUOTE: "#ee6677", Layer.FIGURE: "#228833"}


def render_span_counts(release: Release) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    doc_ids = [d.doc_id for d in release.documents]
    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    width = 0.8 / len(Layer)
    for i, layer in enumerate(Layer):
        counts = [len(getattr(release.annotations[d], f"{layer.value}s")) for d in doc_ids]
        xs = [x + (i - (len(Layer) - 1) / 2) * width for x in range(len(doc_ids))]
        ax.bar(xs, counts, width, label=f"{layer.value}s", color=COLOURS[layer])
    ax.set_xticks(range(len(doc_ids)), doc_ids)
    ax.set_ylabel("spans")
    ax.set_title("Spans per layer and document")
    ax.legend(frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
