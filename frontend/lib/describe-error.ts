/** One sentence for people out of whatever a failed call threw. */

import { ApiError } from "./errors";
import { StorageUploadError } from "./presigned-post";

/** Describe a failure for the page; unexpected errors get a generic sentence. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError || error instanceof StorageUploadError) {
    return error.message;
  }
  return "Something went wrong. Please try again.";
}
