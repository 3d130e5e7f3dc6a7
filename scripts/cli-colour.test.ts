/** Colour settings: the user's variables win, else colour only on a terminal. */
import { describe, expect, it } from "vitest";
import { colourEnv } from "./cli-colour.ts";

describe("colourEnv", () => {
  it("colours a phase only when our stdout is a terminal", () => {
    expect(colourEnv({}, true)).toEqual({ NO_COLOR: undefined, FORCE_COLOR: "1" });
    expect(colourEnv({}, false)).toEqual({ NO_COLOR: "1", FORCE_COLOR: undefined });
  });

  it("keeps the user's NO_COLOR, even on a terminal and beside FORCE_COLOR", () => {
    expect(colourEnv({ NO_COLOR: "" }, true)).toEqual({ NO_COLOR: "1", FORCE_COLOR: undefined });
    expect(colourEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }, true)).toEqual({
      NO_COLOR: "1",
      FORCE_COLOR: undefined,
    });
  });

  it("reads FORCE_COLOR=0 or false as no colour, any other value as colour", () => {
    expect(colourEnv({ FORCE_COLOR: "0" }, true)).toEqual({ NO_COLOR: "1", FORCE_COLOR: undefined });
    expect(colourEnv({ FORCE_COLOR: "false" }, true)).toEqual({ NO_COLOR: "1", FORCE_COLOR: undefined });
    expect(colourEnv({ FORCE_COLOR: "2" }, false)).toEqual({ NO_COLOR: undefined, FORCE_COLOR: "2" });
  });
});
