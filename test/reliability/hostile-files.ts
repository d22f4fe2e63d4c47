// Hostile projects.json contents: each must be refused with one clear sentence, never crash.
const worker = '{"active":false,"issueId":null,"startTime":null,"model":null,"sessions":{}}';
const project = (extra = "") => `{"name":"p"${extra},"dev":${worker},"qa":${worker}}`;
const file = (projects: string, top = "") => `{"schemaVersion":1${top},"projects":{${projects}}}`;

export const HOSTILE_FILES: Array<[name: string, text: string]> = [
  ["empty file", ""],
  ["only whitespace", "  \n\t "],
  ["truncated object", file(`"-1":${project()}`).slice(0, 60)],
  ["truncated string", '{"schemaVersion":1,"projects":{"-1'],
  ["trailing comma", `{"schemaVersion":1,"projects":{},}`],
  ["comments", '// hi\n{"schemaVersion":1,"projects":{}}'],
  ["single quotes", "{'schemaVersion':1}"],
  ["NaN", '{"schemaVersion":NaN,"projects":{}}'],
  ["two documents", '{"schemaVersion":1,"projects":{}}{"schemaVersion":1,"projects":{}}'],
  ["BOM and garbage", "\uFEFF\u0000\u0001"],
  ["array at top", "[]"],
  ["string at top", '"projects"'],
  ["null at top", "null"],
  ["number at top", "42"],
  ["projects is an array", '{"schemaVersion":1,"projects":[]}'],
  ["projects is null", '{"schemaVersion":1,"projects":null}'],
  ["schemaVersion 2", '{"schemaVersion":2,"projects":{}}'],
  ["schemaVersion as string", '{"schemaVersion":"1","projects":{}}'],
  ["schemaVersion 0", '{"schemaVersion":0,"projects":{}}'],
  ["worker is a string", file(`"-1":{"dev":"busy","qa":${worker}}`)],
  ["active is a string", file(`"-1":${project().replace('"active":false', '"active":"yes"')}`)],
  ["issueId is an object", file(`"-1":${project().replace('"issueId":null', '"issueId":{"n":1}')}`)],
  ["session key is a number", file(`"-1":${project().replace('"sessions":{}', '"sessions":{"medior":7}')}`)],
  ["sessions is an array", file(`"-1":${project().replace('"sessions":{}', '"sessions":["a"]')}`)],
  ["tier name empty", file(`"-1":${project().replace('"sessions":{}', '"sessions":{"":null}')}`)],
  ["roleExecution unknown", file(`"-1":${project(',"roleExecution":"chaos"')}`)],
  ["missing qa worker", file(`"-1":{"dev":${worker}}`)],
  ["__proto__ project", file(`"__proto__":${project()}`)],
  [
    "__proto__ in sessions",
    file(`"-1":${project().replace('"sessions":{}', '"sessions":{"__proto__":{"polluted":"yes"}}')}`),
  ],
  ["constructor key at top", file(`"-1":${project()}`, ',"constructor":{"prototype":{"polluted":"yes"}}')],
  ["prototype key in worker", file(`"-1":${project().replace('"active":false', '"active":false,"prototype":1')}`)],
  // A tier or level is a key once read (sessions[tier], levels[level]): a value that would be one no object can hold.
  ...["__proto__", "constructor", "prototype"].flatMap(
    (name): Array<[string, string]> => [
      [`tier ${name} in model`, file(`"-1":${project().replace('"model":null', `"model":"${name}"`)}`)],
      [
        `level ${name} of a DevClaw 1.3 worker`,
        `{"projects":{"p":{"name":"p","workers":{"developer":{"active":false,"issueId":null,"startTime":null,"level":"${name}","sessions":{}}}}}}`,
      ],
      [
        `level ${name} of a flat slot`,
        `{"projects":{"p":{"name":"p","workers":{"developer":{"slots":[{"active":false,"issueId":null,"sessionKey":"k","startTime":null,"level":"${name}"}]}}}}}`,
      ],
    ],
  ),
  [
    "newer workers/slots format",
    '{"projects":{"-1":{"name":"p","workers":{"developer":{"levels":{"senior":{"slots":[]}}}}}}}',
  ],
  [
    "conflicting legacy sessions",
    '{"projects":{"-1":{"dev":{"active":false,"issueId":null,"startTime":null,"model":"sonnet","sessions":{"sonnet":"a","medior":"b"}},"qa":{"active":false,"issueId":null,"startTime":null,"model":null,"sessions":{}}}}}',
  ],
  ["deep nesting (100,000 levels)", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
  [
    "deep nesting inside a worker",
    file(`"-1":${project(`,"x":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`)}`).replace(
      '"active":false',
      '"active":1',
    ),
  ],
  ["huge string key value", file(`"-1":${project().replace('"issueId":null', `"issueId":${"1".repeat(200_000)}`)}`)],
  ["control character in string", '{"schemaVersion":1,"projects":{"-1\u0001":{}}}'],
  ["lone surrogate escape and bad escape", '{"schemaVersion":1,"projects":{"\\x41":{}}}'],
  [
    "legacy issueId beyond any number",
    '{"projects":{"-1":{"dev":{"active":true,"issueId":1e400,"startTime":null,"model":"opus","sessionId":"agent:x"},"qa":{"active":false,"issueId":null,"startTime":null,"model":null,"sessionId":null}}}}',
  ],
  [
    "legacy issueId negative",
    '{"projects":{"-1":{"dev":{"active":true,"issueId":-5,"startTime":null,"model":"opus","sessionId":"agent:x"},"qa":{"active":false,"issueId":null,"startTime":null,"model":null,"sessionId":null}}}}',
  ],
  // What JSON.parse reads "fine" but JSON.stringify would write back with another meaning.
  [
    "sessions key twice (a hand-resolved merge)",
    file(`"-1":${project().replace('"sessions":{}', '"sessions":{"medior":"agent:kept"},"sessions":{"medior":null}')}`),
  ],
  ["project id twice", file(`"-1":${project()},"-1":${project()}`)],
  ["projects key twice at the top", file(`"-1":${project()}`, ',"projects":{}')],
  ["tier twice in sessions", file(`"-1":${project().replace('"sessions":{}', '"sessions":{"qa":"a","qa":"b"}')}`)],
  [
    "key twice, one of them escaped",
    file(`"-1":${project().replace('"sessions":{}', '"sessions":{"qa":"a"},"\\u0073essions":{}')}`),
  ],
  ["key twice deep in an unknown field", file(`"-1":${project(',"x":[{"a":{"b":1,"b":2}}]')}`)],
  ["number that overflows (1e999)", file(`"-1":${project(',"maxDevWorkers":1e999')}`)],
  ["integer 2^53+1", file(`"-1":${project(',"chatId":9007199254740993')}`)],
  ["integer -(2^53+1)", file(`"-1":${project(',"chatId":-9007199254740993')}`)],
  ["number that rounds to an integer", file(`"-1":${project(',"maxQaWorkers":1.00000000000000001')}`)],
  ["number that underflows to 0 (1e-400)", file(`"-1":${project(',"x":1e-400')}`)],
  ["negative zero", file(`"-1":${project(',"x":-0')}`)],
  // Old shapes where migration could not keep every value.
  [
    "legacy sessionId beside a string sessions",
    '{"projects":{"-1":{"dev":{"active":false,"issueId":null,"startTime":null,"model":"opus","sessionId":"agent:a","sessions":"agent:b"},"qa":{"active":false,"issueId":null,"startTime":null,"model":null,"sessions":{}}}}}',
  ],
  [
    "legacy sessionId beside an array sessions",
    '{"projects":{"-1":{"dev":{"active":false,"issueId":null,"startTime":null,"model":"opus","sessionId":"agent:a","sessions":["agent:b"]},"qa":{"active":false,"issueId":null,"startTime":null,"model":null,"sessions":{}}}}}',
  ],
];
