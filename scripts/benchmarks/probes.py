"""What the end-to-end watchers poll: our rows, our listing, the tutorial's rows.

A probe takes the keys still awaited and returns those it now sees, with their
status. Polling costs CPU on the cores under test, so each asks as little as it can.
"""

import itertools
import json
import urllib.request
from collections.abc import Callable
from typing import Any

from lambdas import records

FINAL_STATUSES = ("ready", "failed")
BATCH_GET_LIMIT = 100
LISTING_PAGE = 100
NEWEST_PAGE = 50
FULL_WALK_EVERY = 5

Probe = Callable[[set[str]], dict[str, str]]


def row_probe(dynamodb: Any, table_name: str, bucket: str) -> Probe:
    """See our rows by id (BatchGetItem, 100 ids a call) once they are ready or failed."""

    def probe(keys: set[str]) -> dict[str, str]:
        ids = {records.make_image_id(bucket, key): key for key in keys}
        found: dict[str, str] = {}
        id_list = sorted(ids)
        for start in range(0, len(id_list), BATCH_GET_LIMIT):
            chunk = id_list[start : start + BATCH_GET_LIMIT]
            request = {
                table_name: {
                    "Keys": [{"image_id": {"S": image_id}} for image_id in chunk],
                    "ProjectionExpression": "image_id, #s",
                    "ExpressionAttributeNames": {"#s": "status"},
                }
            }
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table_name, []):
                status = item["status"]["S"]
                if status in FINAL_STATUSES:
                    found[ids[item["image_id"]["S"]]] = status
        return found

    return probe


def get_json(url: str) -> Any:
    """GET a JSON document from the benchmark's own loopback emulator."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def listing_probe(api_url: str, bucket: str) -> Probe:
    """See our images in GET /images: the newest page each time, every page every few times."""
    calls = itertools.count(1)

    def probe(keys: set[str]) -> dict[str, str]:
        ids = {records.make_image_id(bucket, key): key for key in keys}
        walks_all = next(calls) % FULL_WALK_EVERY == 0
        found: dict[str, str] = {}
        cursor = None
        while True:
            limit = LISTING_PAGE if walks_all else NEWEST_PAGE
            query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            page = get_json(f"{api_url}/images{query}")
            for item in page["items"]:
                key = ids.get(item["image_id"])
                if key and item["status"] in FINAL_STATUSES:
                    found[key] = item["status"]
            cursor = page.get("next_cursor")
            if not walks_all or not cursor or len(found) == len(ids):
                return found

    return probe


def tutorial_probe(dynamodb: Any, table_name: str, bucket: str) -> Probe:
    """See the tutorial's rows (random ids) by scanning its table for each original's URL."""
    prefix = f"https://{bucket}.s3.amazonaws.com/"

    def probe(keys: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
            for item in page["Items"]:
                key = item["original_url"]["S"].removeprefix(prefix)
                if key in keys:
                    found[key] = "ready"
        return found

    return probe
