/**
 * Runs the embedded mock CC-Gateway as a process. Prints one JSON line {"url", "caFile"} on stdout when it
 * listens (harnesses wait for it); logs go to stderr; SIGINT/SIGTERM close it cleanly.
 */
import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { EDITIONS, type Edition, OPEN_CHOICES } from "../contracts/index.ts";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { Roster } from "../lib/roster.ts";
import { calledNumbers, loadTargetProfile, profileAuthMode, profileEdition } from "../lib/target-profile.ts";
import {
  DEFECTS,
  type GatewayOptions,
  MockConfigError,
  startGateway,
  validateFaults,
} from "../mock/index.ts";
import { integer, positive } from "./cli-args.ts";
import { exitWith } from "./cli-exit.ts";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const program = new Command("mock")
  .description(
    "Run the embedded stateful mock CC-Gateway on loopback (HTTPS with a generated CA by default).\n" +
      'Prints {"url": "...", "caFile": "..."} on one stdout line when ready.',
  )
  .option("--port <n>", "port to listen on (0 = any free port)", integer("--port"), 0)
  .option("--host <addr>", "address to listen on", "127.0.0.1")
  .option("--http", "plain HTTP instead of HTTPS")
  .option(
    "--target <profile.json>",
    "take edition, auth mode, agents and called numbers from a target profile",
  )
  .addOption(new Option("--edition <edition>", "edition of the interface page").choices([...EDITIONS]))
  .addOption(new Option("--auth-mode <mode>", "AUTHMODE of the gateway").choices(["static", "dynamic"]))
  .option("--seed <n>", "seed of outcomes, timings and fault draws", integer("--seed"))
  .option(
    "--poll-wait-ms <n>",
    "long-poll wait when no event is queued (vendor: 10000)",
    integer("--poll-wait-ms"),
  )
  .option(
    "--heartbeat-timeout-ms <n>",
    "sign out agents that stop polling after this (vendor: 120000)",
    integer("--heartbeat-timeout-ms"),
  )
  .option(
    "--guid-rotation-ms <n>",
    "dynamic auth: Guid rotation interval (vendor: 60000)",
    integer("--guid-rotation-ms"),
  )
  .option(
    "--guid-validity-ms <n>",
    "dynamic auth: Guid validity (vendor: 120000)",
    integer("--guid-validity-ms"),
  )
  .addOption(
    new Option(
      "--guid-rotation <how>",
      "dynamic auth: the Guid rotates on the first poll after the interval, or on the gateway's clock",
    ).choices(["on-poll", "clock"]),
  )
  .addOption(new Option("--timing <t>", "event timing of calls").choices(["realistic", "brisk", "fast"]))
  .option("--faults <file.json>", "fault configuration (see mock/README.md)")
  .option(
    "--max-concurrent-calls <n>",
    "capacity: calls in progress beyond which callout answers 100-007",
    integer("--max-concurrent-calls", 1),
  )
  .option(
    "--max-calls-per-second <n>",
    "capacity: callout rate beyond which callout answers 100-007",
    integer("--max-calls-per-second", 1),
  )
  .option(
    "--burst-seconds <s>",
    "capacity: burst of the callout rate, in seconds of --max-calls-per-second (default 1)",
    positive("--burst-seconds"),
  )
  .option(
    "--defect <name>",
    `switch on a defect (repeatable): ${DEFECTS.map((d) => d.name).join(", ")}`,
    collect,
    [],
  )
  .option(
    "--alternate-choice <id>",
    `take the other option of a choice the pages leave open (repeatable; "all" for every one): ${Object.keys(OPEN_CHOICES).join(", ")}`,
    collect,
    [],
  )
  .showHelpAfterError()
  .exitOverride();

