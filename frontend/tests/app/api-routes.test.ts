import { afterEach, describe, expect, it, vi } from "vitest";

import {
  GET as getImage,
  DELETE as deleteImage,
} from "@/app/api/images/[id]/route";
import { GET as listImages } from "@/app/api/images/route";
import { POST as createUpload } from "@/app/api/uploads/route";
import { GET as getHealth } from "@/app/api/health/route";

import { startFakeApi, type FakeApi } from "../fake-api";

let api: FakeApi | null = null;

async function useFakeApi(status: number, body: string) {
  api = await startFakeApi(() => ({ status, body }));
  vi.stubEnv("GALLERY_API_URL", api.baseUrl);
  return api;
}

function withId(id: string) {
  return { params: Promise.resolve({ id }) };
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await api?.close();
  api = null;
});

describe("gallery API routes", () => {
  it("forwards only limit and cursor of the listing", async () => {
    const fake = await useFakeApi(200, '{"items":[],"next_cursor":null}');

    await listImages(
      new Request("http://gallery/api/images?limit=5&cursor=abc&debug=1"),
    );

    expect(fake.requests[0]?.url).toBe(
      "/_aws/execute-api/test/images?limit=5&cursor=abc",
    );
  });

  it("escapes the image id into one path segment", async () => {
    const fake = await useFakeApi(200, "{}");

    await getImage(new Request("http://gallery/api/images/x"), withId("a/b c"));

    expect(fake.requests[0]?.url).toBe(
      "/_aws/execute-api/test/images/a%2Fb%20c",
    );
  });

  it("passes the 202 of a delete through", async () => {
    await useFakeApi(202, "");

    const response = await deleteImage(
      new Request("http://gallery/api/images/a1", { method: "DELETE" }),
      withId("a1"),
    );

    expect(response.status).toBe(202);
  });

  it("passes a 415 of the uploads route through", async () => {
    const body =
      '{"error":{"code":"unsupported_media_type","message":"No PDFs."}}';
    const fake = await useFakeApi(415, body);

    const response = await createUpload(
      new Request("http://gallery/api/uploads", {
        method: "POST",
        body: '{"filename":"a.pdf","content_type":"application/pdf","size":3}',
      }),
    );

    expect(response.status).toBe(415);
    expect(await response.json()).toEqual(JSON.parse(body));
    expect(fake.requests[0]?.body).toBe(
      '{"filename":"a.pdf","content_type":"application/pdf","size":3}',
    );
  });

  it("refuses an oversized upload request without calling the API", async () => {
    const fake = await useFakeApi(201, "{}");

    const response = await createUpload(
      new Request("http://gallery/api/uploads", {
        method: "POST",
        body: "x".repeat(9000),
      }),
    );

    expect(response.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
  });

  it("reports its own health", async () => {
    const response = getHealth();

    expect(await response.json()).toEqual({ status: "ok" });
  });
});
