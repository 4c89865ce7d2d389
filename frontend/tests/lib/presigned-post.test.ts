import { describe, expect, it } from "vitest";

import { buildUploadForm, readStorageError } from "@/lib/presigned-post";

describe("buildUploadForm", () => {
  it("puts every policy field first and the file last", () => {
    const fields = {
      key: "uploads/a.jpg",
      policy: "p",
      "x-amz-signature": "s",
    };
    const form = buildUploadForm(fields, new Blob(["abc"]), "a.jpg");

    expect([...form.keys()]).toEqual([
      "key",
      "policy",
      "x-amz-signature",
      "file",
    ]);
  });

  it("names the file part after the chosen file", () => {
    const form = buildUploadForm({}, new Blob(["abc"]), "cat.png");
    const file = form.get("file");

    expect(file instanceof File ? file.name : null).toBe("cat.png");
  });
});

describe("readStorageError", () => {
  it("joins S3's code and message", () => {
    const xml =
      "<?xml version='1.0'?><Error><Code>EntityTooLarge</Code>" +
      "<Message>Your proposed upload exceeds the maximum allowed size</Message></Error>";

    expect(readStorageError(xml)).toBe(
      "EntityTooLarge: Your proposed upload exceeds the maximum allowed size",
    );
  });

  it("answers null for a body without an error", () => {
    expect(readStorageError("")).toBeNull();
  });
});
