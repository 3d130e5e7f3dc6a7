/**
 * The load section's table of call-center figures (summary.json's `kpis`): attempt rates offered and achieved,
 * concurrent calls, the establishment ratios, ineffective attempts by class and the call's delays, each with
 * its definition in a few words. Class titles come from the contracts (retcodes.json's ineffectiveAttempts).
 */
import { INEFFECTIVE_CLASSES } from "../../../contracts/index.ts";
import { esc } from "../escape.ts";
import { type CallCenterKpis, DELAY_LABELS } from "../load-kpis.ts";

const pct = (ratio: number | undefined) => (ratio === undefined ? "n/a" : `${(ratio * 100).toFixed(1)} %`);
const fixed = (n: number) => n.toFixed(2);
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);

function row(label: string, value: string, definition: string): string {
  return `<tr><th>${esc(label)}</th><td class="num">${esc(value)}</td><td>${esc(definition)}</td></tr>`;
}

/** The table, or "" for a summary without the figures (a load engine older than them). */
export function kpiTable(k: CallCenterKpis | undefined): string {
  if (!k) return "";
  const ineffective = INEFFECTIVE_CLASSES.map((c) =>
    row(`ineffective: ${c.class}`, String(k.ineffective[c.class] ?? 0), c.title),
  );
  const delays = (Object.keys(DELAY_LABELS) as (keyof CallCenterKpis["delays"])[]).map((key) => {
    const d = k.delays[key];
    const { label, definition } = DELAY_LABELS[key];
    const value = d ? `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)}` : "n/a";
    const timeouts =
      key === "release" && k.releasesWithoutReady > 0
        ? `; ${k.releasesWithoutReady} release(s) without Ready by the deadline`
        : "";
    return row(`${label} p50 / p95 / p99`, value, `${definition}; ${d?.count ?? 0} calls${timeouts}`);
  });
  const rows = [
    row(
      "call attempts per second, offered",
      fixed(k.attemptsPerSecond.offered),
      `attempts the schedule made over its ${k.intervalS.toFixed(1)} s`,
    ),
    row(
      "call attempts per second, achieved",
      fixed(k.attemptsPerSecond.achieved),
      "callouts sent to the gateway over the same interval",
    ),
    row(
      "concurrent calls, peak",
      fixed(k.concurrentCalls.peak),
      "highest one-second mean of calls in progress",
    ),
    row(
      "concurrent calls, mean",
      fixed(k.concurrentCalls.mean),
      "callout sent to the call cleared, over the interval",
    ),
    row(
      "session establishment ratio",
      pct(k.sessionEstablishmentRatio),
      `answered ÷ ${k.attempts} attempts (RFC 6076 SER, ITU-T E.411 ASR)`,
    ),
    row(
      "effective ratio",
      pct(k.effectiveRatio),
      "answered, busy or not answered by the customer ÷ attempts (RFC 6076 SEER, E.411 NER)",
    ),
    ...ineffective,
    ...delays,
  ];
  return `<div class="kpis"><h3>Call-center figures</h3><table class="kpis"><tbody>${rows.join("")}</tbody></table></div>`;
}
