/**
 * One HTTP exchange through an undici dispatcher's handler API: the status, the headers and the body as text.
 * Answers here are small JSON documents, so the body is gathered in memory; the stream the high-level request()
 * builds for every answer would cost more than the exchange itself under load.
 */
import { type Dispatcher, util } from "undici";

export interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Gathers one answer; its methods are undici's handler callbacks (one object per exchange, no closures). */
class Gatherer {
  status = 0;
  headers: Exchanged["headers"] = {};
  private readonly chunks: Buffer[] = [];
  private readonly resolve: (value: Exchanged) => void;
  readonly onError: (error: Error) => void;

  constructor(resolve: (value: Exchanged) => void, reject: (error: Error) => void) {
    this.resolve = resolve;
    this.onError = reject;
  }

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.headers = util.parseHeaders(rawHeaders) as Exchanged["headers"];
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.resolve({ status: this.status, headers: this.headers, text: body.toString("utf8") });
  }
}

export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new Gatherer(resolve, reject));
  });
}
