"""Rule baselines: behaviour on small hand-made documents, valid output, and a results table that cannot go stale."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from nk_troops.baselines import BASELINES, figures_quantulum3, render_predictions, run
from nk_troops.baselines.common import Doc, load_inputs
from nk_troops.baselines.figures_rules import predict as figures
from nk_troops.baselines.quotes_rules import predict as quotes
from nk_troops.evaluate import check_predictions
from nk_troops.model import Entity, EntityType, span_to_row
from nk_troops.paths import release_dir

ROOT = Path(__file__).resolve().parents[1]


def doc(text: str) -> Doc:
    return Doc("nk000", 0, text, "2024-10-18", ((0, len(text), "paragraph"),), ((0, len(text)),))


@pytest.mark.parametrize(
    ("text", "surface", "value", "qualifier"),
    [
        ("It sent about 1,500 soldiers.", "1,500", 1500.0, "approximate"),
        ("It formed up to 3,000 troops.", "3,000", 3000.0, "upper_bound"),
        ("It sent more than 12,000 troops.", "12,000", 12000.0, "lower_bound"),
        ("It has 1.2 million personnel.", "1.2 million", 1200000.0, "exact"),
        ("Six North Koreans died.", "Six", 6.0, "exact"),
    ],
)
def test_figures_value_and_qualifier(text, surface, value, qualifier) -> None:
    (fig,) = figures(doc(text))
    assert (fig.text, fig.value, fig.qualifier.value, fig.kind.value) == (surface, value, qualifier, "count")


def test_figures_dates_and_ordinals() -> None:
    found = {
        f.text: f
        for f in figures(
            doc(
                "Ships sailed between October 8 and 13, after the April 15, 2012 parade, the 1950-53 war, "
                "a strike on Oct. 3 and the fourth largest army, one of many."
            )
        )
    }
    assert set(found) == {"October 8 and 13", "April 15, 2012", "1950-53", "Oct. 3", "fourth"}  # "one of" is a pronoun
    assert (found["October 8 and 13"].normalized, found["October 8 and 13"].year_inferred) == ("2024-10-08/2024-10-13", True)
    assert (found["April 15, 2012"].normalized, found["April 15, 2012"].year_inferred) == ("2012-04-15", False)
    assert found["1950-53"].normalized == "1950/1953" and found["Oct. 3"].normalized == "2024-10-03"
    assert (found["fourth"].kind.value, found["fourth"].value) == ("ordinal", 4.0)


def test_quantulum3_figures_in_the_release_shape() -> None:
    text = (
        "About 1,500 troops left on October 8 and 13 for 100 years, the fourth largest army with up to 1.2 million "
        "personnel, 10,000 to 12,000 soldiers, 3 percent and a third country."
    )
    found = {f.text: f for f in figures_quantulum3.predict(doc(text))}
    assert list(found) == ["1,500", "October 8 and 13", "100", "fourth", "1.2 million", "10,000 to 12,000", "3 percent", "third"]
    attrs = {t: (f.kind.value, f.value, f.value_max, f.qualifier.value) for t, f in found.items()}
    assert attrs["1,500"] == ("count", 1500.0, None, "approximate")
    assert attrs["100"] == ("duration", 100.0, None, "exact") and found["100"].unit == "years"  # the unit is not in the span
    assert attrs["1.2 million"] == ("count", 1200000.0, None, "upper_bound")
    assert attrs["10,000 to 12,000"] == ("count", 10000.0, 12000.0, "exact")
    assert attrs["3 percent"][:2] == ("percent", 3.0)
    assert (attrs["fourth"][:2], attrs["third"][:2]) == (("ordinal", 4.0), ("ordinal", 3.0))  # quantulum3 says 0.25 and 1/3
    date = found["October 8 and 13"]
    assert (date.kind.value, date.value, date.normalized, date.year_inferred) == ("date", None, "2024-10-08/2024-10-13", True)


def test_quantulum3_classifier_warning_is_silenced_only_in_the_call(monkeypatch) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] == "quantulum3"]:  # a fresh import warns again
        monkeypatch.delitem(sys.modules, name)
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures_quantulum3.predict(doc("Six soldiers."))
        assert caught == [] and warnings.filters[1:] == before  # simplefilter added one filter; the call left none behind


def test_quotes_content_cue_and_speaker() -> None:
    text = "“We are watching,” said Koo Byoung-sam. Peskov called it “fake news.”"
    entities = [
        Entity("koo-byoung-sam", "Koo Byoung-sam", EntityType.PERSON, ("Koo Byoung-sam",)),
        Entity("dmitry-peskov", "Dmitry Peskov", EntityType.PERSON, ("Peskov",)),
    ]
    d = Doc("nk000", 0, text, "2024-10-18", ((0, len(text), "paragraph"),), ((0, 39), (40, len(text))))
    first, second = quotes(d, entities)
    assert (first.text, first.quote_type.value, first.speaker) == ("We are watching", "direct", "koo-byoung-sam")
    assert text[first.cue_span.start : first.cue_span.end] == "said"
    assert (second.text, second.quote_type.value, second.speaker) == ("fake news", "partial", "dmitry-peskov")


def test_every_baseline_writes_predictions_the_scorer_accepts(tmp_path) -> None:
    docs, entities = load_inputs(release_dir())
    spans = run(list(BASELINES), docs, entities)
    assert {sp.layer.value for sp in spans} == {"claim", "quote", "figure"}
    pred = tmp_path / "pred.jsonl"
    pred.write_text(render_predictions(spans), encoding="utf-8")
    rows, incidents = check_predictions(pred, release_dir())
    assert incidents == [] and rows == [span_to_row(sp) for sp in spans]
    assert len({sp.id for sp in spans}) == len(spans)  # two figure baselines in one run share no id
    for claim in (sp for sp in spans if sp.layer.value == "claim"):  # members of a claim lie inside it
        members = [sp for sp in spans if sp.id in (*claim.figures, *claim.quotes) and sp.doc_id == claim.doc_id]
        assert all(claim.start <= m.start and m.end <= claim.end for m in members)
