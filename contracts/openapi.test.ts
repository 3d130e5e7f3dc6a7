/**
 * The generated OpenAPI documents: valid OpenAPI 3.1 with every $ref resolving, and saying the same as the
 * contracts, i.e. their schemas give the same verdict as contractsFor(edition) on valid and invalid samples.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { createAjv } from "./ajv.ts";
import { clause, retcodesOf } from "./data.ts";
import { EDITIONS, type Edition, type JsonSchema } from "./editions.ts";
import { buildOpenApi } from "./openapi.ts";
import { documentedRetcodes, OPERATION_IDS, OPERATIONS, type Operation } from "./operations.ts";
import type { SchemaName } from "./schema-files.ts";
import { contractsFor } from "./validate.ts";

type Node = Record<string, unknown>;

/** Follows a local JSON pointer ("#/a/b") through the document; undefined when it leads nowhere. */
function resolvePointer(doc: unknown, ref: string): unknown {
  let node = doc;
  for (const raw of ref.slice(2).split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !(token in node)) return undefined;
    node = (node as Node)[token];
  }
  return node;
}

function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, out);
  else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

const DOC_ID = "https://ccgw-harness.invalid/openapi.json";

/** Compiles the document's component schemas with the project's ajv; returns a validator per local $ref. */
function documentValidators(doc: Node): (ref: string) => ValidateFunction {
  const ajv = createAjv();
  // Only `components` is needed for $ref resolution; declaring it keeps strict mode on for everything inside.
  ajv.addKeyword("components");
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  return (ref) => {
    const fn = ajv.getSchema(`${DOC_ID}${ref}`);
    if (!fn) throw new Error(`no schema at ${ref}`);
    return fn;
  };
}

function operationOf(doc: Node, op: Operation): { path: Node; operation: Node } {
  const path = (doc.paths as Record<string, Node>)[op.path];
  const operation = path?.[op.method.toLowerCase()] as Node | undefined;
  if (!path || !operation) throw new Error(`${op.id} missing from the document`);
  return { path, operation };
}

function jsonSchemaRef(holder: unknown): string {
  const ref = (holder as { content: { "application/json": { schema: { $ref: string } } } }).content[
    "application/json"
  ].schema.$ref;
  return ref;
}

/** Checks that both validators agree on every sample, and that the samples include a pass and a fail. */
function expectSameVerdicts(contract: ValidateFunction, fromDoc: ValidateFunction, samples: unknown[]): void {
  const verdicts = samples.map((s) => [Boolean(contract(s)), Boolean(fromDoc(s))]);
  expect(verdicts.map(([c]) => c)).toEqual(verdicts.map(([, d]) => d));
  // Without a pass and a fail among the samples, agreement would prove nothing.
  expect(new Set(verdicts.map(([c]) => c)).size).toBe(2);
}

