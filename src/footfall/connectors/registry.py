"""Find every connector: each subpackage of `footfall.connectors` that exports a `SPEC`.

Adding a channel is adding a folder; nothing here lists them by name. A folder that fails
to import is reported with its error (never silently skipped), so `footfall connectors list`
shows a half-written connector instead of hiding it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from footfall.connectors.spec import ConnectorSpec

PACKAGE = "footfall.connectors"
# Optional hook a connector package may export: the probe config of one registered counter,
# `counter_config(settings, engine, serial, company) -> config` (used by `--counter`).
COUNTER_HOOK = "counter_config"


class RegistryError(LookupError):
    """No such connector, or two folders claim the same key; the message names them."""


@dataclass(frozen=True)
class Registry:
    """The connectors found: spec by key, their packages, and folders that failed to import."""

    specs: dict[str, ConnectorSpec]
    modules: dict[str, ModuleType] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> ConnectorSpec:
        """The spec with this key, else a RegistryError listing the known keys."""
        if key not in self.specs:
            known = ", ".join(sorted(self.specs)) or "none"
            raise RegistryError(f"no connector {key!r} (known: {known})")
        return self.specs[key]

    def counter_hook(self, key: str) -> Callable[..., Any] | None:
        """The package's `counter_config` hook, if it has one."""
        self.get(key)
        hook = getattr(self.modules[key], COUNTER_HOOK, None)
        return hook if callable(hook) else None


def discover(package: str = PACKAGE) -> Registry:
    """Import each subpackage of `package` and collect the `SPEC` it exports, by key."""
    root = importlib.import_module(package)
    specs: dict[str, ConnectorSpec] = {}
    modules: dict[str, ModuleType] = {}
    broken: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        name = f"{package}.{info.name}"
        try:
            module = importlib.import_module(name)
        except Exception as error:  # any import failure is reported, not raised
            broken[info.name] = f"{type(error).__name__}: {error}"
            continue
        spec = getattr(module, "SPEC", None)
        if spec is None:
            continue
        if not isinstance(spec, ConnectorSpec):
            broken[info.name] = f"SPEC is a {type(spec).__name__}, not a ConnectorSpec"
            continue
        if spec.key in specs:
            raise RegistryError(f"connector key {spec.key!r} is claimed by both "
                                f"{modules[spec.key].__name__} and {name}")
        specs[spec.key], modules[spec.key] = spec, module
    return Registry(specs, modules, broken)
