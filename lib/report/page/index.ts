/** The report page of a run: read a run folder, render index.html, and the terminal summary. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatSummary, type ReportModel } from "./model.ts";
import { type ReadOptions, readRunDir } from "./read.ts";
import { renderPage } from "./render.ts";

export * from "./model.ts";
export { readRunDir } from "./read.ts";

/** Reads `runDir`, writes `runDir/index.html`, and returns the model and the page's path. */
export async function writeReport(
  runDir: string,
  options: ReadOptions = {},
): Promise<{ model: ReportModel; page: string; summary: string }> {
  const model = await readRunDir(runDir, options);
  const page = join(runDir, "index.html");
  await writeFile(page, renderPage(model), { mode: 0o644 });
  return { model, page, summary: formatSummary(model, page) };
}
export { writeFixtureRun } from "./fixtures.ts";

export { PAGE_STYLE } from "./page-assets.ts";
export { listFiles } from "./read.ts";
