/** GET and DELETE /api/images/{id}: one image of the API, proxied. */

import { proxyToApi } from "@/lib/api-server";
import { makeImagePath } from "@/lib/paths";

export const dynamic = "force-dynamic";

interface ImageRouteContext {
  params: Promise<{ id: string }>;
}

export async function GET(
  _request: Request,
  { params }: ImageRouteContext,
): Promise<Response> {
  const { id } = await params;
  return proxyToApi(makeImagePath(id));
}

export async function DELETE(
  _request: Request,
  { params }: ImageRouteContext,
): Promise<Response> {
  const { id } = await params;
  return proxyToApi(makeImagePath(id), { method: "DELETE" });
}
