"""Raw article -> recipe -> document -> anchored annotations: everything read from ``annotations/``."""
