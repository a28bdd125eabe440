"""The S3-compatible store against moto's server in its own process: what lands in the
bucket is ciphertext, and the round trip through the copier's encryption gives the file."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest

from services.media.store import ObjectMissing, S3Store, StoreError, make_store
from services.security.crypto import Crypto
from tests.services.grievances.citizen import Staff, new_key
from tests.services.media.conversation import JPEG, cloud_phone, file_on_cloud
from tests.support.gateway import LiveGateway, free_port, make_settings

BUCKET = "nagarsetu-media"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
               "region_name": "ap-south-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """`python -m moto.server` on a free port, with one bucket."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, "moto not up"
                time.sleep(0.1)
        boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_bucket_holds_only_ciphertext(s3_endpoint: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, 0, media_store="s3", media_s3_bucket=BUCKET,
                             media_s3_endpoint_url=s3_endpoint, media_s3_region="ap-south-1",
                             media_s3_prefix="media", media_s3_access_key_id="testing",
                             media_s3_secret_access_key="testing")
    store = make_store(settings)
    assert isinstance(store, S3Store)
    crypto = Crypto(settings.secret_key.get_secret_value())
    store.put("pb.amritsar/0123abcd", crypto.encrypt_bytes(JPEG))
    raw = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS).get_object(
        Bucket=BUCKET, Key="media/pb.amritsar/0123abcd")["Body"].read()
    assert b"JFIF" not in raw and JPEG[:4] not in raw
    assert crypto.decrypt_bytes(store.get("pb.amritsar/0123abcd")) == JPEG
    with pytest.raises(ObjectMissing):
        store.get("pb.amritsar/absent")
    store.delete("pb.amritsar/0123abcd")
    store.delete("pb.amritsar/0123abcd")  # gone already: S3 says the same
    with pytest.raises(ObjectMissing):
        store.get("pb.amritsar/0123abcd")


def test_a_wrong_bucket_or_bad_key_is_a_store_error(s3_endpoint: str) -> None:
    store = S3Store("no-such-bucket", endpoint_url=s3_endpoint, **CREDENTIALS)
    with pytest.raises(StoreError) as caught:
        store.put("pb.amritsar/x", b"data")
    assert caught.value.code == "store_unavailable"
    with pytest.raises(ValueError):
        S3Store(BUCKET, endpoint_url=s3_endpoint, **CREDENTIALS).put("../escape", b"x")


def test_s3_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NAGARSETU_MEDIA_S3_BUCKET"):
        make_settings(tmp_path, 0, media_store="s3")


def test_a_gateway_on_s3_copies_and_serves_the_photo(s3_endpoint: str, tmp_path: Path) -> None:
    port = free_port()
    settings = make_settings(tmp_path, port, media_store="s3", media_s3_bucket=BUCKET,
                             media_s3_endpoint_url=s3_endpoint, media_s3_region="ap-south-1",
                             media_s3_access_key_id="testing",
                             media_s3_secret_access_key="testing")
    gateway = LiveGateway(settings, port).start()
    try:
        gid = file_on_cloud(cloud_phone(gateway))
        gateway.settle()
        (media,) = Staff(gateway, new_key(gateway)).get(gid).json()["media"]
        assert media["status"] == "stored"
        assert gateway.http.get(media["url"]).content == JPEG
        key = f"pb.amritsar/{media['id']}"
        raw = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS).get_object(
            Bucket=BUCKET, Key=key)["Body"].read()
        assert b"JFIF" not in raw
        assert not (tmp_path / "media").exists()  # nothing on the local disk
    finally:
        gateway.stop()
