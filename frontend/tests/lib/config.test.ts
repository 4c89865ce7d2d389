import { describe, expect, it } from "vitest";

import {
  ConfigError,
  DEFAULT_MAX_UPLOAD_BYTES,
  readApiBaseUrl,
  readMaxUploadBytes,
} from "@/lib/config";

describe("readApiBaseUrl", () => {
  it("drops trailing slashes", () => {
    const env = {
      GALLERY_API_URL: "http://127.0.0.1:4566/_aws/execute-api/abc/",
    };

    expect(readApiBaseUrl(env)).toBe(
      "http://127.0.0.1:4566/_aws/execute-api/abc",
    );
  });

  it("refuses a missing URL", () => {
    expect(() => readApiBaseUrl({})).toThrow(ConfigError);
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => readApiBaseUrl({ GALLERY_API_URL: "file:///etc" })).toThrow(
      "GALLERY_API_URL is not an http(s) URL.",
    );
  });
});

describe("readMaxUploadBytes", () => {
  it("reads the pipeline's limit", () => {
    expect(readMaxUploadBytes({ PIPELINE_MAX_UPLOAD_BYTES: "1048576" })).toBe(
      1048576,
    );
  });

  it.each([
    ["unset", undefined],
    ["empty", ""],
    ["not a number", "lots"],
    ["negative", "-5"],
  ])("falls back to the default when %s", (_label, value) => {
    expect(readMaxUploadBytes({ PIPELINE_MAX_UPLOAD_BYTES: value })).toBe(
      DEFAULT_MAX_UPLOAD_BYTES,
    );
  });
});
