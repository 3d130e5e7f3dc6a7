/**
 * Public API of the embedded mock CC-Gateway: start it on a socket, build it for inject() tests, describe it
 * as a target profile, and the catalog of defects it can simulate.
 */
export { runtimeOf } from "./app.ts";

export { DEFECTS, type DefectDefinition } from "./defects.ts";
export { type FaultConfig, MockConfigError, validateFaults } from "./faults.ts";
export {
  DEFAULT_AGENT_RANGE,
  DEFAULT_CALLED,
  FAST_TIMING,
  type GatewayOptions,
  type TimingConfig,
} from "./options.ts";
export { mockProfile, type RunningGateway, startGateway } from "./server.ts";
