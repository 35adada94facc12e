"""The shipped catalogue (package data, mirrored in data/catalogue/) and extending it with your own files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from certnb.catalogue import default_catalogue, load_catalogue
from certnb.errors import Unreadable

REPO = Path(__file__).resolve().parents[2]


def test_the_catalogue_is_package_data_and_data_catalogue_shows_the_same_files() -> None:
    folder = resources.files("certnb.catalogue") / "data"
    for name in ("issuers.csv", "certifications.csv", "platforms.csv"):
        shipped = (folder / name).read_text(encoding="utf-8")
        assert (REPO / "data" / "catalogue" / name).read_text(encoding="utf-8") == shipped
    assert "catalogue/data/*.csv" in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_look_ups_by_name_alias_title_and_exam_code() -> None:
    catalogue = default_catalogue()
    assert catalogue.issuer("Microsoft Corporation").name == "Microsoft"
    assert catalogue.issuer("AWS Training and Certification").name == "Amazon Web Services"
    assert catalogue.issuer("Contoso Academy") is None
    assert catalogue.exam("AZ-104").title == "Microsoft Certified: Azure Administrator Associate"
    assert catalogue.exam("saa c03").title == "AWS Certified Solutions Architect – Associate"
    assert catalogue.certification("CISSP").validity_months == 36
    assert catalogue.certification("ITIL 4 Foundation").validity_months is None
    assert "credly.com" in catalogue.platform_domains()


def test_every_certification_names_catalogue_issuers_and_no_key_is_claimed_twice() -> None:
    catalogue = default_catalogue()
    names = {i.name for i in catalogue.issuers}
    assert all(set(c.issuers) <= names for c in catalogue.certifications)
    keys = [k for i in catalogue.issuers for k in {*map(str.casefold, (i.name, *i.aliases))}]
    assert len(keys) == len(set(keys))


def test_your_own_files_add_issuers_aliases_and_certifications(tmp_path: Path) -> None:
    issuers = tmp_path / "issuers.csv"
    issuers.write_text("name,aliases,domains\nContoso Academy,CA Learning,academy.contoso.example\n"
                       "Microsoft,Microsoft Learn,\n", encoding="utf-8-sig")
    certs = tmp_path / "certs.csv"
    certs.write_text("title,issuers,exam_codes,validity_months,aliases\n"
                     "Contoso Safety Officer,Contoso Academy,CSO-1,24,Safety Officer\n"
                     "Certified Kubernetes Administrator (CKA),,,36,\n", encoding="utf-8")
    mine = load_catalogue(issuers=issuers, certifications=certs)
    assert mine.issuer("CA Learning").domains == ("academy.contoso.example",)
    assert mine.issuer("Microsoft Learn").name == "Microsoft"
    assert "microsoft.com" in mine.issuer("Microsoft").domains  # kept, not replaced
    assert mine.exam("cso-1").title == "Contoso Safety Officer"
    assert mine.certification("CKA").validity_months == 36
    assert default_catalogue().certification("CKA").validity_months == 24  # the shipped one is untouched


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,aliases,website\nX,,x.example\n", "row 2: unknown column 'website'"),
        ("name,aliases,domains\n,,x.example\n", "row 2: 'name' is empty"),
    ],
)
def test_a_bad_file_is_refused_naming_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "issuers.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Unreadable, match=message) as refused:
        load_catalogue(issuers=path)
    assert str(path) in str(refused.value)


def test_bad_validity_and_unknown_issuers_are_refused() -> None:
    with pytest.raises(Unreadable, match="validity_months must be a whole number of months"):
        load_catalogue(certifications=[{"title": "X", "issuers": "Microsoft", "validity_months": "1 year"}])
    with pytest.raises(Unreadable, match="issuer 'Nobody' is not in the issuers of the catalogue"):
        load_catalogue(certifications=[{"title": "X", "issuers": "Nobody"}])
    with pytest.raises(Unreadable, match=r"catalogue issuers file .*missing\.csv"):
        load_catalogue(issuers="missing.csv")
