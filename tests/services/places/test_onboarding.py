"""A second city onboarded from files with the CLI; re-imports rename, move and retire."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner, Result

from services.audit.models import ConfigChange
from services.cli import app
from services.grievances.builtin import BuiltinRegistry
from services.places.locate import locate
from services.tenancy.models import Category, Locality, Tenant, Ward
from services.tenancy.service import load_master_data
from tests.services.places.conftest import FIXTURES, SAMPLES
from tests.support.gateway import LiveGateway

CITY = "pb.ludhiana"


def run(cli: CliRunner, *args: str) -> Result:
    """Run a command and assert it succeeded."""
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def onboard(cli: CliRunner) -> None:
    """Add Ludhiana under Punjab and import its sample wards and localities."""
    run(cli, "tenant", "add", CITY, "--code", "PB-LDH", "--name", "en=Ludhiana",
        "--name", "pa=ਲੁਧਿਆਣਾ", "--name", "hi=लुधियाना", "--phone", "0161 240 1234",
        "--email", "help@mcludhiana.example.in", "--website", "https://mcludhiana.example.in",
        "--address", "en=Zone A Office, Mata Rani Chowk, Ludhiana")
    run(cli, "places", "import", CITY, str(SAMPLES / "wards.geojson"))
    run(cli, "places", "import", CITY, str(SAMPLES / "localities.csv"))


def report(cli: CliRunner, *args: str) -> dict[str, object]:
    """An import's JSON report."""
    return dict(json.loads(run(cli, "places", "import", CITY, *args, "--json").output))


def test_onboard_a_city_from_geojson_and_csv(gateway: LiveGateway, cli: CliRunner) -> None:
    added = run(cli, "tenant", "add", CITY, "--code", "pb-ldh", "--name", "en=Ludhiana",
                "--name", "pa=ਲੁਧਿਆਣਾ", "--phone", "0161 240 1234")
    assert "languages en, hi, pa" in added.output and "(inherited)" in added.output
    assert "phone +911612401234" in added.output
    dry = report(cli, str(SAMPLES / "wards.geojson"), "--dry-run")
    assert dry["dry_run"] and len(dry["added"]) == 6  # type: ignore[arg-type]
    with gateway.ctx.sessions() as db:
        assert not db.scalars(select(Ward).where(Ward.tenant_id == CITY)).all()
    wards = report(cli, str(SAMPLES / "wards.geojson"))
    assert sorted(a["code"] for a in wards["added"]) == [  # type: ignore[attr-defined,index]
        "W07", "W12", "W21", "W33", "W46", "W58"]
    localities = report(cli, str(SAMPLES / "localities.csv"))
    assert len(localities["added"]) == 19 and localities["retired"] == []  # type: ignore[arg-type]
    with gateway.ctx.sessions() as db:
        tenant = db.get_one(Tenant, CITY)
        assert tenant.code == "PB-LDH" and tenant.parent_id == "pb"
        master = load_master_data(db, CITY)
        names = {o.label.get("pa") for o in master.localities}  # type: ignore[union-attr]
        assert "ਮਾਡਲ ਟਾਊਨ" in names and len(master.localities) == 19
        placed = locate(db, CITY, 30.8865, 75.8445)  # Model Town, in ward 12
        assert placed is not None and placed.ward.code == "W12"
        assert placed.locality is not None and placed.locality.code == "model-town"
        assert locate(db, CITY, 31.6340, 74.8723) is None  # Amritsar is not in Ludhiana
        logged = db.scalars(select(ConfigChange).where(ConfigChange.tenant_id == CITY)).all()
        assert {(c.entity, c.action) for c in logged} == {
            ("tenant", "create"), ("ward", "create"), ("locality", "create")}
        assert all(c.actor.startswith("cli:") for c in logged)
    again = report(cli, str(SAMPLES / "localities.csv"))  # the same file again: no change
    assert again["added"] == [] and again["unchanged"] == 19


