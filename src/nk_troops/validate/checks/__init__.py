"""Validator rules, one module per family; each returns incidents, never raises on bad input.

Tables are dicts of column lists (``line`` is the 1-based line in the file), so a
rule is a tight loop over the columns it needs.
"""
