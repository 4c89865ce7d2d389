/**
 * The browser's first look at a chosen file before asking for a presigned
 * POST. It mirrors the API's limits to spare a round trip; the API and the
 * presigned POST's conditions stay the authority.
 */

import { formatBytes } from "./format";

/**
 * Image types POST /uploads accepts (lambdas/uploads.py), with their
 * extensions; keep the two lists in step.
 */
export const ACCEPTED_TYPES: Readonly<Record<string, readonly string[]>> = {
  "image/jpeg": [".jpg", ".jpeg"],
  "image/png": [".png"],
  "image/gif": [".gif"],
  "image/webp": [".webp"],
  "image/tiff": [".tif", ".tiff"],
  "image/bmp": [".bmp"],
  "image/avif": [".avif"],
  "image/heic": [".heic"],
  "image/heif": [".heif"],
};

/** Value of the file input's `accept` attribute. */
export const ACCEPT_ATTRIBUTE = Object.entries(ACCEPTED_TYPES)
  .flatMap(([type, extensions]) => [type, ...extensions])
  .join(",");

/** Short list for people. */
export const ACCEPTED_LABEL = "JPEG, PNG, GIF, WebP, TIFF, BMP, AVIF or HEIC";

/** The part of a File this check needs (a File satisfies it). */
export interface FileFacts {
  name: string;
  type: string;
  size: number;
}

export type FileCheck =
  { ok: true; contentType: string } | { ok: false; message: string };

/**
 * Return the content type to announce for a file, from its MIME type or, when
 * the browser gives none (some systems do for TIFF), from its extension.
 */
export function resolveContentType(file: FileFacts): string | null {
  const type = file.type.toLowerCase();
  if (Object.hasOwn(ACCEPTED_TYPES, type)) {
    return type;
  }
  if (type !== "") {
    return null;
  }
  const name = file.name.toLowerCase();
  const match = Object.entries(ACCEPTED_TYPES).find(([, extensions]) =>
    extensions.some((extension) => name.endsWith(extension)),
  );
  return match ? match[0] : null;
}

/** Check a file's type and size against the upload limits. */
export function checkFile(file: FileFacts, maxBytes: number): FileCheck {
  const contentType = resolveContentType(file);
  if (contentType === null) {
    return {
      ok: false,
      message: `Not a supported image type. Choose ${ACCEPTED_LABEL}.`,
    };
  }
  if (file.size === 0) {
    return { ok: false, message: "The file is empty." };
  }
  if (file.size > maxBytes) {
    return {
      ok: false,
      message: `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`,
    };
  }
  return { ok: true, contentType };
}
