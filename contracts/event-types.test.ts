/** Every EVENT name is the eventType of an event schema, and every event schema has its EVENT name. */
import { expect, it } from "vitest";
import { EVENT, schemaFiles } from "./index.ts";

it("EVENT names the event schemas, one to one", () => {
  const schemas = Object.keys(schemaFiles)
    .filter((name) => name.startsWith("events/") && !["events/event", "events/event-base"].includes(name))
    .map((name) => name.slice("events/".length))
    .sort();
  expect(Object.values(EVENT).sort()).toEqual(schemas);
});
