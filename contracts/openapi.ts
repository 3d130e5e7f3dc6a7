/**
 * OpenAPI 3.1 view of the contracts, for Postman, Prism, Schemathesis and other tools that read OpenAPI. The
 * document is built from the operation registry and the edition's schemas, so it never says anything the
 * contracts do not.
 */
import { clause, retcodesOf } from "./data.ts";
import { type Edition, editionInfo, type JsonSchema, schemasFor } from "./editions.ts";
import { documentedRetcodes, OPERATION_IDS, OPERATIONS, type Operation } from "./operations.ts";
import type { SchemaName } from "./schema-files.ts";
import { schemaId } from "./validate.ts";

/** The JSON Schema dialect every schema of the document is written in. */
export const OPENAPI_DIALECT = "https://json-schema.org/draft/2020-12/schema";

// The vendor's default CC-Gateway (and NSLB) HTTPS port, domain.md section 0. A default for the server
// variable, which the user overrides; not a constraint any check relies on.
const DEFAULT_PORT = "8043";

/** Name of a schema under components/schemas: its title when it has a usable one, else its file name made safe. */
export function componentName(name: SchemaName, schema: JsonSchema): string {
  const title = schema.title;
  return typeof title === "string" && /^[A-Za-z0-9._-]+$/.test(title)
    ? title
    : name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Pointer to a schema of the edition inside the document, e.g. "#/components/schemas/CalloutRequest". */
export function componentRef(edition: Edition, name: SchemaName): string {
  return `#/components/schemas/${componentName(name, schemasFor(edition)[name])}`;
}

/** Schemas the document carries: every schema of the edition except those describing the harness itself. */
function interfaceSchemas(edition: Edition): [SchemaName, JsonSchema][] {
  return (Object.entries(schemasFor(edition)) as [SchemaName, JsonSchema][]).filter(
    ([name]) => !name.startsWith("harness/"),
  );
}

/** Builds the OpenAPI 3.1.0 document of one edition of the interface. */
export function buildOpenApi(edition: Edition): Record<string, unknown> {
  const entries = interfaceSchemas(edition);
  // File URI (the schema's $id, without fragment) → component pointer, to rewrite the files' relative $refs.
  const byUri = new Map<string, string>();
  for (const [name] of entries) byUri.set(schemaId(name), componentRef(edition, name));
  if (new Set(byUri.values()).size !== byUri.size) throw new Error("two schemas share a component name");

  const components: Record<string, unknown> = {};
  for (const [name, schema] of entries) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    components[componentName(name, schema)] = rewriteRefs(rest, schemaId(name), byUri);
  }

  const paths: Record<string, Record<string, unknown>> = {};
  for (const id of OPERATION_IDS) {
    const op: Operation = OPERATIONS[id];
    const item = paths[op.path] ?? {
      parameters: [
        {
          name: "agentid",
          in: "path",
          required: true,
          description: "Agent ID (work number).",
          schema: { $ref: componentRef(edition, "common/agent-id") },
        },
      ],
    };
    item[op.method.toLowerCase()] = operationObject(edition, op);
    paths[op.path] = item;
  }

  const info = editionInfo(edition);
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: OPENAPI_DIALECT,
    info: {
      title: "Huawei CEC CC-Gateway agent interface: common outbound call",
      version: edition,
      description: [
        `The agent interfaces the ccgw-harness exercises around "Making a Common Outbound Call", as the ${edition} edition of the vendor's page (published ${info.published}) describes them: ${info.summary}`,
        "Generated from the harness's JSON Schema contracts; x-spec on a schema and x-clauses on an operation name entries of the clause catalog (contracts/clauses.json), x-retcodes lists the result codes the vendor documents for the operation in this edition.",
        "Every answer is HTTP 200: success or failure is the body's retcode.",
      ].join("\n\n"),
    },
    servers: [
      {
        url: "https://{host}:{port}",
        description: "A CC-Gateway node, or the NSLB address in a cluster.",
        variables: {
          host: { default: "localhost", description: "Gateway or NSLB address." },
          port: { default: DEFAULT_PORT, description: "HTTPS port of the gateway." },
        },
      },
    ],
    tags: [...new Set(OPERATION_IDS.map((id) => OPERATIONS[id].resource))].map((name) => ({ name })),
    paths,
    components: { schemas: components },
  };
}

