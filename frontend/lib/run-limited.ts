/** Run async tasks with at most `limit` of them in flight at once. */

/**
 * Start tasks in order, never more than `limit` at a time, and resolve once
 * all have settled. A task that rejects does not stop the others; its
 * outcome is in the returned list like any other.
 */
export async function runLimited<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;

  async function work(): Promise<void> {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      const task = tasks[index];
      if (task === undefined) {
        continue;
      }
      try {
        results[index] = { status: "fulfilled", value: await task() };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  }

  const workerCount = Math.max(1, Math.min(limit, tasks.length));
  await Promise.all(Array.from({ length: workerCount }, () => work()));
  return results;
}
