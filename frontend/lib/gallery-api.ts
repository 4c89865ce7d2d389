/**
 * The browser's calls to the gallery's own /api routes (which proxy to the
 * image API server-side, so the browser never needs the API's URL).
 */

import { ApiError, parseJson, toApiError } from "./errors";
import { parseImage, parseImagePage, parseUploadTicket } from "./parse";
import { makeImagePath, makeListPath, PAGE_SIZE, UPLOADS_PATH } from "./paths";
import type { Image, ImagePage, UploadRequest, UploadTicket } from "./types";

const GALLERY_API_PREFIX = "/api";

async function requestJson(
  path: string,
  init: RequestInit = {},
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${GALLERY_API_PREFIX}${path}`, {
      ...init,
      cache: "no-store",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") {
      throw error;
    }
    throw new ApiError(
      0,
      "network_error",
      "The gallery server cannot be reached.",
    );
  }

  const text = await response.text();
  if (!response.ok) {
    throw toApiError(response.status, text);
  }
  return text === "" ? null : parseJson(text);
}

/** Load the page of the listing that follows `cursor` (the first when null). */
export async function fetchImagePage(
  cursor: string | null,
): Promise<ImagePage> {
  const body = await requestJson(makeListPath({ limit: PAGE_SIZE, cursor }));
  return parseImagePage(body);
}

/** Load one image; ApiError 404 when it no longer exists. */
export async function fetchImage(
  imageId: string,
  signal?: AbortSignal,
): Promise<Image> {
  const body = await requestJson(makeImagePath(imageId), { signal });
  return parseImage(body);
}

/** Ask for a presigned POST for one file; ApiError 400/413/415 when refused. */
export async function requestUpload(
  request: UploadRequest,
): Promise<UploadTicket> {
  const body = await requestJson(UPLOADS_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  return parseUploadTicket(body);
}

/** Delete an image's original; the pipeline then removes its thumbnails and row. */
export async function deleteImage(imageId: string): Promise<void> {
  await requestJson(makeImagePath(imageId), { method: "DELETE" });
}
