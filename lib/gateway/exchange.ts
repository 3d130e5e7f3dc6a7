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

export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Exchanged["headers"] = {};
    dispatcher.dispatch(options, {
      onConnect() {},
      onHeaders(statusCode, rawHeaders) {
        status = statusCode;
        headers = util.parseHeaders(rawHeaders) as Exchanged["headers"];
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        resolve({ status, headers, text: Buffer.concat(chunks).toString("utf8") });
      },
      onError(error) {
        reject(error);
      },
    });
  });
}
