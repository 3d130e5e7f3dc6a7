/** Redaction: secrets from the contracts' x-secret marks, Guids by shape, profile passwords by value. */
import { describe, expect, it } from "vitest";
import { REDACTED, redact, redactText, SECRET_FIELDS } from "./redact.ts";

const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway0";

describe("redaction", () => {
  it("takes secret field names from the contracts", () => {
    expect(SECRET_FIELDS.has("password")).toBe(true);
    expect(SECRET_FIELDS.has("guid")).toBe(true);
    expect(SECRET_FIELDS.has("called")).toBe(false);
  });

  it("masks Guids anywhere in text, including Set-GUID values", () => {
    expect(redactText(`Guid: ${GUID}`)).toBe(`Guid: ${REDACTED}`);
    expect(redactText(`JSESSIONID=${GUID}; Path=/`)).toBe(`JSESSIONID=${REDACTED}; Path=/`);
  });

  it("leaves prose about the header alone", () => {
    const prose = "Sign-in answers Set-GUID: JSESSIONID=<guid>; the Guid is the part after JSESSIONID=.";
    expect(redactText(prose)).toBe(prose);
  });

  it("masks secret fields and given secret values in nested objects, case-insensitively", () => {
    const evidence = {
      request: {
        headers: { Guid: GUID, "Content-Type": "application/json" },
        body: { password: "hunter22", phonenum: "1" },
      },
      response: { headers: { "set-guid": `JSESSIONID=${GUID}` }, body: { message: "bad password hunter22" } },
    };
    const out = redact(evidence, ["hunter22"]);
    expect(JSON.stringify(out)).not.toContain("hunter22");
    expect(JSON.stringify(out)).not.toContain("0f8fad5b");
    expect(out.request.headers["Content-Type"]).toBe("application/json");
    expect(out.request.body.phonenum).toBe("1");
    expect(evidence.request.body.password).toBe("hunter22");
  });
});
