"""The Hugging Face dataset card (``dataset/README.md``): YAML metadata, then the prose.

Configs and their features come from ``schemas`` (``features_yaml``, no ``datasets``
import); each config's splits point at its Parquet files (``release/parquet.py``).
Every config carries the version and the content hash (in its ``description``),
which enter the cache key the datasets library computes from the card, so changed
data never reuses an old cache entry.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..paths import CONFIGS, DEFAULT_CONFIG, FOLDS, LICENCE, parquet_file, splits
from ..schemas import features_yaml
from ..text import markdown_table
from ..version import __version__

# five documents are too few for train/dev/test: ``test`` holds every row, and the
# fold<k>_train / fold<k>_test splits are the leave-one-document-out folds
LICENCE_NAME = "nk-troops-annotations-cc-by-4.0-texts-publishers-copyright"

PRETTY_NAME = "nk-troops: claims, quotes and figures in five news articles on North Korean troops in Russia (October 2024)"
METADATA: dict[str, Any] = {
    "pretty_name": PRETTY_NAME,
    "license": "other",  # two terms: the annotations CC BY 4.0, the article texts the publishers' copyright
    "license_name": LICENCE_NAME,
    "license_link": LICENCE,
    "language": ["en"],
    "multilinguality": ["monolingual"],
    "language_creators": ["found"],
    "annotations_creators": ["machine-generated"],  # two AI annotation passes, adjudicated (DATASHEET.md)
    "source_datasets": ["original"],
    "size_categories": ["n<1K"],
    "task_categories": ["token-classification", "text-classification"],
    "task_ids": ["fact-checking"],
    "tags": [
        "claim-detection",
        "check-worthiness",
        "quotation-attribution",
        "numeral-extraction",
        "span-annotation",
        "news",
        "fact-checking",
    ],
}
DESCRIPTIONS = {
    "documents": "one row per article: text, passages, provenance, and its claims, quotes, figures and sentences",
    "spans": "one row per span, flat: every attribute a column, null where the layer has none",
    "sentences": "one row per sentence: the claim ids inside it, or why it holds none (check-worthiness)",
    "tokens": "one row per sentence: tokens, their offsets and a BIO tag sequence per layer",
    "entities": "the registry of speakers and claimants",
    "clusters": "claims stating the same proposition across the articles, with conflicts",
}


def config_description(config: str, digest: str) -> str:
    return f"{DESCRIPTIONS[config]} (nk-troops {__version__}, content sha256 {digest})"


def _dataset_info(config: str, sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The card's ``dataset_info`` of a config, as ``DatasetInfo._to_yaml_dict`` writes it; sizes are Arrow bytes."""
    split_infos = [{"name": split, "num_bytes": nbytes, "num_examples": n} for split, (n, nbytes) in sizes.items()]
    return {
        "features": features_yaml(config),
        "config_name": config,
        "splits": split_infos,
        "dataset_size": sum(nbytes for _, nbytes in sizes.values()),
    }


def card_metadata(sizes: dict[str, dict[str, tuple[int, int]]], digest: str) -> dict[str, Any]:
    configs = []
    for config in CONFIGS:
        entry: dict[str, Any] = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry |= {
            "data_files": [{"split": split, "path": parquet_file(config, split)} for split in splits(config)],
            "version": __version__,
            "description": config_description(config, digest),
        }
        configs.append(entry)
    infos = [_dataset_info(c, sizes[c]) for c in CONFIGS]
    return {**METADATA, "version": __version__, "content_sha256": digest, "configs": configs, "dataset_info": infos}


def render_card(sizes: dict[str, dict[str, tuple[int, int]]], digest: str, results: str | None = None, screenshot: bool = False) -> str:
    """The card from each config's split sizes (``release.parquet.render_parquet``), the content hash, the
    baseline results table (``results/baselines.md``, written by ``nk-troops baseline --results --write``)
    and whether the release carries the viewer's screenshot."""
    meta = yaml.safe_dump(card_metadata(sizes, digest), sort_keys=False, allow_unicode=True, width=1000)
    body = BODY.format(version=__version__, digest=digest, pretty=PRETTY_NAME, last=FOLDS - 1, configs=_config_table(sizes))
    extra = VIEWER.format(screenshot=SCREENSHOT) if screenshot else ""
    extra += RESULTS.format(table=results.strip()) if results else ""
    return f"---\n{meta}---\n\n" + body.replace("\n## Licence\n", f"\n{extra}## Licence\n", 1)


def _config_table(sizes: dict[str, dict[str, tuple[int, int]]]) -> str:
    """The card's table of configs: rows (of ``test``, which holds every row) and ``DESCRIPTIONS``."""
    rows = [[f"`{c}`{' (default)' if c == DEFAULT_CONFIG else ''}", sizes[c]["test"][0], DESCRIPTIONS[c]] for c in CONFIGS]
    return markdown_table(["config", "rows", "what"], rows, "lrl")


SCREENSHOT = "viewer.png"  # docs/viewer.png of the repository, made by the browser test of the viewer
VIEWER = """## Viewer

`nk-troops view --out DIR` writes the release as a static site: every article with its
claims, quotes and figures highlighted, their attributes on hover and keyboard focus,
and links from each claim to the same proposition in the other articles.

![An article page of the nk-troops viewer]({screenshot})

"""
RESULTS = """## Baseline results

Trained baselines are trained and tested leave one document out; rules were
written with all five texts in view. Every score has a 95% interval from a
bootstrap over the documents (`nk-troops baseline --results` recomputes them).

{table}

"""


