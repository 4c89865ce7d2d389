"""The stress load: a plan of uploads, sent in bursts by a bounded pool of threads.

Most uploads are S3 PutObject calls; a few go the gallery's way (POST /uploads,
then the presigned form POST), so pending rows are part of the load too.
An upload that fails (the emulator is restarting) is reported, not raised.
"""

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

import requests
from botocore.exceptions import BotoCoreError, ClientError

from scripts.reliability.imagery import Payload, make_image, make_invalid

Fault = Literal["", "transient", "poison"]

HTTP_TIMEOUT_S = 30


@dataclass(frozen=True)
class Upload:
    """One planned upload; `key` is known up front except for API uploads (the API picks it)."""

    index: int
    key: str
    payload: Payload
    via_api: bool = False
    fault: Fault = ""


@dataclass(frozen=True)
class Sent:
    """How one upload went: the key it landed under, or the error that stopped it."""

    upload: Upload
    key: str = ""
    error: str = ""
    ticket: dict[str, Any] | None = None

    @property
    def is_stored(self) -> bool:
        """Return whether the storage acknowledged the object."""
        return not self.error

    @property
    def lost_ticket(self) -> bool:
        """Tell whether POST /uploads failed: the API may have recorded a row all the same."""
        return bool(self.error) and self.upload.via_api and self.ticket is None


def fault_prefix(run_prefix: str, fault: Fault) -> str:
    """Name the key prefix of the uploads that meet `fault`."""
    return f"{run_prefix}{fault}/"


def plan_uploads(
    count: int,
    run_prefix: str,
    invalid_every: int,
    api_every: int,
    transient: int,
    poison: int,
) -> list[Upload]:
    """Plan `count` uploads: every `invalid_every`-th invalid, every `api_every`-th via the API.

    The first `transient` and `poison` valid S3 uploads land under their fault
    prefixes; they share the first burst with ordinary neighbours.
    """
    faults = cast(list[Fault], ["transient"] * transient + ["poison"] * poison)
    uploads = []
    for index in range(count):
        is_invalid = invalid_every > 0 and index % invalid_every == invalid_every - 1
        payload = make_invalid(index) if is_invalid else make_image(index)
        via_api = not is_invalid and api_every > 0 and index % api_every == api_every - 2
        fault: Fault = faults.pop(0) if faults and not is_invalid and not via_api else ""

        folder = (
            fault_prefix(run_prefix, fault) if fault else f"{run_prefix}burst-{index // 32:03d}/"
        )
        key = "" if via_api else f"{folder}{index:05d}-{payload.kind}.{payload.extension}"
        uploads.append(Upload(index, key, payload, via_api, fault))
    return uploads


def split_bursts(uploads: Sequence[Upload], burst_size: int) -> Iterator[Sequence[Upload]]:
    """Yield the uploads `burst_size` at a time."""
    for start in range(0, len(uploads), burst_size):
        yield uploads[start : start + burst_size]


class Uploader:
    """Sends uploads with a bounded thread pool: S3 PutObject, or POST /uploads and a form POST."""

    def __init__(self, s3: Any, bucket_name: str, api_url: str, threads: int) -> None:
        self.s3 = s3
        self.bucket_name = bucket_name
        self.api_url = api_url
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="upload")

    def submit(self, uploads: Sequence[Upload]) -> list[Future[Sent]]:
        """Start sending `uploads`; each future gives its Sent."""
        return [self.pool.submit(self.send, upload) for upload in uploads]

    def resubmit(self, failed: Sequence[Sent]) -> list[Future[Sent]]:
        """Send failed uploads again, API uploads with the ticket they already have."""
        return [self.pool.submit(self.send, sent.upload, sent.ticket) for sent in failed]

    def send(self, upload: Upload, ticket: dict[str, Any] | None = None) -> Sent:
        """Send one upload and say how it went."""
        if not upload.via_api:
            try:
                self.s3.put_object(
                    Bucket=self.bucket_name,
                    Key=upload.key,
                    Body=upload.payload.data,
                    ContentType=upload.payload.content_type,
                )
            except (BotoCoreError, ClientError) as exc:
                return Sent(upload, error=f"{type(exc).__name__}: {exc}")
            return Sent(upload, key=upload.key)
        return self._send_via_api(upload, ticket)

    def _send_via_api(self, upload: Upload, ticket: dict[str, Any] | None) -> Sent:
        payload = upload.payload
        try:
            if ticket is None:
                ticket = self._ask_ticket(upload)
            form = ticket["upload"]
            name = ticket["key"].rsplit("/", 1)[-1]
            answer = requests.post(
                form["url"],
                data=form["fields"],
                files={"file": (name, payload.data, payload.content_type)},
                timeout=HTTP_TIMEOUT_S,
            )
            if answer.status_code not in (200, 201, 204):
                raise requests.HTTPError(f"storage answered {answer.status_code}")
        except (requests.RequestException, KeyError, ValueError) as exc:
            return Sent(upload, error=f"{type(exc).__name__}: {exc}", ticket=ticket)
        return Sent(replace(upload, key=ticket["key"]), key=ticket["key"], ticket=ticket)

    def _ask_ticket(self, upload: Upload) -> dict[str, Any]:
        payload = upload.payload
        body: dict[str, str | int] = {
            "filename": f"{upload.index:05d}-{payload.kind}.{payload.extension}",
            "content_type": payload.content_type,
            "size": len(payload.data),
        }
        answer = requests.post(f"{self.api_url}/uploads", json=body, timeout=HTTP_TIMEOUT_S)
        if answer.status_code != 201:
            raise requests.HTTPError(f"POST /uploads answered {answer.status_code}")
        ticket: dict[str, Any] = answer.json()
        return ticket

    def close(self) -> None:
        """Wait for what is in flight and stop the threads."""
        self.pool.shutdown(wait=True)
