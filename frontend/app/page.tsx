import { Gallery } from "@/components/gallery";
import { listImages } from "@/lib/api-server";
import { readMaxUploadBytes } from "@/lib/config";
import { PAGE_SIZE } from "@/lib/paths";

/** Every request reads the API afresh: the listing is never prerendered. */
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const firstPage = await listImages({ limit: PAGE_SIZE });

  return (
    <Gallery initialPage={firstPage} maxUploadBytes={readMaxUploadBytes()} />
  );
}
