import { afterEach, describe, expect, it, vi } from "vitest";

import { listImages, proxyToApi } from "@/lib/api-server";
import { ApiError } from "@/lib/errors";

import { startFakeApi, type FakeApi, type FakeAnswer } from "../fake-api";
import { makeImage } from "../sample-image";

let api: FakeApi | null = null;

async function useFakeApi(answer: (route: string) => FakeAnswer) {
  api = await startFakeApi(answer);
  vi.stubEnv("GALLERY_API_URL", api.baseUrl);
  return api;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await api?.close();
  api = null;
});

describe("proxyToApi", () => {
  it("passes a JSON answer through with its status", async () => {
    const body = JSON.stringify(makeImage());
    await useFakeApi(() => ({ status: 200, body }));

    const response = await proxyToApi("/images/a1");

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(body);
  });

  it("passes an API error body through with its status", async () => {
    const body = { error: { code: "not_found", message: "No image a1." } };
    await useFakeApi(() => ({ status: 404, body: JSON.stringify(body) }));

    const response = await proxyToApi("/images/a1");

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(body);
  });

  it("rewrites an error body of another shape, keeping the status", async () => {
    await useFakeApi(() => ({
      status: 503,
      body: "Service Unavailable",
      contentType: "text/plain",
    }));

    const response = await proxyToApi("/images");

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: {
        code: "unexpected_response",
        message: "The image API answered HTTP 503.",
      },
    });
  });

  it("answers an empty 202 without a body", async () => {
    const fake = await useFakeApi(() => ({ status: 202, body: "" }));

    const response = await proxyToApi("/images/a1", { method: "DELETE" });

    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    expect(fake.requests[0]?.method).toBe("DELETE");
  });

  it("forwards the request body", async () => {
    const fake = await useFakeApi(() => ({ status: 201, body: "{}" }));

    await proxyToApi("/uploads", { method: "POST", body: '{"size":1}' });

    expect(fake.requests[0]).toEqual({
      method: "POST",
      url: "/_aws/execute-api/test/uploads",
      body: '{"size":1}',
    });
  });

  it("answers 502 when the API cannot be reached", async () => {
    const fake = await useFakeApi(() => ({ status: 200, body: "{}" }));
    await fake.close();
    api = null;

    const response = await proxyToApi("/images");

    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: {
        code: "api_unavailable",
        message: "The image API cannot be reached.",
      },
    });
  });

  it("answers 500 when GALLERY_API_URL is not set", async () => {
    vi.stubEnv("GALLERY_API_URL", "");

    const response = await proxyToApi("/images");

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { code: "not_configured", message: "GALLERY_API_URL is not set." },
    });
  });
});

describe("listImages", () => {
  it("asks for the page and parses it", async () => {
    const page = { items: [makeImage()], next_cursor: "c2" };
    const fake = await useFakeApi(() => ({
      status: 200,
      body: JSON.stringify(page),
    }));

    const result = await listImages({ limit: 20, cursor: "c1" });

    expect(result).toEqual(page);
    expect(fake.requests[0]?.url).toBe(
      "/_aws/execute-api/test/images?limit=20&cursor=c1",
    );
  });

  it("throws the API's error", async () => {
    const body = { error: { code: "invalid_cursor", message: "Bad cursor." } };
    await useFakeApi(() => ({ status: 400, body: JSON.stringify(body) }));

    await expect(listImages({ cursor: "zz" })).rejects.toEqual(
      new ApiError(400, "invalid_cursor", "Bad cursor."),
    );
  });
});
