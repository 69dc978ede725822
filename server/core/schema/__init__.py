"""Schema migrations from m014 on, one module each, applied after store.py's own (m001–m013) in the order of
their module names (m014_…, m015_…): each module registers its function on `store.migrations` when imported.

One module per migration so that a change's schema lives beside its name and parallel work never edits one list.
"""

from __future__ import annotations

import importlib
import pkgutil


def register_all():
    """Import every migration module in this folder, in name order (which is their order of application)."""
    for module in sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("m")):
        importlib.import_module(f"{__name__}.{module}")