/** The flags of the command. */
type MockFlags = {
  port: number;
  host: string;
  http?: boolean;
  target?: string;
  edition?: Edition;
  authMode?: "static" | "dynamic";
  seed?: number;
  pollWaitMs?: number;
  heartbeatTimeoutMs?: number;
  guidRotationMs?: number;
  guidValidityMs?: number;
  guidRotation?: "on-poll" | "clock";
  timing?: "realistic" | "brisk" | "fast";
  faults?: string;
  maxConcurrentCalls?: number;
  maxCallsPerSecond?: number;
  burstSeconds?: number;
  defect: string[];
  alternateChoice: string[];
};

/** Gateway options from the flags (and the target profile, when one is given). */
async function optionsFromFlags(flags: MockFlags): Promise<GatewayOptions> {
  const options: GatewayOptions = {
    port: flags.port,
    host: flags.host,
    tls: !flags.http,
  };
  if (flags.target) {
    const profile = await loadTargetProfile(flags.target);
    options.edition = profileEdition(profile);
    options.authMode = profileAuthMode(profile);
    if (profile.agentRange) options.agentRange = profile.agentRange;
    options.agents = (profile.agents ?? []).map((a) => ({ id: a.id, password: a.password, phone: a.phone }));
    if (new Roster(profile).size === 0)
      throw new HarnessError("CCGW_USAGE", "the target profile lists no agents");
    options.called = calledNumbers(profile);
  }
  if (flags.edition) options.edition = flags.edition;
  if (flags.authMode) options.authMode = flags.authMode;
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.pollWaitMs !== undefined) options.pollWaitMs = flags.pollWaitMs;
  if (flags.heartbeatTimeoutMs !== undefined) options.heartbeatTimeoutMs = flags.heartbeatTimeoutMs;
  if (flags.guidRotationMs !== undefined) options.guidRotationMs = flags.guidRotationMs;
  if (flags.guidValidityMs !== undefined) options.guidValidityMs = flags.guidValidityMs;
  if (flags.guidRotation) options.guidRotation = flags.guidRotation;
  if (flags.timing) options.timing = flags.timing;
  if (flags.faults) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(flags.faults, "utf8"));
    } catch (error) {
      throw new HarnessError("CCGW_USAGE", `--faults ${flags.faults}: ${(error as Error).message}`);
    }
    options.faults = validateFaults(raw);
  }
  if (flags.maxConcurrentCalls !== undefined || flags.maxCallsPerSecond !== undefined) {
    options.capacity = {
      ...(flags.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: flags.maxConcurrentCalls } : {}),
      ...(flags.maxCallsPerSecond !== undefined ? { maxCallsPerSecond: flags.maxCallsPerSecond } : {}),
      ...(flags.burstSeconds !== undefined ? { burstSeconds: flags.burstSeconds } : {}),
    };
  }
  if (flags.defect.length > 0) options.defects = flags.defect;
  if (flags.alternateChoice.length > 0) {
    options.alternateChoices = flags.alternateChoice.includes("all") ? true : flags.alternateChoice;
  }

  return options;
}

async function main(): Promise<void> {
  program.parse();
  const options = await optionsFromFlags(program.opts<MockFlags>());
  const gateway = await startGateway(options);
  process.stdout.write(`${JSON.stringify({ url: gateway.url, caFile: gateway.caFile ?? null })}\n`);
  const o = gateway.options;
  process.stderr.write(
    `mock: listening on ${gateway.url} (edition ${o.edition}, ${o.authMode} auth, seed ${o.seed}, poll wait ${o.pollWaitMs} ms` +
      `${o.defects.length > 0 ? `, defects ${o.defects.join(",")}` : ""}` +
      `${o.alternateChoices.length > 0 ? `, alternate choices ${o.alternateChoices.join(",")}` : ""})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`mock: ${signal}, closing\n`);
    gateway.close().then(
      () => process.exit(EXIT.PASS),
      (error: unknown) => {
        process.stderr.write(`mock: close failed: ${(error as Error).message}\n`);
        process.exit(EXIT.FAIL);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

await exitWith("mock", main, (error) =>
  error instanceof MockConfigError ? `bad configuration: ${error.message}` : undefined,
);
