/** Human-readable sizes, dimensions and dates for cards and the image dialog. */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** Format a byte count with binary multiples: 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const text = value.toFixed(digits).replace(/\.0$/, "");
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** Format a size as "1800 × 1200 px", or null when either side is unknown. */
export function formatDimensions(
  width: number | null,
  height: number | null,
): string | null {
  if (width === null || height === null) {
    return null;
  }
  return `${width} × ${height} px`;
}

/**
 * Format an ISO timestamp as a readable date and time.
 *
 * `timeZone` undefined means the viewer's own zone; the server renders in
 * UTC (see LocalTime) so that its HTML never depends on where it runs.
 */
export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const text = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone,
  }).format(date);
  return timeZone === "UTC" ? `${text} UTC` : text;
}

/** Name the format for people: "jpeg" → "JPEG". */
export function formatImageFormat(format: string | null): string | null {
  return format === null || format === "" ? null : format.toUpperCase();
}
