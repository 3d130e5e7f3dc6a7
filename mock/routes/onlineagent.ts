/**
 * Routes of the onlineagent resource: sign-in, forced sign-in, sign-out and agent status. Sign-in issues the
 * Guid in Set-GUID and queues the sign-in events the chosen status implies.
 */
import type { FastifyRequest } from "fastify";
import { EVENT, type OperationId, signInFlow } from "../../contracts/index.ts";
import type { Answer, Handler, Runtime } from "../runtime.ts";
import { refuse, success } from "../runtime.ts";
import { flag } from "../state/sessions.ts";
import { authenticate, nodeCookie } from "./auth.ts";

/** The Set-Cookie of a sign-in behind a load balancer. */
function stickyCookie(agentId: string): string {
  const { name, value } = nodeCookie(agentId);
  return `${name}=${value}; Path=/agentgateway; HttpOnly; Secure`;
}

interface LoginBody {
  password: string;
  phonenum: string;
  status?: number | string;
  autoenteridle?: boolean | string;
  releasephone?: boolean | string;
}

function signIn(rt: Runtime, request: FastifyRequest, agentId: string, op: OperationId): Answer {
  const body = request.body;
  if (!rt.contracts.validator("onlineagent/login.request")(body)) return refuse("sign-in-parameter");
  const login = body as LoginBody;
  const agent = rt.directory.get(agentId);
  if (!agent || agent.password !== login.password) return refuse("wrong-password");
  if (op === "login" && rt.store.live(agentId)) return refuse("already-signed-in");
  const session = rt.store.signIn(agentId, login.phonenum, {
    releasephone: flag(login.releasephone, true),
    autoenteridle: flag(login.autoenteridle, true),
  });
  // Sign-in events by status (domain.md 1.1): always InService and Ready; busy adds SetNotReady, wrap-up Work.
  for (const step of signInFlow(login.status).steps) {
    rt.store.emit(session, step.event, step.event === EVENT.setNotReady ? { reason: "0" } : null);
  }
  return success(
    {
      vdnid: 1,
      workno: agentId,
      mediatype: "TFF",
      loginTime: String(session.loginTime),
      isForceChange: "false",
      serverName: "AgentGateway",
      timeRemaining: "",
    },
    {
      "set-guid": `JSESSIONID=${session.guids.current.value}`,
      ...(rt.options.stickyCookie ? { "set-cookie": stickyCookie(agentId) } : {}),
    },
  );
}

const logout: Handler = (rt, request, agentId) => {
  const auth = authenticate(rt, request, agentId, "logout-signed-out");
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  // The page: sign-out does not happen while the agent is in a call (defect logout-during-call-accepted).
  const inCall = (session.call !== undefined && session.call.phase !== "ended") || session.held !== undefined;
  if (inCall && !rt.defects.has("logout-during-call-accepted")) return refuse("sign-out-during-call");
  rt.store.signOut(session);
  return success(null);
};

const getAgentStatus: Handler = (rt, request, agentId) => {
  const auth = authenticate(rt, request, agentId);
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  return success({ agentState: session.state, isWorking: session.call !== undefined });
};

export const onlineagentHandlers = {
  login: (rt, request, agentId) => signIn(rt, request, agentId, "login"),
  forceLogin: (rt, request, agentId) => signIn(rt, request, agentId, "forceLogin"),
  logout,
  getAgentStatus,
} satisfies Record<string, Handler>;
