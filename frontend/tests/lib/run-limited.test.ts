import { describe, expect, it } from "vitest";

import { runLimited } from "@/lib/run-limited";

/** Tasks that resolve only when the test releases them, counting those in flight. */
function makeGatedTasks(count: number) {
  let inFlight = 0;
  let mostInFlight = 0;
  const releases: (() => void)[] = [];
  const tasks = Array.from({ length: count }, (_, index) => async () => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise<void>((resolve) => releases.push(resolve));
    inFlight -= 1;
    if (index === 1) {
      throw new Error("task 1 failed");
    }
    return index;
  });
  return { tasks, releases, mostInFlight: () => mostInFlight };
}

async function releaseAll(releases: (() => void)[], total: number) {
  for (let released = 0; released < total; released += 1) {
    while (releases.length === 0) {
      await Promise.resolve();
    }
    releases.shift()?.();
  }
}

describe("runLimited", () => {
  it("never runs more tasks at once than the limit", async () => {
    const { tasks, releases, mostInFlight } = makeGatedTasks(5);

    const run = runLimited(tasks, 2);
    await releaseAll(releases, 5);
    await run;

    expect(mostInFlight()).toBe(2);
  });

  it("reports every outcome in task order, failures included", async () => {
    const { tasks, releases } = makeGatedTasks(3);

    const run = runLimited(tasks, 3);
    await releaseAll(releases, 3);
    const results = await run;

    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
  });

  it("resolves at once without tasks", async () => {
    expect(await runLimited([], 3)).toEqual([]);
  });
});
