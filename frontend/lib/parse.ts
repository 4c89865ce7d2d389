/**
 * Turn untrusted JSON from the API into the types of lib/types.ts.
 *
 * Required fields are checked; optional ones the API may leave out are
 * normalised to null (or []), so components never meet `undefined`.
 */

import { ApiError } from "./errors";
import {
  IMAGE_STATUSES,
  type Image,
  type ImagePage,
  type ImageStatus,
  type Thumbnail,
  type UploadTicket,
} from "./types";

type Json = Record<string, unknown>;

function fail(what: string): never {
  throw new ApiError(502, "invalid_response", `The API sent ${what}.`);
}

function asObject(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`no ${what} object`);
  }
  return value as Json;
}

function readString(record: Json, field: string): string {
  const value = record[field];
  if (typeof value !== "string") {
    fail(`no string "${field}"`);
  }
  return value;
}

function readOptionalString(record: Json, field: string): string | null {
  const value = record[field];
  return typeof value === "string" ? value : null;
}

function readOptionalNumber(record: Json, field: string): number | null {
  const value = record[field];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function isStatus(value: unknown): value is ImageStatus {
  return IMAGE_STATUSES.some((status) => status === value);
}

function parseThumbnail(value: unknown): Thumbnail {
  const record = asObject(value, "thumbnail");
  const maxEdge = readOptionalNumber(record, "max_edge");
  const width = readOptionalNumber(record, "width");
  const height = readOptionalNumber(record, "height");
  if (maxEdge === null || width === null || height === null) {
    fail("a thumbnail without its size");
  }
  return {
    max_edge: maxEdge,
    width,
    height,
    url: readString(record, "url"),
  };
}

/** Check one image of the API and fill in its optional fields. */
export function parseImage(value: unknown): Image {
  const record = asObject(value, "image");
  const status = record.status;
  if (!isStatus(status)) {
    fail(`an unknown image status (${String(status)})`);
  }
  const thumbnails = Array.isArray(record.thumbnails)
    ? record.thumbnails.map(parseThumbnail)
    : [];
  const originalKey = readOptionalString(record, "original_key") ?? "";

  return {
    image_id: readString(record, "image_id"),
    name: readOptionalString(record, "name") ?? nameFromKey(originalKey),
    original_key: originalKey,
    status,
    reason: readOptionalString(record, "reason"),
    uploaded_at: readString(record, "uploaded_at"),
    processed_at: readOptionalString(record, "processed_at"),
    width: readOptionalNumber(record, "width"),
    height: readOptionalNumber(record, "height"),
    format: readOptionalString(record, "format"),
    byte_size: readOptionalNumber(record, "byte_size"),
    content_type: readOptionalString(record, "content_type"),
    original_url: readOptionalString(record, "original_url"),
    thumbnail_url: readOptionalString(record, "thumbnail_url"),
    thumbnails,
  };
}

/** Check one page of GET /images. */
export function parseImagePage(value: unknown): ImagePage {
  const record = asObject(value, "page");
  if (!Array.isArray(record.items)) {
    fail('a page without "items"');
  }
  return {
    items: record.items.map(parseImage),
    next_cursor: readOptionalString(record, "next_cursor"),
  };
}

/** Check the answer of POST /uploads. */
export function parseUploadTicket(value: unknown): UploadTicket {
  const record = asObject(value, "upload ticket");
  const upload = asObject(record.upload, "upload");
  const fields = asObject(upload.fields, "upload fields");
  const stringFields: Record<string, string> = {};
  for (const [name, fieldValue] of Object.entries(fields)) {
    if (typeof fieldValue !== "string") {
      fail(`a non-string upload field "${name}"`);
    }
    stringFields[name] = fieldValue;
  }

  return {
    image_id: readString(record, "image_id"),
    key: readString(record, "key"),
    upload: { url: readString(upload, "url"), fields: stringFields },
    expires_in: readOptionalNumber(record, "expires_in") ?? 0,
  };
}

function nameFromKey(key: string): string {
  const lastPart = key.split("/").pop();
  return lastPart === undefined || lastPart === "" ? key : lastPart;
}
