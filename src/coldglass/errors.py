"""The package's exceptions: one base, a few kinds a caller can tell apart.

* :class:`ColdglassError` — the base; the command line maps it (and OS and SQLite errors) to
  one clear line and exit code 2.
* :class:`InputError` — a value outside its allowed range, an unknown name, a wrong shape:
  raised before any work starts, naming the parameter and the allowed range. A
  :class:`ValueError` too, so ``except ValueError`` keeps working.
* :class:`DataError` — a measured data file that cannot be used (``path:line: what``).
* :class:`CatalogError` — a landscape catalog that is damaged, of another glass or of an
  incompatible schema.
* :class:`EngineUnavailable` — an optional engine (LAMMPS, a Dask scheduler) that cannot be
  reached; a :class:`RuntimeError` too.
"""

from __future__ import annotations

__all__ = ["ColdglassError", "InputError", "DataError", "CatalogError", "EngineUnavailable"]


class ColdglassError(Exception):
    """Base of every error the package raises on purpose."""


class InputError(ColdglassError, ValueError):
    """A parameter value, name or shape the package refuses (before any work)."""


class DataError(InputError):
    """A measured data file that cannot be used; the message starts with ``path:line:``."""


class CatalogError(ColdglassError, RuntimeError):
    """A landscape catalog that cannot be used as asked."""


class EngineUnavailable(ColdglassError, RuntimeError):
    """An optional engine that is not installed or cannot be reached."""
