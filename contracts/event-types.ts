/**
 * The event types of the call cycle by a name that reads in code (EVENT.talking), so no part outside the
 * contracts spells a vendor event name. Each is the eventType of a schema in contracts/schemas/events/ (a test
 * holds them to it).
 */
export const EVENT = {
  inService: "AgentOther_InService",
  phoneAlerting: "AgentOther_PhoneAlerting",
  phoneOffhook: "AgentOther_PhoneOffhook",
  phoneRelease: "AgentOther_PhoneRelease",
  busy: "AgentState_Busy",
  ready: "AgentState_Ready",
  work: "AgentState_Work",
  setNotReady: "AgentState_SetNotReady_Success",
  customerAlerting: "AgentEvent_Customer_Alerting",
  talking: "AgentEvent_Talking",
  callOutFail: "AgentEvent_Call_Out_Fail",
  connectFail: "AgentEvent_Connect_Fail",
  callRelease: "AgentEvent_Call_Release",
  customerRelease: "AgentEvent_Customer_Release",
  hold: "AgentEvent_Hold",
  outboundDetect: "OUTBOUND_DETECT_EVENT",
} as const;

export type EventType = (typeof EVENT)[keyof typeof EVENT];
