/** Public entry of the contracts: everything the mock, the suites, the load scenarios and the reports use. */
export { ANNOTATION_KEYWORDS, createAjv } from "./ajv.ts";
export { applyInsert, type BoundaryCase, boundaryCases, type Insert } from "./boundaries.ts";
export { appliedClauses } from "./clauses-of.ts";
export * from "./data.ts";
export {
  DEFAULT_EDITION,
  EDITION_CHANGES,
  EDITIONS,
  type Edition,
  isEdition,
  type JsonSchema,
} from "./editions.ts";
export { EVENT } from "./event-types.ts";
export { CALLOUT_EXAMPLE } from "./examples.ts";
export { buildOpenApi } from "./openapi.ts";
export {
  type HttpMethod,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
  pathFor,
  platformRefusals,
} from "./operations.ts";
export { type SchemaName, schemaFiles } from "./schema-files.ts";
export { signInOptionBodies, signInState } from "./sign-in-values.ts";
export type * from "./types.gen.ts";
export { Contracts, contractsFor, type Violation } from "./validate.ts";
