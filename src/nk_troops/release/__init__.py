"""Resolved annotations -> the release folder: rows, card, manifest, Croissant, tokens view, figure."""
