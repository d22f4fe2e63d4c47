// The one export DevClaw 1.6.10's bundle imports from its peer `openclaw/plugin-sdk`:
// a tool result holding a JSON payload. Enough to run DevClaw's real tools in a test.
export function jsonResult(payload) {
  return { content: [{ type: "text", text: JSON.stringify(payload, null, 2) }], details: payload };
}
