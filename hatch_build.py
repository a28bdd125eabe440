"""Build hook: compile the gettext catalogs into `.mo` files and fetch the web vendor files
(fonts, docs assets) with `npm ci`; both are shipped with the package, neither is committed."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR = Path("services") / "web" / "vendor"
SHIPPED = ("@expo-google-fonts/*/400Regular/*.ttf", "@expo-google-fonts/*/700Bold/*.ttf",
           "@expo-google-fonts/*/LICENSE", "swagger-ui-dist/*", "redoc/bundles/*")


class CompileCatalogs(BuildHookInterface):  # type: ignore[misc]
    """Runs `i18n/compile.py` and `npm ci` before the wheel (or editable install) is built."""

    PLUGIN_NAME = "compile-catalogs"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile every catalog, fetch the vendor files if missing, ship them all."""
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location("_compile", root / "i18n" / "compile.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for mo in module.compile_catalogs(root / "i18n" / "locales"):
            build_data["artifacts"].append(str(mo.relative_to(root)))
        modules = root / VENDOR / "node_modules"
        if not modules.is_dir():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(f"npm (Node.js) is needed to fetch the fonts into {VENDOR}")
            subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],  # noqa: S603
                           cwd=root / VENDOR, check=True)
        for pattern in SHIPPED:
            build_data["artifacts"].append(f"/{VENDOR.as_posix()}/node_modules/{pattern}")
