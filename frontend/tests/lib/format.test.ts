import { describe, expect, it } from "vitest";

import {
  formatBytes,
  formatDateTime,
  formatDimensions,
  formatImageFormat,
} from "@/lib/format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1536, "1.5 KB"],
    [25 * 1024 * 1024, "25 MB"],
    [123 * 1024 * 1024, "123 MB"],
    [3 * 1024 ** 3, "3 GB"],
  ])("formats %i bytes as %s", (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe("formatDimensions", () => {
  it("joins width and height in pixels", () => {
    expect(formatDimensions(1800, 1200)).toBe("1800 × 1200 px");
  });

  it("answers null when a side is unknown", () => {
    expect(formatDimensions(1800, null)).toBeNull();
  });
});

describe("formatDateTime", () => {
  it("formats in UTC with a UTC suffix when asked", () => {
    expect(formatDateTime("2026-12-04T15:53:00Z", "UTC")).toBe(
      "4 Dec 2026, 15:53 UTC",
    );
  });

  it("gives back text that is not a date unchanged", () => {
    expect(formatDateTime("yesterday", "UTC")).toBe("yesterday");
  });
});

describe("formatImageFormat", () => {
  it("upper-cases the format name", () => {
    expect(formatImageFormat("webp")).toBe("WEBP");
  });

  it("answers null for no format", () => {
    expect(formatImageFormat(null)).toBeNull();
  });
});
