/**
 * Per-worker pactum setup: pactum's JSON-schema checks and the "contract" expect handler both validate through
 * the project's ajv (contractsFor(edition)), so a violation names its clause.
 */
import pactum from "pactum";
import { inject } from "vitest";
import { ContractError, contractsFor, SCHEMA_BASE_URI, type SchemaName } from "../../contracts/index.ts";
import { profileEdition } from "../../lib/target-profile.ts";

const contracts = contractsFor(profileEdition(inject("ccgwSuite").profile));

/** The schema name of a schema object passed to pactum's expectJsonSchema (its $id, or { $ref: id }). */
function schemaName(schema: { $id?: unknown; $ref?: unknown }): SchemaName {
  const id = String(schema.$id ?? schema.$ref ?? "");
  if (!id.startsWith(SCHEMA_BASE_URI))
    throw new Error(`pactum schema ${id || "(no $id)"} is not one of the contracts`);
  return id.slice(SCHEMA_BASE_URI.length).replace(/\.schema\.json$/, "") as SchemaName;
}

pactum.settings.setJsonSchemaAdapter({
  validate(schema: { $id?: unknown; $ref?: unknown }, target: unknown) {
    const violations = contracts.validate(schemaName(schema), target);
    return violations.length > 0 ? violations.map((v) => v.message).join("\n") : undefined;
  },
});

pactum.handler.addExpectHandler("contract", (ctx) => {
  const violations = contracts.validate((ctx.data as { schema: SchemaName }).schema, ctx.res.json);
  if (violations.length > 0) throw new ContractError(violations);
});
