"""Build hook: compile the gettext catalogs into `.mo` files shipped with the package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):  # type: ignore[misc]
    """Runs `i18n/compile.py` before the wheel (or editable install) is built."""

    PLUGIN_NAME = "compile-catalogs"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile every catalog and ship the `.mo` files (they are not under version control)."""
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location("_compile", root / "i18n" / "compile.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for mo in module.compile_catalogs(root / "i18n" / "locales"):
            build_data["artifacts"].append(str(mo.relative_to(root)))
