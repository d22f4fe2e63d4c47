// Writes the JSON Schemas under schemas/ from the zod schemas the code validates with, so an
// editor checks projects.json and .github/worker-sync.yml by the same rules (`npm run schemas`).
// test/package/schemas.test.ts regenerates them and fails when the committed files are stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as z from "zod/mini";
import { projectsFileSchema } from "../src/state/schema.js";
import { configSchema } from "../src/sync/config.js";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown> };

/** What a user writes (defaults optional, a project id as a number allowed), not what the code sees. */
const inputSchema = (schema: z.core.$ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;

function projectsSchema(): JsonSchema {
  const { $schema, properties, ...rest } = inputSchema(projectsFileSchema);
  return {
    $schema,
    title: "worker-sync projects.json",
    description:
      "DevClaw's projects.json as worker-sync reads and writes it (schemaVersion 1). Unknown keys are allowed and kept.",
    ...rest,
    properties: {
      // Editors find the schema through this key; worker-sync accepts it and keeps it on every write.
      $schema: { type: "string", description: "The JSON Schema this file follows (for editors)." },
      ...properties,
    },
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
