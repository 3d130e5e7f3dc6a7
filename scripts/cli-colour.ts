/**
 * Colour on a terminal only. Vitest's colours (tinyrainbow) are on whenever TERM is not "dumb", even into a file
 * or a pipe, and decided when it loads: so a command sets these variables before it imports vitest, and for the
 * processes it starts.
 */

/**
 * The colour settings of a process we start, or of our own before vitest loads. The user's NO_COLOR wins, then FORCE_COLOR (0 or false meaning none);
 * otherwise colour only when our stdout is a terminal. FORCE_COLOR=0 alone is not enough: some libraries colour
 * whenever the variable exists, so no colour is said with NO_COLOR.
 */
export function colourEnv(env: NodeJS.ProcessEnv, isTTY: boolean): Record<string, string | undefined> {
  const force = env.FORCE_COLOR;
  const off = { NO_COLOR: "1", FORCE_COLOR: undefined };
  if (env.NO_COLOR !== undefined) return off;
  if (force === "0" || force === "false") return off;
  if (force !== undefined) return { NO_COLOR: undefined, FORCE_COLOR: force };
  return isTTY ? { NO_COLOR: undefined, FORCE_COLOR: "1" } : off;
}

/** Sets the colour variables of this process (before vitest is imported). */
export function settleColour(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stdout.isTTY === true,
): void {
  for (const [key, value] of Object.entries(colourEnv(env, isTTY))) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
}
