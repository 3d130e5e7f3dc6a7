/**
 * The reproducer of a failed case is a curl command that sends the same request: run here against a local
 * server, with the secrets given as environment variables, it arrives with the same method, path, headers and
 * body; the command itself holds no secret.
 */
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact } from "../redact.ts";
import { curlOf } from "./reproducer.ts";

const run = promisify(execFile);
const received: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => {
    body += chunk.toString("utf8");
  });
  req.on("end", () => {
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    res.setHeader("content-type", "application/json");
    res.end('{"retcode":"0"}');
  });
});
let baseUrl = "";

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

describe("curl reproducer", () => {
  // curl runs in a child process: a loaded machine (other test files run beside this one) may take seconds.
  it("sends the same request, with the Guid and password from the environment", {
    timeout: 20_000,
  }, async () => {
    const guid = "0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway1";
    const password = `pw-'$x\`${Date.now()}`;
    const body = { password, phonenum: "700001", note: `it's "quoted" $HOME \`x\`` };
    const exchange = redact(
      {
        request: {
          method: "PUT",
          path: "/agentgateway/resource/onlineagent/1001",
          headers: { "content-type": "application/json; charset=UTF-8", guid },
          body,
        },
      },
      [password],
    );
    const command = curlOf(exchange, baseUrl);
    expect(command).not.toContain(guid);
    expect(command).not.toContain(password);
    expect(command).toContain(`"guid: \${CCGW_GUID}"`);
    await run("bash", ["-c", command], {
      env: { ...process.env, CCGW_GUID: guid, CCGW_AGENT_PASSWORD: password },
    });
    const got = received.at(-1);
    expect(got?.method).toBe("PUT");
    expect(got?.url).toBe("/agentgateway/resource/onlineagent/1001");
    expect(got?.headers.guid).toBe(guid);
    expect(got?.headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect(JSON.parse(got?.body ?? "{}")).toEqual(body);
  });

  it("names the CA file of an HTTPS gateway as a variable", () => {
    const command = curlOf({ request: { method: "DELETE", path: "/x" } }, "https://10.0.0.5:8043/");
    expect(command).toContain(`--cacert "\${CCGW_CA_FILE}"`);
    expect(command).toContain("'https://10.0.0.5:8043/x'");
  });
});
