/** The one client of a gateway: connection (TLS, proxy), requests per agent (Guid, cookies), answers, sign-in and sign-out. */
export { envelopeOf, isSituation, isSuccess, retcodeOf, SUCCESS, unreadable } from "./answer.ts";
export {
  AgentChannel,
  agentHeaders,
  type ClientOptions,
  GatewayClient,
  type GatewayReply,
  JSON_CONTENT_TYPE,
  mayPlaceCall,
  NO_CALLOUTS,
  type SendSpec,
} from "./client.ts";
export { type Connection, type OpenOptions, openConnection, tlsOptions } from "./connection.ts";
export { CookieJar } from "./cookies.ts";
export { guidOfSetGuid, setGuidHeader } from "./guid.ts";
export { classifyNetworkError } from "./network-errors.ts";
export {
  AgentSession,
  isSessionRefusal,
  type PollAnswer,
  type PolledEvent,
  type SessionOptions,
  type SessionState,
  type Transport,
  type WaitEnd,
  type WaitResult,
} from "./session.ts";
export {
  type SendOperation,
  type SignInOutcome,
  type SignInPolicy,
  signIn,
  signInPolicy,
  signOut,
} from "./sign-in-out.ts";
export { STALL_EXPLAINS_MS, stallWithin, watchStalls } from "./stall-watch.ts";
