"""The Hugging Face dataset card (``dataset/README.md``): YAML metadata, then the prose.

Configs and their features come from ``schemas``; every config carries the
version and the content hash (in its ``description``), which enter the cache key
the datasets library computes from the card, so changed data never reuses an old
cache entry.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..paths import CONFIGS
from ..schemas import hf_features
from ..version import __version__

SPLIT = "test"  # the one split: five documents are too few for train/dev/test; use the folds

PRETTY_NAME = "nk-troops: claims, quotes and figures in five news articles on North Korean troops in Russia (October 2024)"
METADATA: dict[str, Any] = {
    "pretty_name": PRETTY_NAME,
    "license": "cc-by-4.0",  # the annotations; the article texts stay the publishers' copyright (see the card body)
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


def _dataset_info(config: str, rows: list[dict[str, Any]], size: int) -> dict[str, Any]:
    from datasets import Dataset, DatasetInfo, SplitDict, SplitInfo

    features = hf_features(config)
    # encoding the rows checks them against the declared features and gives the Arrow size
    num_bytes = Dataset.from_dict({k: [r[k] for r in rows] for k in features}, features=features).data.nbytes
    splits = SplitDict()
    splits.add(SplitInfo(name=SPLIT, num_bytes=num_bytes, num_examples=len(rows)))
    info = DatasetInfo(config_name=config, features=features, splits=splits, download_size=size, dataset_size=num_bytes)
    return info._to_yaml_dict()


def card_metadata(rows: dict[str, list[dict[str, Any]]], data: dict[str, bytes], digest: str) -> dict[str, Any]:
    configs = []
    for config in CONFIGS:
        entry: dict[str, Any] = {"config_name": config}
        if config == "documents":
            entry["default"] = True
        entry |= {
            "data_files": [{"split": SPLIT, "path": f"{config}.jsonl"}],
            "version": __version__,
            "description": config_description(config, digest),
        }
        configs.append(entry)
    infos = [_dataset_info(c, rows[c], len(data[f"{c}.jsonl"])) for c in CONFIGS]
    return {**METADATA, "version": __version__, "content_sha256": digest, "configs": configs, "dataset_info": infos}


def render_card(rows: dict[str, list[dict[str, Any]]], data: dict[str, bytes], digest: str) -> str:
    meta = yaml.safe_dump(card_metadata(rows, data, digest), sort_keys=False, allow_unicode=True, width=1000)
    counts = {c: len(rows[c]) for c in CONFIGS}
    return f"---\n{meta}---\n\n" + BODY.format(version=__version__, digest=digest, pretty=PRETTY_NAME, **counts)


BODY = """# {pretty}

Version {version} · content sha256 `{digest}`

Five English news articles from October 2024 about North Korea sending troops to
Russia, with gold character-offset spans for three layers: **claims**
(check-worthy factual propositions, with claimant, hedging and a cross-document
cluster), **quotes** (with speaker and cue) and **figures** (numbers, with kind,
value, qualifier and unit). Offsets are Unicode code points into each document's
`text` (Python `str` indexing).

![Spans per layer and document](span_counts.png)

## Configs

One split, `test`; every row carries `fold` (0-4, one per document) for
leave-one-document-out cross-validation. All files are JSON Lines.

| config | rows | what |
|---|---:|---|
| `documents` (default) | {documents} | one row per article: text, passages, provenance, and its claims, quotes, figures and sentences |
| `spans` | {spans} | one row per span, flat: every attribute a column, null where the layer has none; `layer` is a ClassLabel |
| `sentences` | {sentences} | one row per sentence: claim ids inside it, or a `no_claim_reason` (check-worthiness) |
| `tokens` | {tokens} | one row per sentence: tokens, token offsets, BIO tags per layer (ClassLabel) |
| `entities` | {entities} | registry of speakers and claimants |
| `clusters` | {clusters} | claims stating the same proposition across articles, with conflicts |

## Quickstart

```python
import nk_troops  # pip install nk-troops: the release ships inside the package, loaded offline

docs = nk_troops.load("documents", split="test")   # or: datasets.load_dataset("<this folder>", "documents", split="test")
tokens = nk_troops.load("tokens", split="test")
labels = tokens.features["claim_tags"].feature.names            # ['O', 'B-claim', 'I-claim']
example = tokens[0]
inputs = {{"tokens": example["tokens"], "labels": example["claim_tags"]}}   # word-level labels for a token classifier
```

Benchmark an extractor: write predictions as JSONL spans (`doc_id`, `layer`,
`start`, `end`, attributes optional) and run `nk-troops evaluate --pred FILE`.

## Licence

The **annotations** (spans, attributes, entities, clusters, sentence decisions)
are released under **CC BY 4.0**. The **article texts** are not: copyright in
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
