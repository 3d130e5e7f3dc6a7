/**
 * The interface page's own example exchange (shared/spec/callout-interface-page.txt, section Example), as data:
 * the contract tests and the functional suite use the same values.
 */

/** The page's example of the callout: the request body and the answer, with the clause each one backs. */
export const CALLOUT_EXAMPLE = {
  request: {
    value: {
      caller: "40038",
      called: "40040",
      skillid: 25,
      callappdata: "",
      mediaability: 1,
      userVideoDirection: 4,
    },
    "x-spec": "callout/example/request",
  },
  response: {
    value: { message: "", retcode: "0", result: "1455885056-1095" },
    "x-spec": "callout/example/response",
  },
} as const;
