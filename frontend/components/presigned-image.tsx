"use client";

import { useState } from "react";

interface PresignedImageProps {
  src: string;
  alt: string;
  width: number;
  height: number;
  className?: string;
  fallbackClassName?: string;
  isLazy?: boolean;
}

/**
 * An image behind a presigned S3 URL (a thumbnail, or an original in the
 * larger view), drawn with a plain <img>.
 *
 * Not next/image: its optimiser only fetches hosts listed in
 * `images.remotePatterns`, which is fixed when the app is built, while the
 * storage host here is known only at run time (127.0.0.1:4566 locally, a
 * compose host name, or S3). Re-encoding an already small thumbnail would
 * gain nothing, and the signed URL must reach S3 unchanged anyway.
 */
export function PresignedImage({
  src,
  alt,
  width,
  height,
  className,
  fallbackClassName,
  isLazy = true,
}: PresignedImageProps) {
  const [failedSrc, setFailedSrc] = useState<string | null>(null);

  // A presigned URL expires (one hour by default): say so instead of a broken icon.
  if (failedSrc === src) {
    return (
      <span className={fallbackClassName} role="img" aria-label={alt}>
        Preview unavailable. Reload the page to refresh it.
      </span>
    );
  }

  return (
    // eslint-disable-next-line @next/next/no-img-element -- see the comment above
    <img
      src={src}
      alt={alt}
      width={width}
      height={height}
      className={className}
      loading={isLazy ? "lazy" : "eager"}
      decoding="async"
      onError={() => setFailedSrc(src)}
    />
  );
}
