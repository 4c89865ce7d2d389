import { describe, expect, it } from "vitest";

import {
  ACCEPT_ATTRIBUTE,
  checkFile,
  resolveContentType,
} from "@/lib/upload-rules";

const MAX_BYTES = 1000;

describe("resolveContentType", () => {
  it("keeps an accepted MIME type", () => {
    expect(
      resolveContentType({ name: "a.png", type: "image/png", size: 1 }),
    ).toBe("image/png");
  });

  it("infers the type from the extension when the browser gives none", () => {
    expect(resolveContentType({ name: "scan.TIFF", type: "", size: 1 })).toBe(
      "image/tiff",
    );
  });

  it("infers HEIC from the extension, as some browsers give no type", () => {
    expect(
      resolveContentType({ name: "IMG_0001.HEIC", type: "", size: 1 }),
    ).toBe("image/heic");
  });

  it("refuses a MIME type that is not an image the pipeline reads", () => {
    expect(
      resolveContentType({ name: "a.jpg", type: "application/pdf", size: 1 }),
    ).toBeNull();
  });

  it("refuses names of Object.prototype as types", () => {
    expect(
      resolveContentType({ name: "a", type: "constructor", size: 1 }),
    ).toBeNull();
  });
});

describe("checkFile", () => {
  it("accepts an image within the limit", () => {
    expect(
      checkFile({ name: "a.jpg", type: "image/jpeg", size: 1000 }, MAX_BYTES),
    ).toEqual({ ok: true, contentType: "image/jpeg" });
  });

  it("refuses a file over the limit, naming both sizes", () => {
    expect(
      checkFile({ name: "a.jpg", type: "image/jpeg", size: 2048 }, MAX_BYTES),
    ).toEqual({ ok: false, message: "The file is 2 KB; the limit is 1000 B." });
  });

  it("refuses an empty file", () => {
    expect(
      checkFile({ name: "a.jpg", type: "image/jpeg", size: 0 }, MAX_BYTES),
    ).toEqual({ ok: false, message: "The file is empty." });
  });

  it("refuses a file that is not an image", () => {
    expect(
      checkFile({ name: "notes.txt", type: "text/plain", size: 10 }, MAX_BYTES),
    ).toEqual({
      ok: false,
      message:
        "Not a supported image type. Choose JPEG, PNG, GIF, WebP, TIFF, BMP, AVIF or HEIC.",
    });
  });
});

describe("ACCEPT_ATTRIBUTE", () => {
  it("lists MIME types and extensions for the file picker", () => {
    expect(ACCEPT_ATTRIBUTE.split(",")).toEqual(
      expect.arrayContaining([
        "image/jpeg",
        ".jpg",
        ".jpeg",
        "image/tiff",
        ".tif",
      ]),
    );
  });
});