describe.each(EDITIONS)("OpenAPI document, edition %s", (edition: Edition) => {
  const doc = buildOpenApi(edition);
  const contracts = contractsFor(edition);
  const schemas = contracts.schemas;
  const fromDoc = documentValidators(doc);

  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.info).toMatchObject({ version: edition });
  });

  it("has every $ref pointing at something inside the document, and no $id or $schema in components", () => {
    const refs = collect(doc, "$ref");
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(typeof ref === "string" && ref.startsWith("#/"), String(ref)).toBe(true);
      expect(resolvePointer(doc, ref as string), String(ref)).toBeDefined();
    }
    expect(collect(doc.components, "$id")).toEqual([]);
    expect(collect(doc.components, "$schema")).toEqual([]);
  });

  it("has every operation of the registry, with its vendor log name, retcodes and known clauses", () => {
    const ids = Object.values(doc.paths as Record<string, Node>).flatMap((p) =>
      Object.values(p)
        .filter((v): v is Node => typeof v === "object" && v !== null && "operationId" in v)
        .map((v) => v.operationId),
    );
    expect(ids.sort()).toEqual([...OPERATION_IDS].sort());
    const table = new Set(retcodesOf(edition).map((r) => r.code));
    for (const id of OPERATION_IDS) {
      const { operation } = operationOf(doc, OPERATIONS[id]);
      const retcodes = operation["x-retcodes"] as string[];
      expect(retcodes).toContain("0");
      for (const code of retcodes) {
        expect(documentedRetcodes(id)).toContain(code);
        expect(table.has(code)).toBe(true);
      }
      const clauses = operation["x-clauses"] as string[];
      expect(clauses).toContain(OPERATIONS[id].clause);
      for (const c of clauses) expect(() => clause(c)).not.toThrow();
    }
    expect(operationOf(doc, OPERATIONS.callout).operation["x-clauses"]).toContain("callout/body/called");
  });

  it("gives request bodies the verdicts the contracts give", () => {
    const callout = schemas["voicecall/callout.request"].properties as Record<string, JsonSchema>;
    const calledMax = callout.called?.maxLength as number;
    const bytesMax = callout.callappdata?.["x-maxUtf8Bytes"] as number;
    const samples: Partial<Record<SchemaName, unknown[]>> = {
      "voicecall/callout.request": [
        { called: "1" },
        { called: "1".repeat(calledMax) },
        { called: "1".repeat(calledMax + 1) },
        { called: "" },
        { called: "12a4" },
        { called: "*12#", caller: "8001", skillid: 3, mediaability: 2 },
        { called: "1", unknownField: true },
        { called: "1", mediaability: 1, userVideoDirection: 2 },
        { called: "1", mediaability: 0, userVideoDirection: 2 },
        // Two bytes per character: at the limit in bytes, then one character over it though within maxLength.
        { called: "1", callappdata: "é".repeat(bytesMax / 2) },
        { called: "1", callappdata: "é".repeat(bytesMax / 2 + 1) },
        {},
      ],
      "onlineagent/login.request": [
        { password: "pw", phonenum: "88880001" },
        { password: "pw", phonenum: "88880001", autoanswer: "true", status: "4", agenttype: 11 },
        { password: "pw", phonenum: "88880001", autoanswer: "yes" },
        { password: "pw", phonenum: "8".repeat(25) },
        { phonenum: "88880001" },
        { password: "pw", phonenum: "88880001", extra: 1 },
      ],
    };
    for (const id of OPERATION_IDS) {
      const op: Operation = OPERATIONS[id];
      if (!op.request) continue;
      const { operation } = operationOf(doc, op);
      const list = samples[op.request];
      if (!list) throw new Error(`no samples for ${op.request}`);
      expectSameVerdicts(
        contracts.validator(op.request),
        fromDoc(jsonSchemaRef(operation.requestBody)),
        list,
      );
    }
  });

  it("gives answers and the Set-GUID header the verdicts the contracts give", () => {
    const talking = (content: unknown) => ({
      retcode: "0",
      message: "success",
      event: { eventType: "AgentEvent_Talking", workNo: "1001", content },
    });
    const answers = [
      { retcode: "0", message: "success", result: "1455885056-1095" },
      { retcode: "0", message: "success", result: { workno: "1001", mediatype: "TFF" } },
      { retcode: "0", message: "success", result: { agentState: 4, isWorking: true } },
      { retcode: "0", message: "success", result: { agentState: 42 } },
      { retcode: "0", message: "success", result: null },
      { retcode: "100-006", message: "not signed in" },
      { retcode: "000-002", message: "bad parameter", result: "1455885056-1095" },
      { retcode: "oops", message: "x" },
      { message: "no retcode" },
      { retcode: "0", message: "success", event: null },
      talking({ callid: "1455885056-1095", called: "4000001" }),
      talking({}),
      { retcode: "0", message: "", event: { eventType: "AgentOther_Unlisted", workNo: "1001" } },
    ];
    for (const id of OPERATION_IDS) {
      const op: Operation = OPERATIONS[id];
      const { operation } = operationOf(doc, op);
      const ok = (operation.responses as Record<string, Node>)["200"];
      expectSameVerdicts(contracts.validator(op.response), fromDoc(jsonSchemaRef(ok)), answers);
      const setGuid = (ok?.headers as Record<string, Node> | undefined)?.["Set-GUID"];
      expect(Boolean(setGuid)).toBe(op.setsGuid !== "never");
      if (setGuid) {
        expect(setGuid.required).toBe(op.setsGuid === "always");
        expectSameVerdicts(
          contracts.validator("onlineagent/set-guid.header"),
          fromDoc((setGuid.schema as { $ref: string }).$ref),
          ["JSESSIONID=01234567-89ab-cdef-0123-456789abcdef.AgentGateway1", "01234567", ""],
        );
      }
    }
  });

  it("gives request headers the verdicts the contracts give", () => {
    const good: Record<string, string> = {
      "content-type": "application/json; charset=UTF-8",
      guid: "01234567-89ab-cdef-0123-456789abcdef.AgentGateway1",
    };
    const bad: Record<string, string> = { "content-type": "text/plain", guid: "not-a-guid" };
    for (const id of OPERATION_IDS) {
      const op: Operation = OPERATIONS[id];
      const params = (operationOf(doc, op).operation.parameters as Node[]).filter((p) => p.in === "header");
      const contract = contracts.validator(op.headers);
      const names = Object.keys(schemas[op.headers].properties as Node);
      expect(params.map((p) => String(p.name).toLowerCase())).toEqual(names);
      const complete = Object.fromEntries(names.map((n) => [n, good[n]]));
      expect(contract(complete)).toBe(true);
      for (const param of params) {
        const key = String(param.name).toLowerCase();
        const one = fromDoc((param.schema as { $ref: string }).$ref);
        for (const value of [good[key], bad[key]]) {
          expect(one(value), `${id} ${key}=${value}`).toBe(contract({ ...complete, [key]: value }));
        }
        const { [key]: _dropped, ...without } = complete;
        expect(param.required, `${id} ${key} required`).toBe(!contract(without));
      }
    }
  });

  it("gives agent IDs at the ends of the edition's range the verdicts the contracts give", () => {
    const range = schemas["common/agent-id"]["x-digits-range"] as { minimum: number; maximum: number };
    const ids = [range.minimum - 1, range.minimum, range.maximum, range.maximum + 1].map(String);
    const contract = contracts.validator("common/agent-id");
    for (const id of OPERATION_IDS) {
      const { path } = operationOf(doc, OPERATIONS[id]);
      const param = (path.parameters as Node[]).find((p) => p.in === "path" && p.name === "agentid");
      if (!param) throw new Error(`${id}: no agentid path parameter`);
      const fromPath = fromDoc((param.schema as { $ref: string }).$ref);
      expect(ids.map((a) => fromPath(a))).toEqual(ids.map((a) => contract(a)));
      expect(ids.map((a) => fromPath(a))).toEqual([false, true, true, false]);
    }
  });
});

describe("differences between the editions' documents", () => {
  const agentId = (edition: Edition) => {
    const doc = buildOpenApi(edition);
    const fn = documentValidators(doc)("#/components/schemas/AgentId");
    return (value: string) => fn(value);
  };

  it("has userVideoDirection only from 2025-03 on", () => {
    // Paths and schemas only: the 2023-09 description may well say the field is absent.
    const interfaceOf = (edition: Edition) => {
      const { paths, components } = buildOpenApi(edition);
      return JSON.stringify({ paths, components });
    };
    expect(interfaceOf("2023-09")).not.toContain("userVideoDirection");
    expect(interfaceOf("2025-03")).toContain("userVideoDirection");
    expect(interfaceOf("2025-11")).toContain("userVideoDirection");
  });

  it("accepts agent ID 999999 in 2025-11 only", () => {
    expect(agentId("2025-11")("999999")).toBe(true);
    expect(agentId("2025-03")("999999")).toBe(false);
    expect(agentId("2023-09")("999999")).toBe(false);
  });
});
