/**
 * POST /api/uploads: ask the API for a presigned POST. Only the ticket goes
 * through the gallery; the file itself goes from the browser straight to S3.
 */

import { proxyToApi } from "@/lib/api-server";
import { makeErrorBody } from "@/lib/errors";
import { UPLOADS_PATH } from "@/lib/paths";

export const dynamic = "force-dynamic";

/** The body is three short fields; anything larger is not an upload request. */
const MAX_BODY_BYTES = 8 * 1024;

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) {
    return Response.json(
      makeErrorBody("invalid_request", "The upload request is too large."),
      { status: 400 },
    );
  }
  return proxyToApi(UPLOADS_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
}
