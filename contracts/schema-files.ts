/**
 * Every schema file of contracts/schemas, imported statically so that every part of the harness sees the same
 * objects. `npm run contracts:check` fails when a file on disk is missing here.
 */
import agenteventGetAgentEventResponse from "./schemas/agentevent/getAgentEvent.response.schema.json" with {
  type: "json",
};
import commonAgentId from "./schemas/common/agent-id.schema.json" with { type: "json" };
import commonCallid from "./schemas/common/callid.schema.json" with { type: "json" };
import commonEnvelope from "./schemas/common/envelope.schema.json" with { type: "json" };
import commonFlag from "./schemas/common/flag.schema.json" with { type: "json" };
import commonGuid from "./schemas/common/guid.schema.json" with { type: "json" };
import commonRequestHeaders from "./schemas/common/request-headers.schema.json" with { type: "json" };
import commonRetcode from "./schemas/common/retcode.schema.json" with { type: "json" };
import commonSignInHeaders from "./schemas/common/sign-in-headers.schema.json" with { type: "json" };
import eventsAgentEventCallOutFail from "./schemas/events/AgentEvent_Call_Out_Fail.schema.json" with {
  type: "json",
};
import eventsAgentEventCallRelease from "./schemas/events/AgentEvent_Call_Release.schema.json" with {
  type: "json",
};
import eventsAgentEventConnectFail from "./schemas/events/AgentEvent_Connect_Fail.schema.json" with {
  type: "json",
};
import eventsAgentEventCustomerAlerting from "./schemas/events/AgentEvent_Customer_Alerting.schema.json" with {
  type: "json",
};
import eventsAgentEventCustomerRelease from "./schemas/events/AgentEvent_Customer_Release.schema.json" with {
  type: "json",
};
import eventsAgentEventHold from "./schemas/events/AgentEvent_Hold.schema.json" with { type: "json" };
import eventsAgentEventTalking from "./schemas/events/AgentEvent_Talking.schema.json" with { type: "json" };
import eventsAgentOtherInService from "./schemas/events/AgentOther_InService.schema.json" with {
  type: "json",
};
import eventsAgentOtherPhoneAlerting from "./schemas/events/AgentOther_PhoneAlerting.schema.json" with {
  type: "json",
};
import eventsAgentOtherPhoneOffhook from "./schemas/events/AgentOther_PhoneOffhook.schema.json" with {
  type: "json",
};
import eventsAgentOtherPhoneRelease from "./schemas/events/AgentOther_PhoneRelease.schema.json" with {
  type: "json",
};
import eventsAgentStateBusy from "./schemas/events/AgentState_Busy.schema.json" with { type: "json" };
import eventsAgentStateReady from "./schemas/events/AgentState_Ready.schema.json" with { type: "json" };
import eventsAgentStateSetNotReadySuccess from "./schemas/events/AgentState_SetNotReady_Success.schema.json" with {
  type: "json",
};
import eventsAgentStateWork from "./schemas/events/AgentState_Work.schema.json" with { type: "json" };
import eventsEvent from "./schemas/events/event.schema.json" with { type: "json" };
import eventsEventBase from "./schemas/events/event-base.schema.json" with { type: "json" };
import eventsOUTBOUNDDETECTEVENT from "./schemas/events/OUTBOUND_DETECT_EVENT.schema.json" with {
  type: "json",
};
import harnessBaseline from "./schemas/harness/baseline.schema.json" with { type: "json" };
import harnessCapacity from "./schemas/harness/capacity.schema.json" with { type: "json" };
import harnessConformance from "./schemas/harness/conformance.schema.json" with { type: "json" };
import harnessLoadSegment from "./schemas/harness/load-segment.schema.json" with { type: "json" };
import harnessLoadSeries from "./schemas/harness/load-series.schema.json" with { type: "json" };
import harnessLoadSummary from "./schemas/harness/load-summary.schema.json" with { type: "json" };
import harnessRun from "./schemas/harness/run.schema.json" with { type: "json" };
import harnessTargetProfile from "./schemas/harness/target-profile.schema.json" with { type: "json" };
import onlineagentAgentstatusResponse from "./schemas/onlineagent/agentstatus.response.schema.json" with {
  type: "json",
};
import onlineagentLoginRequest from "./schemas/onlineagent/login.request.schema.json" with { type: "json" };
import onlineagentLoginResponse from "./schemas/onlineagent/login.response.schema.json" with { type: "json" };
import onlineagentLogoutResponse from "./schemas/onlineagent/logout.response.schema.json" with {
  type: "json",
};
import onlineagentSetGuidHeader from "./schemas/onlineagent/set-guid.header.schema.json" with {
  type: "json",
};
import voicecallCalloutRequest from "./schemas/voicecall/callout.request.schema.json" with { type: "json" };
import voicecallCalloutResponse from "./schemas/voicecall/callout.response.schema.json" with { type: "json" };
import voicecallHoldResponse from "./schemas/voicecall/hold.response.schema.json" with { type: "json" };
import voicecallReleaseResponse from "./schemas/voicecall/release.response.schema.json" with { type: "json" };

