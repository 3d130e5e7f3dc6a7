/** Public entry of the contracts: everything the mock, the suites, the load scenarios and the reports use. */
export { AJV_OPTIONS, ANNOTATION_KEYWORDS, createAjv, utf8Length } from "./ajv.ts";
export * from "./data.ts";
export {
  DEFAULT_EDITION,
  EDITIONS,
  type Edition,
  editionInfo,
  isEdition,
  type JsonSchema,
  schemasFor,
} from "./editions.ts";
export { EVENT, type EventType } from "./event-types.ts";
export {
  documentedRetcodes,
  type HttpMethod,
  OPERATION_IDS,
  OPERATIONS,
  type Operation,
  type OperationId,
  operation,
  pathFor,
  platformRefusals,
} from "./operations.ts";
export { type SchemaName, schemaFiles } from "./schema-files.ts";
export type * from "./types.gen.ts";
export {
  ContractError,
  Contracts,
  contractsFor,
  SCHEMA_BASE_URI,
  schemaId,
  type Violation,
} from "./validate.ts";
