import { describe, expect, it } from "vitest";

import { makeImagePath, makeListPath } from "@/lib/paths";

describe("makeListPath", () => {
  it("leaves out what is not given", () => {
    expect(makeListPath()).toBe("/images");
  });

  it("encodes limit and cursor as query parameters", () => {
    expect(makeListPath({ limit: 20, cursor: "a+b/c=" })).toBe(
      "/images?limit=20&cursor=a%2Bb%2Fc%3D",
    );
  });

  it("ignores an empty limit and a null cursor", () => {
    expect(makeListPath({ limit: "", cursor: null })).toBe("/images");
  });
});

describe("makeImagePath", () => {
  it("escapes the id as one path segment", () => {
    expect(makeImagePath("../x y")).toBe("/images/..%2Fx%20y");
  });
});
