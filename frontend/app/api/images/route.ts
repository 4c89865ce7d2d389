/** GET /api/images?limit=&cursor=: the API's newest-first listing, proxied. */

import { proxyToApi } from "@/lib/api-server";
import { makeListPath } from "@/lib/paths";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const path = makeListPath({
    limit: params.get("limit"),
    cursor: params.get("cursor"),
  });
  return proxyToApi(path);
}
