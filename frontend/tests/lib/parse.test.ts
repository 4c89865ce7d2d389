import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/errors";
import { parseImage, parseImagePage, parseUploadTicket } from "@/lib/parse";

import { makeImage } from "../sample-image";

describe("parseImage", () => {
  it("accepts an image of the documented shape unchanged", () => {
    const image = makeImage();

    expect(parseImage(JSON.parse(JSON.stringify(image)))).toEqual(image);
  });

  it("fills optional fields the API left out", () => {
    const parsed = parseImage({
      image_id: "p1",
      original_key: "uploads/dir/cat.png",
      status: "pending",
      uploaded_at: "2026-12-04T12:00:00Z",
    });

    expect(parsed).toEqual({
      image_id: "p1",
      name: "cat.png",
      original_key: "uploads/dir/cat.png",
      status: "pending",
      reason: null,
      uploaded_at: "2026-12-04T12:00:00Z",
      processed_at: null,
      width: null,
      height: null,
      format: null,
      byte_size: null,
      content_type: null,
      original_url: null,
      thumbnail_url: null,
      thumbnails: [],
    });
  });

  it("refuses an unknown status with a 502 ApiError", () => {
    const bad = { ...makeImage(), status: "done" };

    expect(() => parseImage(bad)).toThrow(ApiError);
    expect(() => parseImage(bad)).toThrow("an unknown image status (done)");
  });

  it("refuses an image without an id", () => {
    const withoutId: Record<string, unknown> = { ...makeImage() };
    delete withoutId.image_id;

    expect(() => parseImage(withoutId)).toThrow('no string "image_id"');
  });
});

describe("parseImagePage", () => {
  it("reads items and the next cursor", () => {
    const page = parseImagePage({ items: [makeImage()], next_cursor: "c2" });

    expect(page.items).toHaveLength(1);
    expect(page.next_cursor).toBe("c2");
  });

  it("reads a missing cursor as the last page", () => {
    expect(parseImagePage({ items: [] }).next_cursor).toBeNull();
  });

  it("refuses an array where a page belongs", () => {
    expect(() => parseImagePage([])).toThrow("no page object");
  });
});

describe("parseUploadTicket", () => {
  const ticket = {
    image_id: "i1",
    key: "uploads/a.jpg",
    upload: {
      url: "http://127.0.0.1:4566/bucket",
      fields: { key: "uploads/a.jpg", policy: "p" },
    },
    expires_in: 900,
  };

  it("accepts the documented shape", () => {
    expect(parseUploadTicket(ticket)).toEqual(ticket);
  });

  it("refuses a field value that is not a string", () => {
    const bad = { ...ticket, upload: { ...ticket.upload, fields: { key: 1 } } };

    expect(() => parseUploadTicket(bad)).toThrow(
      'a non-string upload field "key"',
    );
  });
});
