/**
 * TLS for the mock: a throwaway CA and a server certificate for localhost and 127.0.0.1, made at start with
 * the selfsigned package. The CA is written to a temporary PEM file so clients (undici, k6, curl) can trust it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface MockCertificate {
  /** Server private key and certificate, PEM. */
  key: string;
  cert: string;
  /** The CA certificate, PEM, and the file it was written to. */
  ca: string;
  caFile: string;
  /** Deletes the temporary directory of caFile. */
  dispose(): Promise<void>;
}

/** Makes a CA and a server certificate valid for a day, and writes the CA to a temp file. */
export async function makeCertificate(): Promise<MockCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 24 * 3600_000);
  const ca = await generate([{ name: "commonName", value: "ccgw-harness mock CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), "ccgw-mock-tls-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.cert, { mode: 0o644 });
  return {
    key: server.private,
    cert: server.cert,
    ca: ca.cert,
    caFile,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
