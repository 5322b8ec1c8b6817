"""The names the command line offers as choices, in a module light enough to import for every command.

Building the parser must not import the baselines (quantulum3 and its stack) or the exporters just to
list their names: ``nk-troops validate`` needs neither. ``export.FORMATS`` is this table; the keys of
``baselines.BASELINES`` are checked against ``RULE_BASELINES`` by a test.
"""

RULE_BASELINES = ("figures-rules", "figures-quantulum3", "quotes-rules", "claims-rules")  # nk-troops baseline NAME
EXPORT_FORMATS = {  # nk-troops export --format NAME -> module of nk_troops.export with render(views, rows) -> Output
    "brat": "brat",
    "conll": "conll",
    "bigbio": "bigbio",
    "spacy": "spacy_docbin",
    "label-studio": "label_studio",
    "standoff": "standoff",
}
