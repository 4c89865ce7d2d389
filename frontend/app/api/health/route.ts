/** Liveness of the gallery process itself (the Docker HEALTHCHECK calls it). */

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" });
}
