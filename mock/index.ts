/**
 * Public API of the embedded mock CC-Gateway: start it on a socket, build it for inject() tests, describe it
 * as a target profile, and the catalog of defects it can simulate.
 */
export { buildApp, runtimeOf } from "./app.ts";
export type { CapacityConfig } from "./capacity.ts";
export { DEFECTS, type DefectDefinition, type DefectName } from "./defects.ts";
export { type FaultConfig, MockConfigError, validateFaults } from "./faults.ts";
export {
  DEFAULT_AGENT_RANGE,
  DEFAULT_CALLED,
  FAST_TIMING,
  type GatewayOptions,
  type ResolvedOptions,
  type TimingConfig,
} from "./options.ts";
export { buildGateway, mockProfile, type RunningGateway, startGateway } from "./server.ts";
export { type Clock, ManualClock, systemClock } from "./state/clock.ts";
export type { Distribution } from "./state/random.ts";
