/** The one client of a gateway: connection (TLS, proxy), requests per agent (Guid, cookies), answers, sign-in and sign-out. */
export { envelopeOf, retcodeOf, unreadable } from "./answer.ts";
export {
  AgentChannel,
  agentHeaders,
  GatewayClient,
  type GatewayReply,
  JSON_CONTENT_TYPE,
  NO_CALLOUTS,
  type SendSpec,
} from "./client.ts";

export { guidOfSetGuid, setGuidHeader } from "./guid.ts";

export { preflight, sweepSignOut } from "./preflight.ts";
export {
  AgentSession,
  isSessionRefusal,
  type PollAnswer,
  type PolledEvent,
  type WaitResult,
} from "./session.ts";
export { type SendOperation, signIn, signInPolicy, signOut } from "./sign-in-out.ts";
export { STALL_EXPLAINS_MS, stallWithin, watchStalls } from "./stall-watch.ts";
