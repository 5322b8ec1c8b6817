"""Text with overlapping spans as well-formed nested HTML.

The text is cut at every span edge and each piece is wrapped in the marks that
cover it, outermost first: a longer span encloses a shorter one, and at equal
ranges a claim encloses a quote, which encloses a figure. A span that crosses
another's edge cannot nest; it is closed there and reopened, its later pieces
marked ``data-part="cont"`` (no ``id``, no tab stop), so ``id`` stays unique and
the concatenated pieces still give exactly the span's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ..model import Layer

LAYER_RANK = {layer: rank for rank, layer in enumerate(Layer)}  # claim outside quote outside figure


@dataclass(frozen=True)
class Mark:
    """A span of a layer (a focusable ``<mark>``), or with ``layer`` None a mention of an attribute (a ``<span>``)."""

    id: str
    layer: Layer | None
    start: int
    end: int
    classes: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)  # further HTML attributes of the first piece and its continuations

    @property
    def tag(self) -> str:
        return "span" if self.layer is None else "mark"

    def open_tag(self, cont: bool) -> str:
        if self.layer is None:
            attrs = {"class": " ".join(("mention", *self.classes))}
        else:
            attrs = {"class": " ".join(("span", self.layer.value, *self.classes)), "data-id": self.id, "data-layer": self.layer.value}
            if cont:
                attrs["data-part"] = "cont"
            else:
                attrs |= {"id": self.id, "data-start": str(self.start), "data-end": str(self.end), "tabindex": "0"}
        attrs |= self.attrs
        return f"<{self.tag} " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"


def _nesting(m: Mark) -> tuple[int, int]:
    return (-m.end, LAYER_RANK.get(m.layer, len(LAYER_RANK)))  # mentions innermost at equal ranges


def render_marked(text: str, marks: list[Mark]) -> str:
    """HTML of ``text`` with every mark (start < end, within the text) as nested pieces."""
    edges = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    starting: dict[int, list[Mark]] = {}
    for m in marks:
        starting.setdefault(m.start, []).append(m)
    out: list[str] = []
    stack: list[Mark] = []
    for here, nxt in zip(edges, edges[1:] + [None], strict=True):
        ending = [i for i, m in enumerate(stack) if m.end == here]
        reopen: list[Mark] = []
        if ending:  # close down to the outermost mark that ends here; the ones above it that go on reopen
            for m in reversed(stack[ending[0] :]):
                out.append(f"</{m.tag}>")
                if m.end > here:
                    reopen.append(m)
            del stack[ending[0] :]
        opening = [(m, True) for m in reopen] + [(m, False) for m in starting.get(here, [])]
        for m, cont in sorted(opening, key=lambda pair: _nesting(pair[0])):
            out.append(m.open_tag(cont))
            stack.append(m)
        if nxt is not None:
            out.append(escape(text[here:nxt], quote=False))
    return "".join(out)
