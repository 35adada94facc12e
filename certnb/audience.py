"""Who may see a certification: `allowedAudiences`, Graph's flags enum as an ordered set of members.

Graph writes several members comma-separated in one string, e.g. `"contacts,organization"` (contract §2).
`Audience` is an `enum.Flag`, so members combine with `|`, test with `in`, and iterate in declaration order:

    >>> a = Audience.parse("organization, contacts")
    >>> str(a), Audience.contacts in a
    ('contacts,organization', True)

Graph's enums are *evolvable*: the service may one day answer with a member this client does not know.
Reading such a value must not fail or lose it, so `Audience.parse` folds unknown names into the
`unknownFutureValue` sentinel and `unknown_members` returns the names it folded; the frame keeps the raw
wire text next to the flags (see `certnb.schema.AUDIENCE_WIRE_COLUMN`). Writing is stricter:
`Audience.parse(text, strict=True)` and `Audience.validate` refuse unknown names and the sentinel itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Audience(enum.Flag):
    """The members of Graph's `allowedAudiences` flags enum, in Graph's declaration order (contract §2).

    >>> Audience.contacts | Audience.organization
    <Audience.contacts|organization: 20>
    """

    me = enum.auto()
    family = enum.auto()
    contacts = enum.auto()
    groupMembers = enum.auto()
    organization = enum.auto()
    federatedOrganizations = enum.auto()
    everyone = enum.auto()
    unknownFutureValue = enum.auto()  # Graph's evolvable-enum sentinel

    def __str__(self) -> str:
        """The wire form: member names comma-separated, in declaration order."""
        return self.to_wire()

    def to_wire(self) -> str:
        """Graph's wire text, e.g. `"contacts,organization"`.

        >>> (Audience.organization | Audience.me).to_wire()
        'me,organization'
        """
        return ",".join(member.name or "" for member in self)

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> Audience:
        """Read Graph's comma-separated wire text (spaces around commas tolerated).

        Unknown names become the `unknownFutureValue` sentinel unless `strict`, which raises `ValueError`
        naming the unknown member and the known ones.

        >>> Audience.parse("contacts, organization")
        <Audience.contacts|organization: 20>
        >>> Audience.parse("organization,partners")
        <Audience.organization|unknownFutureValue: 144>
        """
        if not isinstance(text, str):
            raise ValueError(f"must be comma-separated audience members as a string; got {text!r}")
        names = [name.strip() for name in text.split(",")]
        if not any(names):
            raise ValueError(f"must name at least one audience member ({cls.known_names()}); got {text!r}")
        value = cls(0)
        for name in names:
            if not name and not strict:
                continue  # "contacts,,organization": a stray comma names nothing
            member = cls.__members__.get(name)
            if member is None:
                if strict:
                    raise ValueError(
                        f"{name!r} is not an audience member; known members: {cls.known_names()}"
                    )
                member = cls.unknownFutureValue
            value |= member
        return value

    @classmethod
    def unknown_members(cls, text: str) -> tuple[str, ...]:
        """The names in wire `text` that this client does not know (kept verbatim, in order).

        >>> Audience.unknown_members("organization,partners")
        ('partners',)
        """
        names = (name.strip() for name in text.split(","))
        return tuple(name for name in names if name and name not in cls.__members__)

    @classmethod
    def validate(cls, value: Audience | str | Iterable[Audience | str]) -> Audience:
        """Check a value staged for writing: known members only, at least one, never the sentinel.

        Accepts an `Audience`, wire text, or an iterable of members or member names.

        >>> Audience.validate(["contacts", Audience.organization])
        <Audience.contacts|organization: 20>
        """
        if isinstance(value, Audience):
            audience = value
        elif isinstance(value, str):
            audience = cls.parse(value, strict=True)
        elif isinstance(value, Iterable):
            audience = cls(0)
            for item in value:
                audience |= item if isinstance(item, Audience) else cls.parse(item, strict=True)
        else:
            raise ValueError(
                "must be an Audience, its wire text or a list of members "
                f"({cls.known_names()}); got {value!r}"
            )
        if not audience:
            raise ValueError(f"must name at least one audience member ({cls.known_names()}); got none")
        if cls.unknownFutureValue in audience:
            # The sentinel only ever comes *from* the service for members this client cannot name; sending
            # it back would overwrite the real value.
            raise ValueError(
                "must not contain 'unknownFutureValue' (it stands for members unknown to this client); "
                f"name known members only: {cls.known_names()}"
            )
        return audience

    @classmethod
    def known_names(cls) -> str:
        """The members a client may write, comma-separated (the sentinel left out)."""
        return ", ".join(name for name in cls.__members__ if name != "unknownFutureValue")
