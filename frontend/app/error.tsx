"use client";

import { useEffect } from "react";

import { ErrorState } from "@/components/error-state";

interface ErrorPageProps {
  error: Error & { digest?: string };
  retry: () => void;
}

export default function ErrorPage({ error, retry }: ErrorPageProps) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <ErrorState
      title="The gallery cannot load images right now"
      message="The list of images could not be fetched from the image API. It may still be starting, or it may be down. Try again in a moment."
      detail={error.digest ? `Reference: ${error.digest}` : null}
      onRetry={retry}
    />
  );
}
