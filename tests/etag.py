"""PATCH and PUT under /api/ need If-Match with the object's ETag (428 without it): tests that change an object send
the ETag of a GET made just before, as a client that read the object would."""

import json


def with_etag(client, method: str, url: str, data=None, **extra):
    etag = client.get(url)["ETag"]
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", HTTP_IF_MATCH=etag, **extra
    )


def patch_with_etag(client, url: str, data=None, **extra):
    return with_etag(client, "patch", url, data, **extra)
