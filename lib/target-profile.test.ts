/** Target profiles: environment substitution, schema errors that name the field, agent expansion. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HarnessError } from "./errors.ts";
import { Roster } from "./roster.ts";
import {
  calledNumbers,
  isLoopback,
  loadTargetProfile,
  parseTargetProfile,
  profileSecrets,
} from "./target-profile.ts";

// A profile's placeholder, written as plain text: the loader substitutes it, not JavaScript.
const PLACEHOLDER = ["$", "{AGENT_PASSWORD}"].join("");

const minimal = {
  baseUrl: "https://127.0.0.1:8043",
  agents: [{ id: "1001", password: PLACEHOLDER, phone: "70001" }],
  called: ["4000001", { number: "4000002", outcome: "not-answered" }],
};

function errorOf(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error("expected a HarnessError");
}

describe("target profile", () => {
  it("substitutes environment placeholders before validation", () => {
    const profile = parseTargetProfile(minimal, { AGENT_PASSWORD: "s3cret-pass" });
    expect(new Roster(profile).first()).toEqual([{ id: "1001", password: "s3cret-pass", phone: "70001" }]);
    expect(profileSecrets(profile)).toEqual(["s3cret-pass"]);
  });

  it("names the missing variable and the field that uses it", () => {
    const error = errorOf(() => parseTargetProfile(minimal, {}));
    expect(error.code).toBe("CCGW_PROFILE_ENV_MISSING");
    expect(error.message).toContain("/agents/0/password");
    expect(error.message).toContain("AGENT_PASSWORD");
  });

  it("names the field and the rule of a schema error", () => {
    const error = errorOf(() =>
      parseTargetProfile({ ...minimal, called: ["12a"], edition: "2024-01" }, { AGENT_PASSWORD: "x" }),
    );
    expect(error.code).toBe("CCGW_PROFILE_INVALID");
    expect(error.message).toMatch(/\/edition: must be equal to one of the allowed values/);
    expect(error.message).toMatch(/\/called\/0/);
  });

  it("refuses unknown keys and a profile without agents", () => {
    expect(
      errorOf(() => parseTargetProfile({ ...minimal, agnets: [] }, { AGENT_PASSWORD: "x" })).message,
    ).toContain("agnets");
    const { agents: _agents, ...noAgents } = minimal;
    expect(errorOf(() => parseTargetProfile(noAgents, {})).code).toBe("CCGW_PROFILE_INVALID");
  });

  it("expands an agent range: agent i has id from+i and phone phoneFrom+i", () => {
    const profile = parseTargetProfile(
      {
        baseUrl: "http://localhost:9",
        agentRange: { from: 1001, count: 3, password: "pw", phoneFrom: 70001 },
        called: ["1"],
      },
      {},
    );
    expect(new Roster(profile).first().map((a) => `${a.id}:${a.phone}`)).toEqual([
      "1001:70001",
      "1002:70002",
      "1003:70003",
    ]);
  });

  it("lists called numbers with their outcome where given", () => {
    const profile = parseTargetProfile(minimal, { AGENT_PASSWORD: "x" });
    expect(calledNumbers(profile)).toEqual([
      { number: "4000001" },
      { number: "4000002", outcome: "not-answered" },
    ]);
  });

  it("loads a file, and says when it is missing or not JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-profile-"));
    const good = join(dir, "good.json");
    await writeFile(good, JSON.stringify(minimal));
    await expect(loadTargetProfile(good, { AGENT_PASSWORD: "x" })).resolves.toMatchObject({
      baseUrl: minimal.baseUrl,
    });
    await expect(loadTargetProfile(join(dir, "none.json"))).rejects.toMatchObject({
      code: "CCGW_PROFILE_NOT_FOUND",
    });
    const bad = join(dir, "bad.json");
    await writeFile(bad, "{ baseUrl: ");
    await expect(loadTargetProfile(bad)).rejects.toMatchObject({ code: "CCGW_PROFILE_INVALID" });
  });

  it("tells loopback targets from others", () => {
    expect(isLoopback("https://127.0.0.1:8043")).toBe(true);
    expect(isLoopback("https://127.5.5.5")).toBe(true);
    expect(isLoopback("http://localhost:1")).toBe(true);
    expect(isLoopback("https://[::1]:8043")).toBe(true);
    expect(isLoopback("https://10.0.0.5:8043")).toBe(false);
    expect(isLoopback("https://gateway.example:8043")).toBe(false);
    expect(isLoopback("https://user@127.0.0.1:8043/agentgateway")).toBe(true);
    expect(isLoopback("HTTPS://LOCALHOST")).toBe(true);
    expect(isLoopback("https://127.0.0.1.example.com")).toBe(false);
    expect(isLoopback("https://localhost.example.com:8043")).toBe(false);
    expect(isLoopback("not a url")).toBe(false);
  });
});
