/**
 * The Guid in a Set-GUID header: everything after JSESSIONID=, without attributes after ';' (the one place the
 * header's form is read; the mock writes it, the clients read it here).
 */

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
