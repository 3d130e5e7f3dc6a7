/**
 * "How to test more" as HTML, for the run page and conformance.html: the profile values the not-tested cases
 * named, each with the cases it would let run and the clauses no case could test without it.
 */
import type { TodoRow } from "./conformance.ts";
import { esc } from "./escape.ts";

/** The to-do list, or "" when the profile lacked nothing a case named. */
export function todoHtml(todo: readonly TodoRow[] | undefined): string {
  if (!todo || todo.length === 0) return "";
  const items = todo
    .map((t) => {
      const cases = `${t.cases.length} case${t.cases.length === 1 ? "" : "s"}`;
      const clauses =
        t.untested.length > 0
          ? `; would test ${t.untested.map((c) => `<code>${esc(c)}</code>`).join(", ")}, untested now`
          : "";
      return `<li><code>${esc(t.field)}</code>: ${esc(t.value)} (${cases}${clauses})</li>`;
    })
    .join("");
  return `<div class="todo"><h3>How to test more</h3><p>Cases this profile could not run, by what the profile would need. Add these and run again.</p><ul>${items}</ul></div>`;
}
