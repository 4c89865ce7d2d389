/**
 * The browser's upload of one file straight to S3 with the presigned POST the
 * API issued, reporting progress as the bytes leave.
 */

/** S3 refused the file, or could not be reached. */
export class StorageUploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageUploadError";
  }
}

/**
 * Build the multipart body: the policy fields first, the file last. S3 ignores
 * every field that follows the file, so the order is part of the protocol
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html).
 */
export function buildUploadForm(
  fields: Record<string, string>,
  file: Blob,
  fileName: string,
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, value);
  }
  form.append("file", file, fileName);
  return form;
}

/** Read S3's XML error answer into one sentence, or null when there is none. */
export function readStorageError(xml: string): string | null {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  if (!code && !message) {
    return null;
  }
  return [code, message].filter(Boolean).join(": ");
}

/**
 * Post a file to the presigned URL, calling `onProgress` with 0..1.
 *
 * XMLHttpRequest rather than fetch: only XHR reports upload progress.
 * Rejects with StorageUploadError when S3 answers other than 2xx.
 */
export function postToStorage(
  url: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress(event.loaded / event.total);
      }
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      const detail = readStorageError(request.responseText);
      const message = detail ?? `Storage answered HTTP ${request.status}.`;
      reject(new StorageUploadError(`Storage refused the file (${message})`));
    });
    request.addEventListener("error", () => {
      reject(
        new StorageUploadError(
          "The upload could not reach storage (network or CORS error).",
        ),
      );
    });
    request.addEventListener("abort", () => {
      reject(new StorageUploadError("The upload was cancelled."));
    });
    signal?.addEventListener("abort", () => request.abort(), { once: true });
    request.send(form);
  });
}
