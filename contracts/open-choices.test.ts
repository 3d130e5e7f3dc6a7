/**
 * The catalog of open choices is whole: each names a clause of the catalog, its options, and where it points
 * at a field or a situation, they exist; the README's table lists every choice with its clause.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLAUSES, contractsFor, OPEN_CHOICES, SITUATIONS } from "./index.ts";

const clauses = new Set(CLAUSES.map((c) => c.id));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const callout = contractsFor().schemas["voicecall/callout.request"] as {
  properties: Record<string, unknown>;
};

describe("open choices", () => {
  for (const choice of Object.values(OPEN_CHOICES)) {
    it(`${choice.id} names a clause, its options, and what it points at`, () => {
      expect(clauses.has(choice["x-spec"]), choice["x-spec"]).toBe(true);
      expect(choice.options.length).toBeGreaterThan(0);
      expect(choice.note.length).toBeGreaterThan(20);
      if (choice.situation) expect(SITUATIONS[choice.situation], choice.situation).toBeDefined();
      if (choice.field) expect(Object.keys(callout.properties)).toContain(choice.field.slice(1));
    });

    it(`${choice.id} is in the README's table with its clause`, () => {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${choice.id}\``));
      expect(row, `no README row for ${choice.id}`).toBeDefined();
      expect(row).toContain(`\`${choice["x-spec"]}\``);
    });
  }
});
