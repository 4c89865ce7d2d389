import { describe, expect, it } from "vitest";

import {
  appendImages,
  makePendingImage,
  pickPreview,
  pickThumbnail,
  prependImage,
  removeImage,
  replaceImage,
} from "@/lib/image-list";

import { makeImage } from "../sample-image";

const ids = (images: { image_id: string }[]) =>
  images.map((image) => image.image_id);

describe("appendImages", () => {
  it("appends images not shown yet, in page order", () => {
    const current = [makeImage({ image_id: "a" })];
    const page = [makeImage({ image_id: "b" }), makeImage({ image_id: "c" })];

    expect(ids(appendImages(current, page))).toEqual(["a", "b", "c"]);
  });

  it("never shows an image twice when pages overlap", () => {
    const current = [
      makeImage({ image_id: "a" }),
      makeImage({ image_id: "b" }),
    ];
    const page = [makeImage({ image_id: "b" }), makeImage({ image_id: "c" })];

    expect(ids(appendImages(current, page))).toEqual(["a", "b", "c"]);
  });

  it("keeps the position of a repeated image but takes its fresher copy", () => {
    const current = [makeImage({ image_id: "a", status: "pending" })];
    const page = [makeImage({ image_id: "a", status: "ready" })];

    expect(appendImages(current, page)[0]?.status).toBe("ready");
  });

  it("drops duplicates within one page", () => {
    const page = [makeImage({ image_id: "x" }), makeImage({ image_id: "x" })];

    expect(ids(appendImages([], page))).toEqual(["x"]);
  });
});

describe("prependImage", () => {
  it("puts a new image on top", () => {
    const current = [makeImage({ image_id: "a" })];

    expect(ids(prependImage(current, makeImage({ image_id: "n" })))).toEqual([
      "n",
      "a",
    ]);
  });

  it("updates an image already shown in place", () => {
    const current = [
      makeImage({ image_id: "a" }),
      makeImage({ image_id: "b" }),
    ];
    const result = prependImage(
      current,
      makeImage({ image_id: "b", name: "new" }),
    );

    expect(ids(result)).toEqual(["a", "b"]);
    expect(result[1]?.name).toBe("new");
  });
});

describe("replaceImage and removeImage", () => {
  it("replaces only the image with the same id", () => {
    const current = [
      makeImage({ image_id: "a" }),
      makeImage({ image_id: "b" }),
    ];
    const result = replaceImage(
      current,
      makeImage({ image_id: "a", name: "z" }),
    );

    expect(result.map((image) => image.name)).toEqual(["z", "photo.jpg"]);
  });

  it("removes the image with the id", () => {
    const current = [
      makeImage({ image_id: "a" }),
      makeImage({ image_id: "b" }),
    ];

    expect(ids(removeImage(current, "a"))).toEqual(["b"]);
  });
});

describe("makePendingImage", () => {
  it("describes a fresh upload as pending with nothing known yet", () => {
    const image = makePendingImage(
      "id1",
      "uploads/3f2a/my-cat.png",
      new Date("2026-12-04T12:00:00Z"),
    );

    expect(image).toMatchObject({
      image_id: "id1",
      name: "my-cat.png",
      original_key: "uploads/3f2a/my-cat.png",
      status: "pending",
      uploaded_at: "2026-12-04T12:00:00.000Z",
      thumbnail_url: null,
      thumbnails: [],
    });
  });
});

describe("pickThumbnail", () => {
  const thumbnails = [
    { max_edge: 800, width: 800, height: 533, url: "u800" },
    { max_edge: 200, width: 200, height: 133, url: "u200" },
  ];

  it("picks the smallest rendition at least as large as wanted", () => {
    expect(pickThumbnail(makeImage({ thumbnails }), 300)?.url).toBe("u800");
  });

  it("picks the largest rendition when none is large enough", () => {
    expect(pickThumbnail(makeImage({ thumbnails }), 1600)?.url).toBe("u800");
  });

  it("falls back to thumbnail_url when the list is empty", () => {
    const image = makeImage({ thumbnails: [], thumbnail_url: "only" });

    expect(pickThumbnail(image, 200)).toEqual({
      url: "only",
      width: 200,
      height: 200,
    });
  });

  it("answers null without any thumbnail", () => {
    const image = makeImage({ thumbnails: [], thumbnail_url: null });

    expect(pickThumbnail(image, 200)).toBeNull();
  });
});

describe("pickPreview", () => {
  it("shows the original when the browser can draw it", () => {
    const image = makeImage({ content_type: "image/png" });

    expect(pickPreview(image)).toEqual({
      url: "http://127.0.0.1:4566/originals/photo.jpg?sig=1",
      width: 1800,
      height: 1200,
    });
  });

  it("shows the largest thumbnail of a TIFF original", () => {
    const thumbnails = [
      { max_edge: 200, width: 200, height: 133, url: "u200" },
      { max_edge: 800, width: 800, height: 533, url: "u800" },
    ];
    const image = makeImage({ content_type: "image/tiff", thumbnails });

    expect(pickPreview(image)?.url).toBe("u800");
  });

  it("shows the upright thumbnail of a WebP original", () => {
    const thumbnails = [{ max_edge: 200, width: 133, height: 200, url: "u" }];
    const image = makeImage({ content_type: "image/webp", thumbnails });

    expect(pickPreview(image)?.url).toBe("u");
  });

  it("shows the thumbnail when the original's size is unknown", () => {
    const image = makeImage({ width: null });

    expect(pickPreview(image)?.url).toBe(
      "http://127.0.0.1:4566/thumbs/a1/200.jpg?sig=1",
    );
  });
});
