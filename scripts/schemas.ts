// Writes the JSON Schemas under schemas/ from the zod schemas the code validates with, so an
// editor checks projects.json and .github/worker-sync.yml by the same rules (`npm run schemas`).
// test/package/schemas.test.ts regenerates them and fails when the committed files are stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as z from "zod/mini";
import { flatWorkersFileSchema, slotsFileSchema } from "../src/state/devclaw-schema.js";
import { projectsFileSchema } from "../src/state/schema.js";
import { configSchema } from "../src/sync/config.js";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown> };

/** What a user writes (defaults optional, a project id as a number allowed), not what the code sees. */
const inputSchema = (schema: z.core.$ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;

/** One family's schema without its own `$schema`, with `$schema` allowed as a key. */
function familySchema(schema: z.core.$ZodType, title: string): JsonSchema {
  const { $schema: _, properties, ...rest } = inputSchema(schema);
  return {
    title,
    ...rest,
    properties: {
      // Editors find the schema through this key; worker-sync accepts it and keeps it on every write.
      $schema: { type: "string", description: "The JSON Schema this file follows (for editors)." },
      ...properties,
    },
  };
}

function projectsSchema(): JsonSchema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "worker-sync projects.json",
    description:
      "DevClaw's projects.json as worker-sync reads and writes it, in either family: one dev and one qa worker " +
      "per project with sessions per tier (DevClaw up to 1.4, schemaVersion 1, or its workers map), or slots " +
      "per level each with its own sessionKey (DevClaw 1.5 and later). Unknown keys are allowed and kept.",
    anyOf: [
      familySchema(projectsFileSchema(), "family 1: dev and qa workers (schemaVersion 1)"),
      familySchema(flatWorkersFileSchema(), "family 1: DevClaw 1.3-1.4 workers map"),
      familySchema(slotsFileSchema(), "family 2: slots per level (DevClaw 1.5+)"),
    ],
  };
}

function configFileSchema(): JsonSchema {
  const { $schema, ...rest } = inputSchema(configSchema);
  return {
    $schema,
    title: "worker-sync .github/worker-sync.yml",
    description: "Which labels put which worker on an issue, and where the state file lives. Every key is optional.",
    ...rest,
  };
}

/** File name under schemas/ → its text, as committed. */
export function renderSchemas(): Record<string, string> {
  const text = (schema: JsonSchema) => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    "projects.schema.json": text(projectsSchema()),
    "worker-sync-config.schema.json": text(configFileSchema()),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, text] of Object.entries(renderSchemas())) {
    writeFileSync(join(process.cwd(), "schemas", name), text);
    console.log(`schemas/${name}`);
  }
}