def test_reimport_renames_moves_and_retires_without_breaking_a_grievance(
        gateway: LiveGateway, cli: CliRunner, tmp_path: Path) -> None:
    onboard(cli)
    with gateway.ctx.sessions() as db:
        db.add(Category(tenant_id=CITY, code="garbage", names={"en": "Garbage"}, sla_hours=24))
        db.flush()
        category = db.scalars(select(Category).where(Category.tenant_id == CITY)).one()
        dugri = db.scalars(select(Locality).where(Locality.tenant_id == CITY,
                                                  Locality.code == "dugri")).one()
        filed = BuiltinRegistry(db, gateway.ctx.crypto).file(
            tenant_id=CITY, category_id=category.id, locality_id=dugri.id,
            description="Garbage dumped near the Dugri market", contact_id=None,
            account_id=None, channel="sms", actor="test")
        db.commit()
    rows = list(csv.DictReader(io.StringIO((SAMPLES / "localities.csv").read_text("utf-8"))))
    kept = [r for r in rows if r["code"] not in ("dugri", "tibba")]  # both gone from the file
    for row in kept:
        if row["code"] == "model-town":
            row["name:en"] = "Model Town Phase 1"
        if row["code"] == "shimlapuri":
            row["ward"] = "W33"
    edited = tmp_path / "localities.csv"
    with edited.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    dry = run(cli, "places", "import", CITY, str(edited), "--dry-run").output
    assert "renamed  locality model-town" in dry and "moved    locality shimlapuri W12 → W33" in dry
    assert "retired  locality dugri" in dry and "retired  locality tibba" in dry
    with gateway.ctx.sessions() as db:
        assert db.get_one(Locality, dugri.id).active  # the dry run wrote nothing
    done = report(cli, str(edited))
    assert [r["code"] for r in done["renamed"]] == ["model-town"]  # type: ignore[index]
    assert done["moved"] == [{"kind": "locality", "code": "shimlapuri", "from": "W12",
                              "to": "W33"}]
    assert sorted(r["code"] for r in done["retired"]) == ["dugri", "tibba"]  # type: ignore[index]
    gateway.ctx.master.clear()
    with gateway.ctx.sessions() as db:
        offered = {o.id for o in load_master_data(db, CITY).localities}
        assert dugri.id not in offered and len(offered) == 17
        view = BuiltinRegistry(db, gateway.ctx.crypto).get(scope=CITY, public_id=filed.id)
        assert view.locality == "dugri" and view.locality_names == {  # still readable
            "en": "Dugri", "pa": "ਦੁੱਗਰੀ", "hi": "दुगरी"}
        placed = locate(db, CITY, 30.8600, 75.8480)  # dugri's old point: retired, not offered
        assert placed is not None and placed.locality is not None
        assert placed.locality.code != "dugri"
        retired = db.scalars(select(ConfigChange).where(ConfigChange.action == "retire")).all()
        assert sorted(c.key for c in retired) == ["dugri", "tibba"]
        assert all(c.before and c.before["active"] for c in retired)
    restored = report(cli, str(SAMPLES / "localities.csv"))
    assert sorted(r["code"] for r in restored["restored"]) == [  # type: ignore[index]
        "dugri", "tibba"]


def test_retiring_a_ward_retires_its_localities(gateway: LiveGateway, cli: CliRunner,
                                               tmp_path: Path) -> None:
    onboard(cli)
    collection = json.loads((SAMPLES / "wards.geojson").read_text("utf-8"))
    collection["features"] = [f for f in collection["features"]
                              if f["properties"]["code"] != "W58"]
    smaller = tmp_path / "wards.geojson"
    smaller.write_text(json.dumps(collection), encoding="utf-8")
    done = report(cli, str(smaller))
    assert sorted((r["kind"], r["code"]) for r in done["retired"]) == [  # type: ignore[index]
        ("locality", "jamalpur"), ("locality", "tibba"), ("ward", "W58")]
    with gateway.ctx.sessions() as db:
        assert locate(db, CITY, 30.9120, 75.9180) is None  # the index was rebuilt


def test_a_locality_in_an_unknown_ward_refuses_the_whole_file(gateway: LiveGateway,
                                                             cli: CliRunner,
                                                             tmp_path: Path) -> None:
    onboard(cli)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,ward,name:en\nnew-colony,W99,New Colony\nmodel-town,W12,Renamed\n",
                   encoding="utf-8")
    result = cli.invoke(app, ["places", "import", CITY, str(bad)])
    assert result.exit_code == 2
    assert "refused unknown_ward at new-colony (W99)" in result.output
    with gateway.ctx.sessions() as db:
        town = db.scalars(select(Locality).where(Locality.code == "model-town")).one()
        assert town.names["en"] == "Model Town"  # nothing of it was applied


def test_export_round_trips_in_every_format(gateway: LiveGateway, cli: CliRunner,
                                           tmp_path: Path) -> None:
    onboard(cli)
    for fmt in ("geojson", "csv"):
        out = tmp_path / f"export.{fmt}"
        run(cli, "places", "export", CITY, "--format", fmt, "--output", str(out))
        again = report(cli, str(out))
        assert again["unchanged"] == 25 and not any(  # type: ignore[comparison-overlap]
            again[k] for k in ("added", "renamed", "moved", "updated", "restored", "retired"))
    printed = run(cli, "places", "export", CITY, "--format", "geojson").output
    features = json.loads(printed)["features"]
    assert len(features) == 25 and features[0]["geometry"]["type"] == "Polygon"


