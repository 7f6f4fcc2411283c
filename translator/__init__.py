"""Offline machine translation and cross-lingual alignment for newsrooms."""

__version__ = "0.1.0"
