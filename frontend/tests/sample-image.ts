import type { Image } from "@/lib/types";

/** A ready image with every field set; override what a test is about. */
export function makeImage(overrides: Partial<Image> = {}): Image {
  return {
    image_id: "a1",
    name: "photo.jpg",
    original_key: "uploads/photo.jpg",
    status: "ready",
    reason: null,
    uploaded_at: "2026-12-01T10:00:00Z",
    processed_at: "2026-12-01T10:00:02Z",
    width: 1800,
    height: 1200,
    format: "JPEG",
    byte_size: 123456,
    content_type: "image/jpeg",
    original_url: "http://127.0.0.1:4566/originals/photo.jpg?sig=1",
    thumbnail_url: "http://127.0.0.1:4566/thumbs/a1/200.jpg?sig=1",
    thumbnails: [
      {
        max_edge: 200,
        width: 200,
        height: 133,
        url: "http://127.0.0.1:4566/thumbs/a1/200.jpg?sig=1",
      },
    ],
    ...overrides,
  };
}
