/**
 * Test helpers that any part's tests may use, and no part's code (scripts/import-table.ts holds both): the
 * embedded mock gateway, to start on a loopback port and describe as the target profile that reaches it. So a
 * part's tests sit beside its code even where they need a real gateway (lib/gateway's client over TLS, a proxy,
 * cookies; its preflight and sign-out sweep), while its code still may never import the mock.
 */
export { type GatewayOptions, mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";
