"""Rendered two-person conversations with known turns: the speaker split's tuning set (SPLIT.md)."""
