/**
 * What the suite hears of its agents' sign-ins: a tracker of who is signed in (for the cleanup after a crash or
 * an interrupt), the pool's listener, and why a sign-in gave no session.
 */
import { HarnessError } from "../../lib/errors.ts";
import type { SuiteAgent } from "./suite-agent.ts";

/** Tracks agents signed in by this process, so they can be signed out after a failure or an interrupt. */
export interface SignInTracker {
  signedIn(id: string): void;
  signedOut(id: string): void;
}

/** What the pool hears of an agent's sign-ins. */
export interface SignInEvents {
  signedIn(agent: SuiteAgent): void;
  failed(agent: SuiteAgent, error: SignInError): void;
}

/**
 * Why a sign-in did not give a session: the pool stops using the agent ("refused"), signs nobody in any more
 * when the answer cannot be read or the password was refused (the profile's agents often share one password,
 * and accounts lock), or leaves it for later when it is signed in elsewhere and may not be taken over.
 */
export class SignInError extends HarnessError {
  readonly kind: "refused" | "password" | "unreadable" | "elsewhere";
  constructor(kind: SignInError["kind"], message: string) {
    super("CCGW_SIGN_IN_REFUSED", message);
    this.kind = kind;
  }
}
