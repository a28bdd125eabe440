"""Point in polygon: the ward and locality of a point, on shared edges, outside, in holes."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Point, Polygon, box

from services.places.locate import Place, PlaceIndex

WEST = Place("w-west", "W02", {"en": "Ward 2"})
EAST = Place("w-east", "W01", {"en": "Ward 1"})
ENCLAVE = Place("w-enclave", "W09", {"en": "Cantonment"})
# W02 is the square 0..1 with a hole (0.4..0.6) that the enclave W09 fills; W01 is 1..2.
WEST_SHAPE = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)],
                     holes=[[(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)]])


def index(localities: list[tuple[Place, object]] | None = None,
          with_enclave: bool = True) -> PlaceIndex:
    """Three wards in degrees (lon = x, lat = y) and the given localities."""
    wards = [(WEST, WEST_SHAPE), (EAST, box(1, 0, 2, 1))]
    if with_enclave:
        wards.append((ENCLAVE, box(0.4, 0.4, 0.6, 0.6)))
    return PlaceIndex(wards, list(localities or []))  # type: ignore[arg-type]


def ward_at(idx: PlaceIndex, lon: float, lat: float) -> str | None:
    """The ward code placed at a point, None outside."""
    placed = idx.locate(lat, lon)
    return placed.ward.code if placed else None


def test_a_point_inside_one_ward_is_placed_there() -> None:
    idx = index()
    assert ward_at(idx, 0.2, 0.5) == "W02"
    assert ward_at(idx, 1.5, 0.5) == "W01"


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code_every_time() -> None:
    """x = 1 is the edge of W02 and W01: both cover it; W01 < W02."""
    for _ in range(3):
        assert ward_at(index(), 1.0, 0.5) == "W01"
    assert ward_at(index(), 1.0, 0.0) == "W01"  # a shared corner too
    assert ward_at(index(), 0.5, 0.4) == "W02"  # the edge of the hole: W02 and W09 cover it


def test_a_point_outside_every_ward_is_none() -> None:
    idx = index()
    assert idx.locate(5.0, 5.0) is None
    assert idx.locate(-0.0001, 0.5) is None
    assert idx.locate(float("nan"), 0.5) is None


def test_a_hole_belongs_to_the_ward_that_fills_it_or_to_nobody() -> None:
    assert ward_at(index(), 0.5, 0.5) == "W09"
    assert ward_at(index(with_enclave=False), 0.5, 0.5) is None
    assert ward_at(index(with_enclave=False), 0.3, 0.5) == "W02"


def test_multipolygon_wards_cover_each_part() -> None:
    islands = Place("w-isl", "W05", {"en": "Ward 5"})
    idx = PlaceIndex([(islands, MultiPolygon([box(10, 10, 11, 11), box(12, 10, 13, 11)]))], [])
    assert ward_at(idx, 10.5, 10.5) == "W05"
    assert ward_at(idx, 12.5, 10.5) == "W05"
    assert ward_at(idx, 11.5, 10.5) is None


def test_a_polygon_locality_wins_over_nearer_points() -> None:
    market = Place("l-market", "market", {"en": "Market"}, ward_id=WEST.id)
    temple = Place("l-temple", "temple", {"en": "Temple"}, ward_id=WEST.id)
    idx = index([(market, box(0, 0, 0.3, 0.3)), (temple, Point(0.29, 0.31))])
    placed = idx.locate(0.29, 0.29)
    assert placed is not None and placed.locality == market
    placed = idx.locate(0.8, 0.8)  # outside the market polygon: the nearest point
    assert placed is not None and placed.locality == temple


def test_the_nearest_locality_point_of_the_ward_is_taken() -> None:
    near = Place("l-near", "b-near", {"en": "Near"}, ward_id=WEST.id)
    far = Place("l-far", "a-far", {"en": "Far"}, ward_id=WEST.id)
    other_ward = Place("l-east", "east", {"en": "East side"}, ward_id=EAST.id)
    idx = index([(near, Point(0.2, 0.2)), (far, Point(0.9, 0.9)),
                 (other_ward, Point(1.01, 0.2))])
    placed = idx.locate(0.2, 0.62)  # nearer to East side's point, but that is another ward
    assert placed is not None and placed.ward == WEST and placed.locality == near


def test_nearest_uses_ground_distance_not_degrees() -> None:
    """At 60°N a degree of longitude is half a degree of latitude on the ground."""
    ward = Place("w", "W01", {"en": "Ward"})
    east = Place("e", "east", {"en": "East"}, ward_id="w")
    north = Place("n", "north", {"en": "North"}, ward_id="w")
    idx = PlaceIndex([(ward, box(0, 59, 2, 61))],
                     [(east, Point(1.8, 60.0)), (north, Point(1.0, 60.6))])
    placed = idx.locate(60.0, 1.0)  # 0.8° east ≈ 0.4° on the ground; 0.6° north
    assert placed is not None and placed.locality == east


def test_a_ward_without_localities_places_the_ward_only() -> None:
    placed = index().locate(0.5, 1.5)
    assert placed is not None and placed.ward == EAST and placed.locality is None
