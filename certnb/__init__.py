"""certnb: audit and bulk-correct Microsoft Graph profile certifications from Jupyter."""

from __future__ import annotations

__version__ = "0.1.0"
