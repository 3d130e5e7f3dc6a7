/**
 * The Guid in a Set-GUID header: everything after JSESSIONID=, without attributes after ';' (the one place the
 * header's form is read; the mock writes it, the clients read it here).
 */

/** A Set-GUID value in text (a log line, an answer), for redaction: the cookie name and a run of token characters. */
export const SET_GUID_VALUE = /JSESSIONID=[A-Za-z0-9._~-]{8,}/g;

/** The same value with its Guid masked. */
export function maskSetGuid(text: string, mask: string): string {
  return text.replace(SET_GUID_VALUE, `JSESSIONID=${mask}`);
}

/** The Set-GUID header of an answer, if any. */
export function setGuidHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers["set-guid"];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** The Guid a Set-GUID value carries, or undefined for an empty value. */
export function guidOfSetGuid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const guid = value
    .replace(/^\s*JSESSIONID=/, "")
    .split(";")[0]
    ?.trim();
  return guid ? guid : undefined;
}
