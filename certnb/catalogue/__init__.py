"""The reference catalogue of certification issuers and well-known certifications (data/catalogue/).

    catalogue.py     Issuer, Certification, Catalogue (look-ups by name, alias, title, exam code)
    data/            the shipped CSV files: issuers.csv, certifications.csv, platforms.csv

    >>> from certnb.catalogue import default_catalogue
    >>> default_catalogue().exam("AZ-104").title
    'Microsoft Certified: Azure Administrator Associate'
"""

from __future__ import annotations

from certnb.catalogue.catalogue import (
    Catalogue,
    Certification,
    Issuer,
    default_catalogue,
    exam_key,
    load_catalogue,
    title_key,
)

__all__ = ["Catalogue", "Certification", "Issuer", "default_catalogue", "exam_key", "load_catalogue",
           "title_key"]
