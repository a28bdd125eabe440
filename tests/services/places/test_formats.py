"""Reading and writing places files: CSV, GeoJSON and DIGIT boundary data, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.places import csv_format, digit_format, geojson_format
from services.places.formats import MAX_BYTES, Format, read, write
from services.places.spec import PlacesError, PlaceSet

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[3] / "services" / "places" / "samples" / "ludhiana"
SQUARE = {"type": "Polygon", "coordinates": [[[75.8, 30.8], [75.9, 30.8], [75.9, 30.9],
                                              [75.8, 30.9], [75.8, 30.8]]]}


def collection(*features: dict[str, object]) -> bytes:
    """A FeatureCollection of these features."""
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(props: dict[str, object], geometry: object = None) -> dict[str, object]:
    """One Feature."""
    return {"type": "Feature", "properties": props, "geometry": geometry}


def refused(fmt: Format, data: bytes) -> PlacesError:
    """The error reading a file raises."""
    with pytest.raises(PlacesError) as caught:
        read(fmt, data, "pb.ludhiana")
    return caught.value


def test_geojson_reads_wards_localities_names_and_spellings() -> None:
    places = geojson_format.read(collection(
        feature({"code": "W12", "name:en": "Ward 12", "name:pa": "ਵਾਰਡ 12"}, SQUARE),
        feature({"code": "model-town", "ward": "W12", "name": "Model Town",
                 "name:hi": "मॉडल टाउन", "alt_names": "Modal Town|model town"},
                {"type": "Point", "coordinates": [75.84, 30.88]})))
    (ward,) = places.wards
    (loc,) = places.localities
    assert ward.names == {"en": "Ward 12", "pa": "ਵਾਰਡ 12"} and ward.boundary == SQUARE
    assert loc.ward == "W12" and loc.names == {"hi": "मॉडल टाउन", "en": "Model Town"}
    assert loc.alt_names == ("Modal Town",)  # a repeat of a name is dropped
    assert places.has_wards and places.has_localities


@pytest.mark.parametrize(("data", "code"), [
    (b"{not json", "invalid_json"),
    (b"\xff\xfe", "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
    (json.dumps({"type": "Feature"}).encode(), "invalid_geojson"),
    (collection({"type": "Point"}), "invalid_geojson"),
    (collection(feature({"name:en": "No code"})), "missing_code"),
    (collection(feature({"code": "bad code!", "name:en": "x"})), "invalid_code"),
    (collection(feature({"code": "W1"})), "missing_name"),
    (collection(feature({"code": "W1", "name:EN": "x"})), "invalid_language"),
    (collection(feature({"code": "W1", "name:en": "x"}, {"type": "LineString",
                                                         "coordinates": [[0, 0], [1, 1]]})),
     "invalid_geometry"),
    (collection(feature({"code": "W1", "name:en": "x"}, {"type": "Polygon",
                                                         "coordinates": [[[0, 0], [1]]]})),
     "invalid_geometry"),
    (collection(feature({"code": "W1", "name:en": "bow tie"}, {"type": "Polygon", "coordinates": [
        [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})), "invalid_geometry"),
    (collection(feature({"code": "W1", "name:en": "x"}, {"type": "Polygon", "coordinates": [
        [[0, 0], [500, 0], [500, 1], [0, 0]]]})), "invalid_geometry"),
    (collection(feature({"code": "W1", "name:en": "a"}), feature({"code": "W1", "name:en": "b"})),
     "duplicate_code"),
    (collection(feature({"code": "W1", "kind": "zone", "name:en": "x"})), "invalid_kind"),
    (collection(), "no_places"),
])
def test_malformed_geojson_is_refused_with_a_code(data: bytes, code: str) -> None:
    assert refused(Format.GEOJSON, data).code == code


def test_a_file_over_the_limit_is_refused_before_parsing() -> None:
    assert refused(Format.CSV, b"code\n" + b"x" * MAX_BYTES).code == "file_too_large"


def test_csv_without_a_kind_column_is_one_kind() -> None:
    wards = csv_format.read("code,name:en,name:hi\nW01,Ward 1,वार्ड 1\n".encode())
    assert [w.code for w in wards.wards] == ["W01"] and not wards.has_localities
    localities = csv_format.read(
        "\ufeffcode,ward,name:en,alt_names,lat,lon\nhall-bazaar,W01,Hall Bazaar,Hal Bazar;"
        "Hall Bazar,31.62,74.87\n".encode())
    (loc,) = localities.localities
    assert loc.alt_names == ("Hal Bazar", "Hall Bazar")
    assert loc.boundary == {"type": "Point", "coordinates": [74.87, 31.62]}
    assert not localities.has_wards


@pytest.mark.parametrize(("text", "code"), [
    ("name,ward\nx,y\n", "invalid_csv"),
    ("code,ward,name:en\nx,,Nowhere\n", "missing_code"),
    ("code,name:en,lat,lon\nx,X,north,east\n", "invalid_geometry"),
    ("code,name:en,boundary\nx,X,{oops\n", "invalid_geometry"),
    ("code,name:en\nx,X,extra\n", "invalid_csv"),
    ("code,name:en\n", "no_places"),
])
def test_bad_csv_is_refused(text: str, code: str) -> None:
    assert refused(Format.CSV, text.encode()).code == code


def test_digit_reads_the_revenue_hierarchy_blocks_as_wards() -> None:
    places = digit_format.read((FIXTURES / "digit__revenue_and_admin.json").read_bytes(),
                               "pb.ludhiana", local_language="pa")
    assert [w.code for w in places.wards] == ["W12", "W21"]  # not ADMIN's ADM-1, not zones
    assert places.wards[0].names == {"en": "Ward 12", "pa": "ਵਾਰਡ 12"}
    by_code = {loc.code: loc for loc in places.localities}
    assert {code: loc.ward for code, loc in by_code.items()} == {
        "model-town": "W12", "model-town-ext": "W12", "dugri": "W12", "sarabha-nagar": "W21"}
    assert by_code["model-town-ext"].boundary == {"type": "Point",
                                                  "coordinates": [75.839, 30.88]}
    assert by_code["dugri"].boundary is None and by_code["dugri"].names == {"en": "Dugri"}


def test_digit_localname_without_a_language_is_an_alternate_spelling() -> None:
    places = digit_format.read((FIXTURES / "digit__revenue_and_admin.json").read_bytes())
    model = next(loc for loc in places.localities if loc.code == "model-town")
    assert model.names == {"en": "Model Town"} and model.alt_names == ("ਮਾਡਲ ਟਾਊਨ",)


def test_boundary_service_search_results_are_read_too() -> None:
    places = digit_format.read((FIXTURES / "boundary_service__search.json").read_bytes(),
                               "pb.ludhiana")
    assert [w.code for w in places.wards] == ["LDH_W07"]
    (loc,) = places.localities
    assert loc.ward == "LDH_W07" and loc.names == {"en": "LDH_CHAURA_BAZAAR"}


@pytest.mark.parametrize(("document", "code"), [
    ({"tenantId": "pb.ludhiana"}, "invalid_digit"),
    ({"TenantBoundary": [{"hierarchyType": "REVENUE", "boundary": 7}]}, "invalid_digit"),
    ({"tenantId": "hr.gurugram", "TenantBoundary": [{"boundary": {}}]}, "tenant_mismatch"),
    ({"TenantBoundary": [{"boundary": {"label": "City", "children": [
        {"label": "Locality", "code": "orphan", "name": "Orphan"}]}}]},
     "locality_without_ward"),
])
def test_bad_digit_data_is_refused(document: object, code: str) -> None:
    assert refused(Format.DIGIT, json.dumps(document).encode()).code == code


@pytest.mark.parametrize("fmt", [Format.CSV, Format.GEOJSON])
def test_csv_and_geojson_round_trip_the_samples(fmt: Format) -> None:
    wards = geojson_format.read((SAMPLES / "wards.geojson").read_bytes())
    localities = csv_format.read((SAMPLES / "localities.csv").read_bytes())
    both = PlaceSet(wards.wards, localities.localities, True, True)
    again = read(fmt, write(fmt, both, "pb.ludhiana", "Ludhiana"), "pb.ludhiana")
    assert again == both


def test_digit_round_trip_keeps_codes_wards_names_and_points() -> None:
    original = digit_format.read((SAMPLES / "boundary-data.json").read_bytes(), "pb.ludhiana",
                                 "pa")
    written = write(Format.DIGIT, original, "pb.ludhiana", "Ludhiana", "pa")
    assert read(Format.DIGIT, written, "pb.ludhiana", "pa") == original
