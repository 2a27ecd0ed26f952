"""Typed errors of the engine: every bad input maps to one of these, never to a crash."""


class ZKCoreError(Exception):
    """Base class of every error the engine raises on purpose."""


class ArgumentError(ZKCoreError, ValueError):
    """A shape, length, size or flag that the operation cannot take."""


class NonCanonicalError(ZKCoreError, ValueError):
    """A field element encoded as a value >= its modulus."""


class ZeroInverseError(ZKCoreError, ZeroDivisionError):
    """The inverse of zero was asked for."""


class NotOnCurveError(ZKCoreError, ValueError):
    """Coordinates that do not satisfy the curve equation."""


class NotInSubgroupError(ZKCoreError, ValueError):
    """A curve point outside the prime-order subgroup."""


class EncodingError(ZKCoreError, ValueError):
    """Malformed bytes: wrong length, bad flags, or a value that does not decode."""
