import { describe, expect, it } from "vitest";

import { isApiErrorBody, toApiError } from "@/lib/errors";

describe("toApiError", () => {
  it("keeps the API's code and message", () => {
    const body = JSON.stringify({
      error: { code: "payload_too_large", message: "Too big." },
    });
    const error = toApiError(413, body);

    expect([error.status, error.code, error.message]).toEqual([
      413,
      "payload_too_large",
      "Too big.",
    ]);
  });

  it("gives a generic message for a body of another shape", () => {
    const error = toApiError(502, "<html>Bad Gateway</html>");

    expect([error.status, error.code, error.message]).toEqual([
      502,
      "unexpected_response",
      "The image API answered HTTP 502.",
    ]);
  });
});

describe("isApiErrorBody", () => {
  it.each([
    ["null", null],
    ["a string", "error"],
    ["a message-only body", { message: "Internal Server Error" }],
    ["an error without a code", { error: { message: "x" } }],
  ])("refuses %s", (_label, value) => {
    expect(isApiErrorBody(value)).toBe(false);
  });
});