def test_digit_boundary_data_imports_and_exports(gateway: LiveGateway, cli: CliRunner,
                                                tmp_path: Path) -> None:
    run(cli, "tenant", "add", CITY, "--code", "PB-LDH", "--name", "en=Ludhiana")
    first = report(cli, str(FIXTURES / "digit__revenue_and_admin.json"), "--local-language",
                   "pa")
    assert sorted(a["code"] for a in first["added"]) == [  # type: ignore[index]
        "W12", "W21", "dugri", "model-town", "model-town-ext", "sarabha-nagar"]
    with gateway.ctx.sessions() as db:
        ext = db.scalars(select(Locality).where(Locality.code == "model-town-ext")).one()
        assert ext.names == {"en": "Model Town Extension", "pa": "ਮਾਡਲ ਟਾਊਨ ਐਕਸਟੈਂਸ਼ਨ"}
        assert ext.boundary == {"type": "Point", "coordinates": [75.839, 30.88]}
    # the full sample: more wards and localities, the extension retired
    full = report(cli, str(SAMPLES / "boundary-data.json"), "--local-language", "pa")
    assert len(full["added"]) == 4 + 16 and [  # type: ignore[arg-type]
        r["code"] for r in full["retired"]] == ["model-town-ext"]  # type: ignore[index]
    # GeoJSON adds the ward maps, the CSV Hindi names and other spellings
    assert len(report(cli, str(SAMPLES / "wards.geojson"))["updated"]) == 6  # type: ignore[arg-type]
    report(cli, str(SAMPLES / "localities.csv"))
    # re-importing DIGIT data keeps what DIGIT cannot hold: maps, Hindi, other spellings
    again = report(cli, str(SAMPLES / "boundary-data.json"), "--local-language", "pa")
    assert again["unchanged"] == 25 and not again["updated"] and not again["renamed"]
    with gateway.ctx.sessions() as db:
        placed = locate(db, CITY, 30.8865, 75.8445)
        assert placed is not None and placed.locality is not None
        assert placed.locality.names["hi"] == "मॉडल टाउन"
    out = tmp_path / "digit.json"
    run(cli, "places", "export", CITY, "--format", "digit", "--local-language", "pa",
        "--output", str(out))
    assert report(cli, str(out), "--local-language", "pa")["unchanged"] == 25
    document = json.loads(out.read_text("utf-8"))
    city = document["TenantBoundary"][0]["boundary"]
    assert city["code"] == CITY and city["name"] == "Ludhiana"
    assert {child["label"] for child in city["children"]} == {"Block"}
    wrong = cli.invoke(app, ["places", "import", "pb.amritsar", str(out)])
    assert wrong.exit_code == 2 and "tenant_mismatch" in wrong.output


def test_tenant_edit_changes_contact_details_and_records_them(gateway: LiveGateway,
                                                             cli: CliRunner) -> None:
    onboard(cli)
    edited = run(cli, "tenant", "edit", CITY, "--languages", "pa,en", "--phone", "1100",
                 "--email", "", "--name", "en=Ludhiana", "--name", "pa=ਲੁਧਿਆਣਾ")
    assert "languages pa, en (own); default en" in edited.output and "phone 1100" in edited.output
    assert "e-mail" not in edited.output
    bad = cli.invoke(app, ["tenant", "edit", CITY, "--default-language", "ta"])
    assert bad.exit_code == 2 and "invalid_default_language" in bad.output
    taken = cli.invoke(app, ["tenant", "add", "pb.jalandhar", "--code", "PB-LDH",
                             "--name", "en=Jalandhar"])
    assert taken.exit_code == 2 and "code_taken" in taken.output
    orphan = cli.invoke(app, ["tenant", "add", "hr.gurugram", "--code", "HR-GGN",
                              "--name", "en=Gurugram"])
    assert orphan.exit_code == 2 and "unknown_parent" in orphan.output
    assert run(cli, "tenant", "add", "hr", "--code", "HR", "--name", "en=Haryana",
               "--languages", "hi,en")
    assert run(cli, "tenant", "add", "hr.gurugram", "--code", "HR-GGN", "--name",
               "en=Gurugram")
    with gateway.ctx.sessions() as db:
        change = db.scalars(select(ConfigChange).where(
            ConfigChange.key == CITY, ConfigChange.action == "update")).one()
        assert change.before == {"languages": [], "phone": "+911612401234",
                                 "email": "help@mcludhiana.example.in",
                                 "names": {"en": "Ludhiana", "pa": "ਲੁਧਿਆਣਾ",
                                           "hi": "लुधियाना"}}
        assert change.after == {"languages": ["pa", "en"], "phone": "1100", "email": None,
                                "names": {"en": "Ludhiana", "pa": "ਲੁਧਿਆਣਾ"}}
