"""The step library's implementations, loaded when a step first runs.

Registering the steps is all ``flowspec steps`` and ``flowspec lint`` need of the step
modules; what the steps do (JSONPath checks, YAML doc strings, tokens) is imported by the
first step that calls it. The JSONPath and YAML machinery is then not loaded just to list
the catalog, which keeps that command's start near that of behave itself.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def on_first_use(name: str) -> ModuleType:
    """The module ``name``, executed when one of its attributes is first read (the
    standard library's ``LazyLoader``); after that it is an ordinary module."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
