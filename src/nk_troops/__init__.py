"""nk-troops: five October 2024 news articles with claim, quote and figure spans."""
