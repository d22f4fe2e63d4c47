/**
 * Runs one job of a workflow file the way a GitHub runner does, for the steps worker-sync's
 * README shows: `uses: <owner>/worker-sync@…` runs dist/index.js with INPUT_* (action.yml's
 * defaults, then `with:`), `run:` runs bash with the step's `env:`, each step gets a fresh
 * GITHUB_OUTPUT file read back as the runner reads it, and `${{ … }}` / `if:` are evaluated
 * against `steps.<id>.outputs`, `github` and `secrets`. An expression or step kind it does not
 * know is an error, so the README cannot drift into something this test does not run.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type ActionRun, finished, parseOutputFile, ROOT, runAction } from "./support.js";

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number | boolean>;
}

export interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

export interface StepRun {
  id?: string;
  kind: "worker-sync" | "checkout" | "run";
  skipped: boolean;
  code: number | null;
  outputs: Record<string, string>;
  stdout: string;
}

export interface JobContext {
  workspace: string;
  /** The node binary for `uses: …/worker-sync` steps. */
  node: string;
  event: { name: string; payload: unknown };
  /** GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_REF: what the runner sets for a run. */
  env: Record<string, string>;
  token: string;
  secrets?: Record<string, string>;
  /** The runner machine's own environment for every step (HOME, PATH, RUNNER_TEMP): two runners differ here. */
  runner?: Record<string, string>;
}

/** The YAML block of `markdown` that follows the line holding `marker`. */
export function yamlBlockAfter(markdown: string, marker: string): Workflow {
  const at = markdown.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in the manual`);
  const m = /```yaml\n([\s\S]*?)```/.exec(markdown.slice(at));
  if (!m) throw new Error(`no yaml block after ${marker}`);
  return parse(m[1] as string) as Workflow;
}

type Contexts = { steps: Record<string, { outputs: Record<string, string> }>; github: unknown; secrets: unknown };

/** One operand: a 'string' literal or a context path such as steps.ws.outputs.session-key. */
function operand(text: string, contexts: Contexts): string {
  const t = text.trim();
  const literal = /^'((?:[^']|'')*)'$/.exec(t);
  if (literal) return (literal[1] as string).replace(/''/g, "'");
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(t)) throw new Error(`expression not supported here: ${t}`);
  let value: unknown = contexts;
  for (const part of t.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
  // The runner shows a missing property and null as ''.
  return value === undefined || value === null ? "" : String(value);
}

/** `a`, `a != b`, `a == b`, joined by `&&`: what the README's conditions use (strings compare ignoring case). */
function evaluate(expression: string, contexts: Contexts): string | boolean {
  const clauses = expression.split("&&");
  if (clauses.length > 1) return clauses.every((c) => evaluate(c, contexts) !== false);
  const m = /^(.*?)(!=|==)(.*)$/.exec(expression);
  if (!m) return operand(expression, contexts);
  const [a, b] = [operand(m[1] as string, contexts).toLowerCase(), operand(m[3] as string, contexts).toLowerCase()];
  return m[2] === "==" ? a === b : a !== b;
}

const interpolate = (value: string | number | boolean, contexts: Contexts) =>
  String(value).replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => String(evaluate(e, contexts)));

function condition(text: string | undefined, contexts: Contexts): boolean {
  if (text === undefined) return true;
  const inner = /^\s*\$\{\{(.*)\}\}\s*$/.exec(text)?.[1] ?? text;
  const value = evaluate(inner, contexts);
  return value !== false && value !== "";
}

async function actionDefaults(contexts: Contexts): Promise<Record<string, string>> {
  const yml = parse(await readFile(join(ROOT, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(Object.entries(yml.inputs).map(([k, v]) => [k, interpolate(v.default ?? "", contexts)]));
}

async function runShell(script: string, cwd: string, env: Record<string, string>, runner: Record<string, string> = {}) {
  const files = await mkdtemp(join(tmpdir(), "worker-sync-step-"));
  const outputFile = join(files, "output");
  await writeFile(outputFile, "");
  const child = spawn("bash", ["-e", "-c", script], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...runner, ...env, GITHUB_OUTPUT: outputFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { code, stdout, stderr } = await finished(child);
  return { code, stdout: stdout + stderr, outputs: parseOutputFile(await readFile(outputFile, "utf8")) };
}

/** Runs the job's steps in order; a failed step skips the rest, as `if: success()` does by default. */
export async function runJob(workflow: Workflow, job: string, context: JobContext): Promise<StepRun[]> {
  const steps = workflow.jobs[job]?.steps;
  if (!steps) throw new Error(`no job ${job}`);
  const eventPath = join(context.workspace, "..", `event-${Date.now()}-${Math.random()}.json`);
  await writeFile(eventPath, JSON.stringify(context.event.payload));
  const contexts: Contexts = {
    steps: {},
    github: { token: context.token, event: context.event.payload, event_name: context.event.name },
    secrets: context.secrets ?? {},
  };
  const runs: StepRun[] = [];
  let failed = false;
  for (const step of steps) {
    const kind = step.run !== undefined ? "run" : /\/worker-sync@/.test(step.uses ?? "") ? "worker-sync" : "checkout";
    if (kind === "checkout" && !/^actions\/checkout@/.test(step.uses ?? "")) throw new Error(`step ${step.uses}?`);
    if (failed || !condition(step.if, contexts)) {
      runs.push({ ...(step.id ? { id: step.id } : {}), kind, skipped: true, code: null, outputs: {}, stdout: "" });
      continue;
    }
    let done: Pick<ActionRun, "code" | "outputs" | "stdout">;
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, contexts)]));
    if (kind === "worker-sync") {
      const inputs = await actionDefaults(contexts);
      for (const [k, v] of Object.entries(step.with ?? {})) inputs[k] = interpolate(v, contexts);
      const run = await runAction({
        node: context.node,
        workspace: context.workspace,
        inputs,
        env: {
          ...context.runner,
          ...context.env,
          ...env,
          GITHUB_EVENT_NAME: context.event.name,
          GITHUB_EVENT_PATH: eventPath,
        },
      });
      done = { ...run, stdout: run.stdout + run.stderr };
    } else if (kind === "run") {
      done = await runShell(step.run as string, context.workspace, env, context.runner);
    } else {
      // The test's workspace stands in for the checkout.
      done = { code: 0, outputs: {}, stdout: "" };
    }
    if (step.id) contexts.steps[step.id] = { outputs: done.outputs };
    failed = done.code !== 0;
    runs.push({ ...(step.id ? { id: step.id } : {}), kind, skipped: false, ...done });
  }
  return runs;
}
