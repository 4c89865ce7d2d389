/**
 * The gallery's list of images in the browser: pages appended in the API's
 * newest-first order, fresh uploads put on top, each image_id at most once.
 */

import type { Image } from "./types";

/**
 * Append a page to the list. An image already shown is updated in place
 * (pages and uploads can overlap), never shown twice.
 */
export function appendImages(current: Image[], incoming: Image[]): Image[] {
  const incomingById = new Map(
    incoming.map((image) => [image.image_id, image]),
  );
  const updated = current.map((image) => {
    const fresher = incomingById.get(image.image_id);
    return fresher ?? image;
  });
  const shownIds = new Set(current.map((image) => image.image_id));
  const added: Image[] = [];
  for (const image of incoming) {
    if (!shownIds.has(image.image_id)) {
      shownIds.add(image.image_id);
      added.push(image);
    }
  }
  return [...updated, ...added];
}

/** Put a new image on top, or update it in place when it is already shown. */
export function prependImage(current: Image[], image: Image): Image[] {
  if (current.some((shown) => shown.image_id === image.image_id)) {
    return replaceImage(current, image);
  }
  return [image, ...current];
}

/** Swap in the fresher copy of an image already in the list. */
export function replaceImage(current: Image[], image: Image): Image[] {
  return current.map((shown) =>
    shown.image_id === image.image_id ? image : shown,
  );
}

/** Drop an image from the list. */
export function removeImage(current: Image[], imageId: string): Image[] {
  return current.filter((image) => image.image_id !== imageId);
}

/**
 * Describe a file that was just uploaded as a pending image, so its card can
 * appear before the first poll answers. Its name is the last part of the key,
 * as the API names it (the API makes file names safe for keys).
 */
export function makePendingImage(
  imageId: string,
  key: string,
  uploadedAt: Date,
): Image {
  return {
    image_id: imageId,
    name: key.split("/").pop() || key,
    original_key: key,
    status: "pending",
    reason: null,
    uploaded_at: uploadedAt.toISOString(),
    processed_at: null,
    width: null,
    height: null,
    format: null,
    byte_size: null,
    content_type: null,
    original_url: null,
    thumbnail_url: null,
    thumbnails: [],
  };
}

/**
 * Types every current browser draws upright in an <img>. TIFF and HEIC are
 * not drawn at all; WebP is left out because Chromium ignores a WebP's EXIF
 * orientation, so a phone photo would show sideways (the thumbnail is upright).
 */
const BROWSER_IMAGE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/avif",
  "image/bmp",
]);

/**
 * Pick what the larger view shows: the original when the browser can draw it
 * and its size is known, else the largest thumbnail.
 */
export function pickPreview(
  image: Image,
): { url: string; width: number; height: number } | null {
  const { original_url: url, content_type: type, width, height } = image;
  const isDrawable = type !== null && BROWSER_IMAGE_TYPES.has(type);
  if (url !== null && isDrawable && width !== null && height !== null) {
    return { url, width, height };
  }
  return pickThumbnail(image, Number.POSITIVE_INFINITY);
}

/** Pick the thumbnail to show at about `wantedEdge` pixels (the card's or the dialog's). */
export function pickThumbnail(
  image: Image,
  wantedEdge: number,
): { url: string; width: number; height: number } | null {
  const bySize = [...image.thumbnails].sort((a, b) => a.max_edge - b.max_edge);
  const bigEnough = bySize.find(
    (thumbnail) => thumbnail.max_edge >= wantedEdge,
  );
  const chosen = bigEnough ?? bySize.at(-1);
  if (chosen) {
    return chosen;
  }
  if (image.thumbnail_url === null) {
    return null;
  }
  return { url: image.thumbnail_url, width: 200, height: 200 };
}
