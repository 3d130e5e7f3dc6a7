/**
 * TLS for the mock: a throwaway CA and a server certificate (for localhost, 127.0.0.1 and ::1 unless told
 * otherwise), made at start with the selfsigned package, and for mutual TLS a client certificate of the same CA.
 * The CA and the client certificate are written to temporary PEM files so clients (undici, curl) can use them.
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
  /** A client certificate and key signed by the CA (PEM files), when asked for. */
  client?: { certFile: string; keyFile: string };
  /** Deletes the temporary directory of caFile. */
  dispose(): Promise<void>;
}

/** A subjectAltName entry: an IP address (v4 or v6) or a DNS name. */
function altName(name: string): { type: 7; ip: string } | { type: 2; value: string } {
  return /^[0-9.]+$/.test(name) || name.includes(":") ? { type: 7, ip: name } : { type: 2, value: name };
}

/**
 * Makes a CA and a server certificate valid for a day (and a client certificate for mutual TLS), and writes the
 * CA (and the client's certificate and key) to a temp directory.
 */
export async function makeCertificate(
  options: { names?: string[]; client?: boolean } = {},
): Promise<MockCertificate> {
  const names = options.names ?? ["localhost", "127.0.0.1", "::1"];
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
  const leaf = (commonName: string, extensions: object[]) =>
    generate([{ name: "commonName", value: commonName }], {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate,
      notAfterDate,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: "basicConstraints", cA: false }, ...extensions],
    } as Parameters<typeof generate>[1]);
  const server = await leaf(names[0] ?? "localhost", [
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: names.map(altName) },
  ]);
  const dir = await mkdtemp(join(tmpdir(), "ccgw-mock-tls-"));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.cert, { mode: 0o644 });
  let client: MockCertificate["client"];
  if (options.client) {
    const made = await leaf("ccgw-harness test client", [
      { name: "keyUsage", digitalSignature: true },
      { name: "extKeyUsage", clientAuth: true },
    ]);
    client = { certFile: join(dir, "client.pem"), keyFile: join(dir, "client-key.pem") };
    await writeFile(client.certFile, made.cert, { mode: 0o644 });
    await writeFile(client.keyFile, made.private, { mode: 0o600 });
  }
  return {
    key: server.private,
    cert: server.cert,
    ca: ca.cert,
    caFile,
    ...(client ? { client } : {}),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
