"""A setting with a bad value: names the key, the value and where it came from.

>>> ConfigError("timeout", -1, "a positive number").key
'timeout'
"""

from __future__ import annotations

from certnb.errors.base import CertnbError

__all__ = ["ConfigError"]


class ConfigError(CertnbError):
    """A setting has a bad value; `key` and `value` name it, `source` says where it came from.

    >>> print(ConfigError("cloud", "mars", "one of global, usgov, usgov-dod, china", source="CERTNB_CLOUD"))
    CERTNB_CLOUD: bad value 'mars' for 'cloud': expected one of global, usgov, usgov-dod, china
    """

    def __init__(self, key: str, value: object, expected: str, *, source: str = "argument") -> None:
        self.key = key
        self.value = value
        self.expected = expected
        self.source = source
        super().__init__(f"{source}: bad value {value!r} for {key!r}: expected {expected}")
