"""The catalogue of real-world credentials synthetic tenants draw from: names, issuers, id and URL shapes.

    >>> CREDENTIALS_BY_KEY["pmp"].company, CREDENTIALS_BY_KEY["az-900"].years is None
    ('Project Management Institute', True)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    """A real-world certification: how it is named, who issues it, how its ids and URLs look."""

    key: str
    name: str
    company: str
    authority: str
    years: int | None  # validity; None = does not expire
    id_prefix: str
    id_alphabet: str  # "digits", "hex" or "alnum"
    id_length: int
    web: str  # templates: {guid}, {hex}
    badge: str | None
    description: str


_LEARN = "https://learn.microsoft.com/api/credentials/share/en-us/{slug}/{hex}?sharingId={guid}"
_CREDLY = "https://www.credly.com/badges/{guid}/public_url"
_CREDLY_BADGE = "https://images.credly.com/size/340x340/images/{guid}/image.png"
_MS_BADGE = "https://learn.microsoft.com/media/learn/certification/badges/{key}.svg"


def _microsoft(key: str, title: str, years: int | None, about: str) -> Credential:
    return Credential(key, f"Microsoft Certified: {title}", "Microsoft", "Microsoft", years, "", "hex", 16,
                      _LEARN, _MS_BADGE, about)


CATALOG: tuple[Credential, ...] = (
    _microsoft("az-900", "Azure Fundamentals", None, "Foundational knowledge of cloud services and Azure."),
    _microsoft("az-104", "Azure Administrator Associate", 1, "Implement and monitor Azure environments."),
    _microsoft("az-204", "Azure Developer Associate", 1, "Build and maintain cloud applications on Azure."),
    _microsoft("az-305", "Azure Solutions Architect Expert", 1, "Design cloud and hybrid solutions."),
    _microsoft("sc-200", "Security Operations Analyst Associate", 1, "Investigate and respond to threats."),
    _microsoft("sc-300", "Identity and Access Administrator Associate", 1, "Run Microsoft Entra ID."),
    _microsoft("pl-300", "Power BI Data Analyst Associate", 1, "Model and analyse data in Power BI."),
    _microsoft("dp-203", "Azure Data Engineer Associate", 1, "Integrate and transform data on Azure."),
    Credential("aws-saa", "AWS Certified Solutions Architect – Associate", "Amazon Web Services",
               "AWS Training and Certification", 3, "", "alnum", 16, _CREDLY, _CREDLY_BADGE,
               "Design distributed systems on AWS."),
    Credential("aws-ccp", "AWS Certified Cloud Practitioner", "Amazon Web Services",
               "AWS Training and Certification", 3, "", "alnum", 16, _CREDLY, _CREDLY_BADGE,
               "Overall understanding of the AWS Cloud."),
    Credential("cissp", "Certified Information Systems Security Professional (CISSP)", "ISC2", "ISC2", 3,
               "", "digits", 6, _CREDLY, _CREDLY_BADGE, "Design and manage a security programme."),
    Credential("ccsp", "Certified Cloud Security Professional (CCSP)", "ISC2", "ISC2", 3, "", "digits", 6,
               _CREDLY, _CREDLY_BADGE, "Secure data, applications and infrastructure in the cloud."),
    Credential("cisa", "Certified Information Systems Auditor (CISA)", "ISACA", "ISACA", 3, "", "digits", 8,
               "https://www.isaca.org/credentialing/verify-a-certification?id={hex}", None,
               "Audit, control and assure information systems."),
    Credential("cism", "Certified Information Security Manager (CISM)", "ISACA", "ISACA", 3, "", "digits", 8,
               "https://www.isaca.org/credentialing/verify-a-certification?id={hex}", None,
               "Manage enterprise information security."),
    Credential("pmp", "Project Management Professional (PMP)", "Project Management Institute", "PMI", 3, "",
               "digits", 7, "https://www.pmi.org/certifications/certification-resources/registry", None,
               "Lead projects across predictive, agile and hybrid approaches."),
    Credential("security-plus", "CompTIA Security+", "CompTIA", "CompTIA", 3, "COMP001", "digits", 9, _CREDLY,
               _CREDLY_BADGE, "Baseline cybersecurity skills."),
    Credential("ccna", "Cisco Certified Network Associate (CCNA)", "Cisco", "Cisco", 3, "CSCO", "digits", 8,
               _CREDLY, _CREDLY_BADGE, "Network fundamentals, access, security and automation."),
    Credential("gcp-pca", "Google Cloud Professional Cloud Architect", "Google Cloud", "Google Cloud", 2, "",
               "hex", 12, _CREDLY, _CREDLY_BADGE, "Design and manage solutions on Google Cloud."),
    Credential("cka", "Certified Kubernetes Administrator (CKA)", "The Linux Foundation",
               "Cloud Native Computing Foundation", 2, "LF-", "alnum", 10, _CREDLY, _CREDLY_BADGE,
               "Install, configure and run Kubernetes clusters."),
    Credential("terraform", "HashiCorp Certified: Terraform Associate (003)", "HashiCorp", "HashiCorp", 2, "",
               "alnum", 12, _CREDLY, _CREDLY_BADGE, "Infrastructure as code with Terraform."),
    Credential("itil4", "ITIL 4 Foundation", "PeopleCert", "AXELOS", None, "GR671", "digits", 8,
               "https://www.peoplecert.org/for-corporations/certificate-verification-service", None,
               "Service management concepts and practices."),
    Credential("psm1", "Professional Scrum Master I (PSM I)", "Scrum.org", "Scrum.org", None, "", "digits", 6,
               "https://www.scrum.org/certificates/{hex}", None, "Scrum theory and the Scrum Master role."),
    Credential("tuv-dsb", "Zertifizierter Datenschutzbeauftragter (TÜV)", "TÜV SÜD", "TÜV SÜD Akademie", 3,
               "DSB-", "digits", 7, "https://www.tuvsud.com/de-de/zertifikatsdatenbank?id={hex}", None,
               "Datenschutz nach DSGVO und BDSG."),
    Credential("first-aid", "First Aid at Work", "St John Ambulance", "St John Ambulance", 3, "SJA-",
               "digits", 7, "https://www.sja.org.uk/courses/workplace-first-aid-courses/", None,
               "Emergency first aid in the workplace."),
)
CREDENTIALS_BY_KEY = {c.key: c for c in CATALOG}
"""The catalogue by `Credential.key`, for the sample tenant's planted cases."""
GENERATED_CREDENTIALS = tuple(c for c in CATALOG if c.key not in ("tuv-dsb", "first-aid"))
"""What generated people hold (the two credentials left out are planted in the sample tenant only)."""
