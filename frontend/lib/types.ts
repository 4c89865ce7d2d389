/**
 * Shapes of the image API (GET /images, GET /images/{id}, POST /uploads),
 * declared once for the server proxy, the browser helpers and the components.
 */

export type ImageStatus = "pending" | "ready" | "failed";

export const IMAGE_STATUSES: readonly ImageStatus[] = [
  "pending",
  "ready",
  "failed",
];

/** One stored thumbnail of an original, with a presigned GET URL. */
export interface Thumbnail {
  max_edge: number;
  width: number;
  height: number;
  url: string;
}

/** One row of the image_metadata table as the API returns it. */
export interface Image {
  image_id: string;
  name: string;
  original_key: string;
  status: ImageStatus;
  reason: string | null;
  uploaded_at: string;
  processed_at: string | null;
  width: number | null;
  height: number | null;
  format: string | null;
  byte_size: number | null;
  content_type: string | null;
  original_url: string | null;
  thumbnail_url: string | null;
  thumbnails: Thumbnail[];
}

/** One page of the newest-first listing; `next_cursor` is null on the last. */
export interface ImagePage {
  items: Image[];
  next_cursor: string | null;
}

/** Body of POST /uploads. */
export interface UploadRequest {
  filename: string;
  content_type: string;
  size: number;
}

/** Answer of POST /uploads: where and how the browser posts the file. */
export interface UploadTicket {
  image_id: string;
  key: string;
  upload: {
    url: string;
    fields: Record<string, string>;
  };
  expires_in: number;
}

/** Body of every API error answer. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
  };
}
