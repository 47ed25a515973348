"""harness: reproducible zero-shot cross-lingual transfer evaluation (XTREME, XTREME-R)."""

__version__ = "0.1.0"
