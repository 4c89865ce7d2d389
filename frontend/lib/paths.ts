/**
 * Paths of the image API, shared by the server proxy (relative to
 * GALLERY_API_URL) and the browser (relative to the gallery's /api).
 */

/** Images per page of the newest-first listing. */
export const PAGE_SIZE = 20;

export const UPLOADS_PATH = "/uploads";

export interface ListQuery {
  limit?: number | string | null;
  cursor?: string | null;
}

/** Build `/images?limit=&cursor=`, leaving out what is not given. */
export function makeListPath({ limit, cursor }: ListQuery = {}): string {
  const params = new URLSearchParams();
  if (limit !== undefined && limit !== null && limit !== "") {
    params.set("limit", String(limit));
  }
  if (cursor) {
    params.set("cursor", cursor);
  }
  const query = params.toString();
  return query ? `/images?${query}` : "/images";
}

/** Build `/images/{id}` with the id escaped as one path segment. */
export function makeImagePath(imageId: string): string {
  return `/images/${encodeURIComponent(imageId)}`;
}