function operationObject(edition: Edition, op: Operation): Record<string, unknown> {
  const schemas = schemasFor(edition);
  const headers = schemas[op.headers];
  const required = new Set((headers.required as string[] | undefined) ?? []);
  const parameters: Record<string, unknown>[] = Object.keys(
    (headers.properties as Record<string, unknown> | undefined) ?? {},
  ).map((key) => ({
    // The schema matches header names in lower case; the vendor writes them capitalised.
    name: key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
    in: "header",
    required: required.has(key),
    schema: { $ref: `${componentRef(edition, op.headers)}/properties/${key}` },
  }));
  if (op.id === "getAgentEvent") {
    parameters.push({
      name: "calldata",
      in: "query",
      required: false,
      description: "Optional; used when refreshing the connection toolbar.",
      schema: { type: "string" },
    });
  }

  const response: Record<string, unknown> = {
    description: "The gateway's answer; retcode says whether the operation succeeded.",
    content: { "application/json": { schema: { $ref: componentRef(edition, op.response) } } },
  };
  if (op.setsGuid !== "never") {
    response.headers = {
      "Set-GUID": {
        description:
          op.setsGuid === "always"
            ? "JSESSIONID=<guid>: the Guid to send on every later request."
            : "JSESSIONID=<guid> when the gateway rotates the Guid (dynamic authentication).",
        required: op.setsGuid === "always",
        schema: { $ref: componentRef(edition, "onlineagent/set-guid.header") },
      },
    };
  }

  const codes = new Set(retcodesOf(edition).map((r) => r.code));
  const result: Record<string, unknown> = {
    operationId: op.id,
    summary: op.summary,
    description: clause(op.clause).title,
    tags: [op.resource],
    parameters,
  };
  if (op.request) {
    result.requestBody = {
      required: true,
      content: { "application/json": { schema: { $ref: componentRef(edition, op.request) } } },
    };
  }
  result.responses = { "200": response };
  result["x-spec"] = op.clause;
  result["x-retcodes"] = documentedRetcodes(op.id).filter((code) => codes.has(code));
  result["x-clauses"] = clausesTouched(edition, op);
  return result;
}

/** Clause ids of the operation and of every schema it reaches (headers, body, answer, Set-GUID), sorted. */
function clausesTouched(edition: Edition, op: Operation): string[] {
  const schemas = schemasFor(edition);
  const found = new Set<string>([op.clause]);
  const visited = new Set<string>();
  const visit = (node: unknown, base: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, base);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const schema = node as JsonSchema;
    if (typeof schema["x-spec"] === "string") found.add(schema["x-spec"]);
    if (typeof schema.$ref === "string") {
      const uri = new URL(schema.$ref, base);
      uri.hash = "";
      enter(uri.href);
    }
    for (const value of Object.values(schema)) visit(value, base);
  };
  const enter = (uri: string): void => {
    if (visited.has(uri)) return;
    visited.add(uri);
    const entry = (Object.entries(schemas) as [SchemaName, JsonSchema][]).find(([n]) => schemaId(n) === uri);
    if (!entry) throw new Error(`$ref to ${uri}, which is not a schema of contracts/schemas`);
    visit(entry[1], uri);
  };
  const reached: SchemaName[] = [op.headers, op.response];
  if (op.request) reached.push(op.request);
  if (op.setsGuid !== "never") reached.push("onlineagent/set-guid.header");
  for (const name of reached) enter(schemaId(name));
  return [...found].sort();
}

/** A copy of a schema whose $refs point into components/schemas instead of at sibling files. */
function rewriteRefs(node: unknown, base: string, byUri: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, base, byUri));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      const uri = new URL(value, base);
      const fragment = uri.hash;
      uri.hash = "";
      const target = byUri.get(uri.href);
      if (!target) throw new Error(`${base}: $ref ${value} names no schema of the document`);
      // A fragment is a JSON pointer inside the target ("#/properties/x"); "#" alone means the whole schema.
      out[key] = fragment.length > 1 ? `${target}${fragment.slice(1)}` : target;
    } else out[key] = rewriteRefs(value, base, byUri);
  }
  return out;
}
