/** Names of the custom k6 metrics, importable from Node (no k6 modules here). */
/** Names of every custom metric, for thresholds, summaries and the test that checks summary.json. */
export const METRIC_NAMES = [
  "ccgw_callout_duration",
  "ccgw_call_setup_alerting",
  "ccgw_call_setup_talking",
  "ccgw_event_delivery",
  "ccgw_events",
  "ccgw_callouts",
  "ccgw_call_attempts",
  "ccgw_call_attempts_dropped",
  "ccgw_call_attempt_lag",
  "ccgw_calls_answered",
  "ccgw_calls_not_answered",
  "ccgw_calls_failed",
  "ccgw_calls_lost",
  "ccgw_call_lost",
  "ccgw_call_errors",
  "ccgw_contract_violations",
  "ccgw_poll_gap",
  "ccgw_sign_in_failures",
  "ccgw_guid_rotations",
  "ccgw_ready_timeouts",
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];
