"""Translation engines behind one interface (see :class:`Engine`)."""

from .base import Engine, Pair

__all__ = ["Engine", "Pair"]