/** Schema files by name: the path under contracts/schemas without ".schema.json". */
export const schemaFiles = {
  "agentevent/getAgentEvent.response": agenteventGetAgentEventResponse,
  "common/agent-id": commonAgentId,
  "common/callid": commonCallid,
  "common/envelope": commonEnvelope,
  "common/flag": commonFlag,
  "common/guid": commonGuid,
  "common/request-headers": commonRequestHeaders,
  "common/retcode": commonRetcode,
  "common/sign-in-headers": commonSignInHeaders,
  "events/AgentEvent_Call_Out_Fail": eventsAgentEventCallOutFail,
  "events/AgentEvent_Call_Release": eventsAgentEventCallRelease,
  "events/AgentEvent_Connect_Fail": eventsAgentEventConnectFail,
  "events/AgentEvent_Customer_Alerting": eventsAgentEventCustomerAlerting,
  "events/AgentEvent_Customer_Release": eventsAgentEventCustomerRelease,
  "events/AgentEvent_Hold": eventsAgentEventHold,
  "events/AgentEvent_Talking": eventsAgentEventTalking,
  "events/AgentOther_InService": eventsAgentOtherInService,
  "events/AgentOther_PhoneAlerting": eventsAgentOtherPhoneAlerting,
  "events/AgentOther_PhoneOffhook": eventsAgentOtherPhoneOffhook,
  "events/AgentOther_PhoneRelease": eventsAgentOtherPhoneRelease,
  "events/AgentState_Busy": eventsAgentStateBusy,
  "events/AgentState_Ready": eventsAgentStateReady,
  "events/AgentState_SetNotReady_Success": eventsAgentStateSetNotReadySuccess,
  "events/AgentState_Work": eventsAgentStateWork,
  "events/OUTBOUND_DETECT_EVENT": eventsOUTBOUNDDETECTEVENT,
  "events/event-base": eventsEventBase,
  "events/event": eventsEvent,
  "harness/baseline": harnessBaseline,
  "harness/capacity": harnessCapacity,
  "harness/conformance": harnessConformance,
  "harness/load-segment": harnessLoadSegment,
  "harness/load-series": harnessLoadSeries,
  "harness/load-summary": harnessLoadSummary,
  "harness/run": harnessRun,
  "harness/target-profile": harnessTargetProfile,
  "onlineagent/agentstatus.response": onlineagentAgentstatusResponse,
  "onlineagent/login.request": onlineagentLoginRequest,
  "onlineagent/login.response": onlineagentLoginResponse,
  "onlineagent/logout.response": onlineagentLogoutResponse,
  "onlineagent/set-guid.header": onlineagentSetGuidHeader,
  "voicecall/callout.request": voicecallCalloutRequest,
  "voicecall/callout.response": voicecallCalloutResponse,
  "voicecall/hold.response": voicecallHoldResponse,
  "voicecall/release.response": voicecallReleaseResponse,
} as const;

/** Name of a schema file: its path under contracts/schemas without ".schema.json". */
export type SchemaName = keyof typeof schemaFiles;
