"""The root of certnb's exception tree (drawn in `certnb.errors`).

>>> issubclass(CertnbError, Exception)
True
"""

from __future__ import annotations

__all__ = ["CertnbError"]


class CertnbError(Exception):
    """Base of every error certnb raises on purpose."""
