"""Each audit rule in a manager's words: a short title for headers and charts, and one sentence explaining it.

Keyed by the audit's rule names (`certnb.frame.audit.RULES`, in its report order); a test checks every rule
has both, so a new rule cannot reach a report unexplained.

    >>> RULE_TITLES["end-before-start"]
    'Expires before it starts'
    >>> rule_title("a-rule-of-tomorrow")
    'A rule of tomorrow'
"""

from __future__ import annotations

__all__ = ["RULE_SENTENCES", "RULE_TITLES", "rule_sentence", "rule_title"]

RULE_TITLES: dict[str, str] = {
    "expired": "Expired",
    "expiring-30": "Expires within 30 days",
    "expiring-60": "Expires within 60 days",
    "expiring-90": "Expires within 90 days",
    "missing-end-date": "No expiry date",
    "end-before-start": "Expires before it starts",
    "end-before-issue": "Expires before it was issued",
    "start-after-issue": "Starts after it was issued",
    "duplicate": "Listed twice",
    "issuer-spelling": "Issuer spelled several ways",
    "unknown-issuer": "Unknown issuer",
    "title-catalogue": "Title differs from the catalogue",
    "exam-code-title": "Exam code as title",
    "url-host": "Link to an unexpected site",
    "unusual-validity": "Unusual validity period",
    "missing-certification-id": "No certification id",
    "bad-url": "Broken link",
    "sources-disagree": "Sources disagree",
    "owned-fix": "Owned by another system",
}
"""A short title for each rule (table headers, chart labels)."""

RULE_SENTENCES: dict[str, str] = {
    "expired": "The certification's expiry date has passed, so it no longer counts as held.",
    "expiring-30": "The certification expires within 30 days; the holder should renew it now.",
    "expiring-60": "The certification expires within 60 days; the holder should plan the renewal.",
    "expiring-90": "The certification expires within 90 days; renewal should be on the holder's radar.",
    "missing-end-date": "No expiry date is recorded, although most holders of this certification have one.",
    "end-before-start": "The expiry date is earlier than the date the certification became valid.",
    "end-before-issue": "The expiry date is earlier than the date the certification was issued.",
    "start-after-issue": "The certification became valid after it was issued, which suggests a typing error.",
    "duplicate": "The same person holds the same certification more than once.",
    "issuer-spelling": "The issuer's name is spelled in several ways across the organisation.",
    "unknown-issuer": "The issuer is not one the reference catalogue knows, nor a spelling of one.",
    "title-catalogue": "The title is an alias or misspelling of a catalogue title, or the wrong issuer.",
    "exam-code-title": "An exam code was typed as the title instead of the certification's name.",
    "url-host": "The web link points to a site that is neither the issuer's nor a credential platform's.",
    "unusual-validity": "The expiry date is far from what the issue date and the usual validity give.",
    "missing-certification-id": "No certification (credential) id is recorded, so it cannot be verified.",
    "bad-url": "A web link is not a valid http or https address.",
    "sources-disagree": "Two systems supply this certification with different values.",
    "owned-fix": "A fix touches a value another system owns; change it there, or it will be put back.",
}
"""One sentence explaining each rule (reports' explanation rows)."""


def rule_title(rule: str) -> str:
    """The short title of `rule`; a rule without one is titled from its own name."""
    return RULE_TITLES.get(rule) or rule.replace("-", " ").capitalize()


def rule_sentence(rule: str) -> str:
    """The sentence explaining `rule`, or an empty string for a rule without one."""
    return RULE_SENTENCES.get(rule, "")
