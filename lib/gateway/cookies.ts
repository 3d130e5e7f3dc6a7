/**
 * One agent's cookies: a gateway behind a load balancer pins an agent to a node with a cookie, so every agent
 * keeps its own jar, sent with each of its requests. Parsing is undici's (getSetCookies); one gateway, so
 * domain and path are not told apart. A cookie set to expire (Max-Age=0, a past Expires) is dropped.
 */
import { getSetCookies, Headers } from "undici";

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes the Set-Cookie headers of an answer. */
  take(headers: Record<string, string | string[] | undefined>): void {
    const raw = headers["set-cookie"];
    if (raw === undefined) return;
    const list = new Headers();
    for (const value of Array.isArray(raw) ? raw : [raw]) list.append("set-cookie", value);
    const now = Date.now();
    for (const cookie of getSetCookies(list)) {
      const expired =
        (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
        (cookie.expires !== undefined && new Date(cookie.expires).getTime() <= now);
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  /** The Cookie header to send, if there is any cookie. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  get size(): number {
    return this.cookies.size;
  }
}
