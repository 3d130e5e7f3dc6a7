// Entry of a load worker thread: registers tsx's loader in this thread (execArgv loaders do not reach workers
// the same way on every Node version), then runs the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