def render_licence() -> str:
    """``LICENSE.md`` of the release folder, the file the card's ``license_link`` names."""
    return LICENCE_BODY


LICENCE_BODY = """# Licence of the nk-troops release

This folder holds material under two different terms.

1. **The annotations**: the spans and their attributes, the sentence decisions, the
   tokens view's tags, the entity and cluster registries, and the document
   structure (passages, provenance), are released under the Creative Commons
   Attribution 4.0 International licence (CC BY 4.0),
   https://creativecommons.org/licenses/by/4.0/.
2. **The article texts**: `raw/`, and the `text`, `title`, `tokens` and span
   `text` / `prefix` / `suffix` fields that reproduce them, remain the copyright of
   their publishers (named in each document's `provenance`). No licence to
   redistribute them is known and none is granted here. They are included so that
   the annotations can be verified and reproduced; assess your own right to use
   them before you do.
"""


BODY = """# {pretty}

Version {version} · content sha256 `{digest}`

Five English news articles from October 2024 about North Korea sending troops to
Russia, with gold character-offset spans for three layers: **claims**
(check-worthy factual propositions, with claimant, hedging and a cross-document
cluster), **quotes** (with speaker and cue) and **figures** (numbers, with kind,
value, qualifier and unit). Offsets are Unicode code points into each document's
`text` (Python `str` indexing).

![Spans per layer and document](span_counts.png)

## Configs and splits

Every config has the split `test` (all its rows). The document-level configs
(`documents`, `spans`, `sentences`, `tokens`) also have the leave-one-document-out
folds as named splits: `fold0_train` / `fold0_test` ... `fold{last}_train` /
`fold{last}_test`, where fold *k*'s test split is the document with `fold` = *k* and
its train split the four others. The registries (`entities`, `clusters`) span all
five documents and have `test` only. The data files are Parquet,
`<config>/<split>-00000-of-00001.parquet`, with their features embedded; each
config's `<config>.jsonl` holds the same rows for review (`nk-troops validate`
checks that both agree).

Categorical fields are ClassLabels in every config (`layer`, passage `type`, edit
`kind`, figure `kind` and `qualifier`, `quote_type`, `no_claim_reason`, entity
`type`, BIO tags): `features[name].names` lists the labels, `int2str` / `str2int`
convert, and `nk_troops.evaluate` takes names and ids alike.

{configs}

## Quickstart

After `pip install nk-troops` (the release ships inside the package, nothing is
downloaded):

```python
import nk_troops
from datasets import load_dataset

tokens = nk_troops.load("tokens", split="fold0_train")         # = load_dataset(str(nk_troops.release_dir()), "tokens", ...)
labels = tokens.features["claim_tags"].feature.names            # ['O', 'B-claim', 'I-claim']
example = tokens[0]
inputs = {{"tokens": example["tokens"], "labels": example["claim_tags"]}}   # word-level labels for a token classifier
for train, test in nk_troops.folds("spans"):                    # five leave-one-document-out pairs
    print(len(train), len(test))
docs = load_dataset(str(nk_troops.release_dir()), "documents", split="test")
```

Benchmark an extractor: write predictions as JSONL spans (`doc_id`, `layer`,
`start`, `end`, attributes optional) and run `nk-troops evaluate --pred FILE`, or
call `nk_troops.evaluate(predictions)` on a path, a list of dicts, a
`datasets.Dataset` or a pandas DataFrame.

## Licence

`license: other`, because two terms apply (`LICENSE.md` in this folder). The
**annotations** (spans, attributes, entities, clusters, sentence decisions) are
released under **CC BY 4.0**. The **article texts** are not: copyright in
them remains with their publishers, and no licence to redistribute them is
known. They are included for research on the annotations only; check whether
your use is permitted where you are.

## Integrity and versions

`manifest.json` lists the SHA-256 of every file in this folder;
`nk-troops validate` checks it (the datasets library does not check local
checksums). The version and the content hash above are also in every config's
metadata, so a changed release never shares a cache entry with an old one.
`croissant.json` describes the files and the `documents` and `spans` record sets
in Croissant 1.1. Changes between versions are listed in `CHANGELOG.md` of the
repository (`nk-troops diff OLD NEW`).

## How the annotations were made

Following a written specification and guidelines with worked examples
(`annotations/` in the repository), in two independent passes by two separate AI
annotation sessions of the same model, with every disagreement adjudicated and
logged. No human annotated or adjudicated the spans, so the measured agreement
(in DATASHEET.md) is an upper bound on reliability, not a human-human figure.

## Limitations

- Five articles about one story in one week, all in English; several are rewrites
  of the same wire reports (Yonhap, NBC News), so they are not independent sources.
- Claims about the same events recur across articles (see the `clusters` config):
  leave-one-document-out folds leak propositions from training into test folds.
- Not a source of truth about the events: the articles disagree with each other
  (12,000 vs 10,000 troops), figures were time-sensitive, and the claims carry no
  veracity labels. Do not train a model to assert them as facts.

See DATASHEET.md in the repository for the full datasheet.
"""
