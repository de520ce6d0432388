"""Publish to S3-compatible object storage with boto3.

Only files whose bytes changed are uploaded (compared by MD5 with the ETag of a
single-part upload), in the site's upload order; objects the site no longer has
are deleted last. Each object gets its Content-Type and a Cache-Control: pages,
feeds and the PDF are revalidated on every visit, other files cached for an hour.
Credentials come from boto3's usual chain (environment, ~/.aws, instance roles).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from briefgen.publish.config import S3Target
from briefgen.publish.errors import PublishFailed
from briefgen.publish.site import BuiltSite, SiteFile

REVALIDATE = "no-cache"
CACHED = "public, max-age=3600"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
_FRESH_SUFFIXES = (".html", ".xml", ".pdf", ".json")


@dataclass(frozen=True, slots=True)
class S3Result:
    changed: tuple[str, ...]
    """'upload path (new)', 'upload path (changed)' and 'delete path' lines."""


def content_type(path: str) -> str:
    if path == "feed.xml":
        return "application/atom+xml; charset=utf-8"
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def cache_control(path: str) -> str:
    return REVALIDATE if path.endswith(_FRESH_SUFFIXES) else CACHED


def publish_s3(site: BuiltSite, target: S3Target, *, dry_run: bool) -> S3Result:
    client = _client(target)
    try:
        existing = dict(_existing(client, target))
        changed: list[str] = []
        for item in site.files:
            etag = existing.get(target.prefix + item.path)
            if etag == item.md5:
                continue
            changed.append(f"upload {item.path} ({'new' if etag is None else 'changed'})")
            if not dry_run:
                _upload(client, target, item)
        gone = sorted(set(existing) - {target.prefix + p for p in site.paths()})
        changed.extend(f"delete {key.removeprefix(target.prefix)}" for key in gone)
        if gone and not dry_run:
            for start in range(0, len(gone), 1000):
                batch = [{"Key": key} for key in gone[start : start + 1000]]
                client.delete_objects(
                    Bucket=target.bucket, Delete={"Objects": batch, "Quiet": True}
                )
    except Exception as exc:
        raise _failure(exc, target) from None
    return S3Result(tuple(changed))


def _client(target: S3Target) -> Any:
    try:
        import boto3
    except ImportError:
        raise PublishFailed("publishing to S3 needs boto3: pip install 'briefgen[s3]'") from None
    # A session of its own: the credentials as the environment gives them now.
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=target.endpoint_url, region_name=target.region)


def _existing(client: Any, target: S3Target) -> Iterator[tuple[str, str]]:
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=target.bucket, Prefix=target.prefix
    )
    for page in pages:
        for obj in page.get("Contents", ()):
            yield obj["Key"], obj["ETag"].strip('"')


def _upload(client: Any, target: S3Target, item: SiteFile) -> None:
    client.put_object(
        Bucket=target.bucket,
        Key=target.prefix + item.path,
        Body=item.file.read_bytes(),
        ContentType=content_type(item.path),
        CacheControl=cache_control(item.path),
    )


def _failure(exc: Exception, target: S3Target) -> PublishFailed:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    if isinstance(exc, NoCredentialsError):
        return PublishFailed(
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE, ~/.aws/credentials); briefing.yaml never holds them"
        )
    if isinstance(exc, EndpointConnectionError):
        return PublishFailed(f"cannot reach the S3 endpoint for {target}")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, said = error.get("Code", "error"), error.get("Message", "")
        return PublishFailed(f"S3 refused ({code}) for {target}: {said}".rstrip(": "))
    if isinstance(exc, BotoCoreError | OSError):
        return PublishFailed(f"S3 publishing to {target} failed: {exc}")
    raise exc
