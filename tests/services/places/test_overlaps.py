"""Wards drawn over each other are warned about by the import report and its dry run."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.cli import app
from services.places.importer import overlapping
from tests.support.gateway import LiveGateway

CITY = "pb.ludhiana"


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    """A rectangular polygon (lon/lat)."""
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def ward(code: str, geometry: dict[str, object]) -> dict[str, object]:
    """A GeoJSON ward feature."""
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "kind": "ward", "name:en": f"Ward {code}"}}


def test_the_import_report_and_dry_run_list_overlapping_wards(
        gateway: LiveGateway, cli: CliRunner, tmp_path: Path) -> None:
    setup = cli.invoke(app, ["tenant", "add", CITY, "--code", "PB-LDH", "--name", "en=Ludhiana"])
    assert setup.exit_code == 0, setup.output
    wards = [ward("W01", square(75.80, 30.80, 75.82, 30.82)),
             ward("W02", square(75.82, 30.80, 75.84, 30.82)),   # shares W01's edge: fine
             ward("W03", square(75.835, 30.80, 75.86, 30.82)),  # a quarter of W02 drawn twice
             ward("W04", square(75.90, 30.90, 75.91, 30.91))]
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": wards}))
    dry = cli.invoke(app, ["places", "import", CITY, str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "warning  wards W02 and W03 overlap (25.0% of the smaller)" in dry.output
    assert "W01 and W02" not in dry.output and "W04" not in dry.output.split("unchanged")[1]
    done = cli.invoke(app, ["places", "import", CITY, str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["overlaps"] == [
        {"kind": "ward", "codes": ["W02", "W03"], "share": 0.25}]


def test_a_sliver_below_the_tolerance_is_not_reported() -> None:
    wards = {"A": square(0.0, 0.0, 1.0, 1.0), "B": square(0.9999, 0.0, 2.0, 1.0)}
    assert overlapping(wards) == []
    assert overlapping(wards, tolerance=0.0) == [
        {"kind": "ward", "codes": ["A", "B"], "share": 0.0001}]
