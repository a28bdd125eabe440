"""Where copies live: a `MediaStore` holds opaque bytes (already encrypted) under a key.

Two stores: the filesystem (embedded default, under `.nagarsetu/media`) and any S3-compatible
object store (boto3), chosen by `NAGARSETU_MEDIA_STORE`. Neither ever sees a clear file: the
copier encrypts with the key ring before `put` and decrypts after `get`.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from services.settings import Settings

KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}(/[a-z0-9][a-z0-9._-]{0,63}){0,3}$")
"""Object keys: `<tenant>/<media id>`, lower-case and without `..` or absolute paths."""


class StoreError(Exception):
    """The store could not be reached or refused the operation (retried later)."""

    code = "store_unavailable"


class ObjectMissing(StoreError):
    """No object under that key."""

    code = "object_missing"


class MediaStore(Protocol):
    """Opaque bytes by key."""

    def put(self, key: str, data: bytes) -> None:
        """Store (or replace) the object."""

    def get(self, key: str) -> bytes:
        """The object's bytes; ObjectMissing when there is none."""

    def delete(self, key: str) -> None:
        """Remove the object; nothing happens when there is none."""


def checked(key: str) -> str:
    """The key, if it is one the stores accept; ValueError otherwise."""
    if not KEY.match(key) or ".." in key:
        raise ValueError("bad object key")
    return key


class FilesystemStore:
    """Objects as files under a root directory, written atomically (temp file, then rename)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        """The file of a key."""
        return self.root / checked(key)

    def put(self, key: str, data: bytes) -> None:
        """Write the file; a crash leaves the old one or none, never half of one."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StoreError(type(exc).__name__) from None

    def get(self, key: str) -> bytes:
        """Read the file."""
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        except OSError as exc:
            raise StoreError(type(exc).__name__) from None

    def delete(self, key: str) -> None:
        """Remove the file, if there is one."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(type(exc).__name__) from None


class S3Store:
    """Objects in a bucket of an S3-compatible store (AWS, MinIO, Ceph…), through boto3."""

    def __init__(self, bucket: str, prefix: str = "", **client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._options = client
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        """The boto3 client, built on first use (a forked worker builds its own)."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                config = Config(connect_timeout=5, read_timeout=15,
                                retries={"max_attempts": 3, "mode": "standard"})
                self._client = boto3.client("s3", config=config, **self._options)
            return self._client

    def put(self, key: str, data: bytes) -> None:
        """PUT the object (its content is ciphertext: stored as octet-stream)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client().put_object(Bucket=self.bucket, Key=self.prefix + checked(key),
                                     Body=data, ContentType="application/octet-stream")
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(type(exc).__name__) from None

    def get(self, key: str) -> bytes:
        """GET the object's bytes."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client().get_object(Bucket=self.bucket, Key=self.prefix + checked(key))
            return bytes(answer["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectMissing(key) from None
            raise StoreError(type(exc).__name__) from None
        except BotoCoreError as exc:
            raise StoreError(type(exc).__name__) from None

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers the same whether it existed or not)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client().delete_object(Bucket=self.bucket, Key=self.prefix + checked(key))
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(type(exc).__name__) from None


def make_store(settings: Settings) -> MediaStore:
    """The store the settings choose."""
    if settings.media_store == "s3":
        options: dict[str, Any] = {"endpoint_url": settings.media_s3_endpoint_url,
                                   "region_name": settings.media_s3_region}
        if settings.media_s3_access_key_id and settings.media_s3_secret_access_key:
            options.update(
                aws_access_key_id=settings.media_s3_access_key_id.get_secret_value(),
                aws_secret_access_key=settings.media_s3_secret_access_key.get_secret_value())
        return S3Store(str(settings.media_s3_bucket), settings.media_s3_prefix, **options)
    return FilesystemStore(settings.media_dir)
