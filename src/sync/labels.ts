/**
 * Labels → roles and levels, for both families of projects.json. The config says which
 * labels put a role on an issue; what it leaves out follows the file: family 1 as worker-sync
 * always read it (`Doing` → dev, `Testing` → qa), family 2 as DevClaw does (`Doing` →
 * developer, `Testing` → tester, `Reviewing` → reviewer, `Researching` → architect, levels
 * from the file). Level labels come in DevClaw's forms: `<role>:<level>`,
 * `<role>:<level>:<Name>`, the legacy `<role>.<level>`, and a plain `<level>`.
 */
import type { ProjectView } from "../state/index.js";
import { ownValue } from "../state/index.js";
import {
  CONFIG_FILE,
  ConfigError,
  defaultLevelOf,
  labelMatches,
  levelsOf,
  type RoleConfig,
  type WorkerSyncConfig,
} from "./config.js";
import { ACTIVE_LABELS, canonicalRole, QUEUE_LABELS, ROLE_ALIASES } from "./devclaw-labels.js";

/** One role of a project as the labels drive it. */
export interface RoleRule {
  /** The role's name in the file (`dev`, `developer`, a team's own). */
  role: string;
  labels: string[];
  levels: string[];
  defaultLevel: string;
  /** Labels of issues waiting for the role, highest priority first (served with `dispatch: true`). */
  queue: string[];
}

/** The level aliases DevClaw applies per role (its labels of older releases). */
const LEVEL_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  developer: { mid: "medior" },
  tester: { mid: "medior", reviewer: "medior", tester: "junior" },
  architect: { opus: "senior", sonnet: "junior" },
};

/** Family 1's tiers and default tier as worker-sync always read them. */
const FAMILY1_LEVELS: Readonly<Record<string, { levels: string[]; defaultLevel: string }>> = {
  dev: { levels: ["junior", "medior", "senior"], defaultLevel: "medior" },
  qa: { levels: ["qa"], defaultLevel: "qa" },
};

/** Level names DevClaw ships with, and their aliases: labels worth reading before the file is. */
const KNOWN_LEVELS = ["junior", "medior", "senior", "qa", "mid", "reviewer", "tester", "opus", "sonnet"];

/** DevClaw's routing labels: never a level, whatever comes after the colon. */
const ROUTING_PREFIXES = ["review:", "test:", "owner:", "notify:"];

const lower = (s: string) => s.trim().toLowerCase();

const isRoutingLabel = (label: string) => ROUTING_PREFIXES.some((p) => lower(label).startsWith(p));

/** The config entry for a role of the file: its own name first, else an alias (`dev` for developer). */
function configFor(config: WorkerSyncConfig, role: string): { name: string; rc: RoleConfig } | undefined {
  const names = Object.keys(config.roles);
  const name =
    names.find((n) => lower(n) === lower(role)) ?? names.find((n) => canonicalRole(n) === canonicalRole(role));
  return name === undefined ? undefined : { name, rc: ownValue(config.roles, name) as RoleConfig };
}

/** A config's level name as the file spells it (levels match case-insensitively). */
const spelled = (levels: readonly string[], name: string) => levels.find((l) => lower(l) === lower(name)) ?? name;

/** The rules for every role of the project, and for configured roles it lacks (their labels then say so). */
export function roleRulesFor(config: WorkerSyncConfig, view: ProjectView): RoleRule[] {
  const rules: RoleRule[] = [];
  const used = new Set<string>();
  for (const role in view.roles) {
    const found = configFor(config, role);
    if (found) used.add(found.name);
    rules.push(ruleOf(role, found, view));
  }
  for (const name of Object.keys(config.roles)) {
    if (used.has(name)) continue;
    rules.push(ruleOf(name, { name, rc: config.roles[name] as RoleConfig }, view));
  }
  return rules;
}

function ruleOf(role: string, found: { name: string; rc: RoleConfig } | undefined, view: ProjectView): RoleRule {
  const rc = found?.rc ?? {};
  const family1 = view.family === 1 ? ownValue(FAMILY1_LEVELS, role) : undefined;
  const inFile = Object.keys(ownValue(view.roles, role)?.levels ?? {});
  const given = levelsOf(rc);
  const levels = given ? given.map((l) => spelled(inFile, l)) : (family1?.levels ?? inFile);
  const active = ownValue(ACTIVE_LABELS, canonicalRole(role));
  const labels = rc.labels ?? (active ? [active] : []);
  const wanted = defaultLevelOf(rc);
  let defaultLevel: string;
  if (wanted !== undefined) {
    defaultLevel = spelled(levels, wanted.name);
    if (levels.length && !levels.includes(defaultLevel)) {
      const what = family1
        ? `roles.${found?.name}.${wanted.field === "defaultTier" ? "tiers" : "levels"}`
        : `the ${role} levels of project "${view.id}"`;
      throw new ConfigError(
        `${CONFIG_FILE}: roles.${found?.name}.${wanted.field}: "${wanted.name}" is not one of ${what} (${levels.join(", ")})`,
      );
    }
  } else {
    defaultLevel = family1?.defaultLevel ?? (levels.includes("medior") ? "medior" : (levels[0] ?? "medior"));
  }
  const queue = rc.queue ?? [...(ownValue(QUEUE_LABELS, canonicalRole(role)) ?? [])];
  return { role, labels, levels, defaultLevel, queue };
}

/** How a label names a level: its form (DevClaw's order of preference) and the slot name it may carry. */
interface LevelLabel {
  role?: string;
  level: string;
  name?: string;
  /** 0: `<role>:<level>[:<Name>]`, 1: `<role>.<level>`, 2: `<level>`. */
  form: 0 | 1 | 2;
}

/** The level of a rule a word names, directly or by DevClaw's alias for the role. */
function levelOf(rule: RoleRule, word: string): string | undefined {
  const direct = rule.levels.find((l) => lower(l) === lower(word));
  if (direct) return direct;
  const aliases = ownValue(LEVEL_ALIASES, canonicalRole(rule.role));
  const alias = aliases && ownValue(aliases, lower(word));
  return alias === undefined ? undefined : rule.levels.find((l) => lower(l) === alias);
}

function ruleNamed(rules: readonly RoleRule[], word: string): RoleRule | undefined {
  return (
    rules.find((r) => lower(r.role) === lower(word)) ?? rules.find((r) => canonicalRole(r.role) === canonicalRole(word))
  );
}

/** What a label says about a rule's level, or undefined when it names none of its levels. */
function readLevelLabel(rules: readonly RoleRule[], rule: RoleRule, label: string): LevelLabel | undefined {
  const text = label.trim();
  if (isRoutingLabel(text)) return undefined;
  const colon = text.split(":");
  if (colon.length === 2 || colon.length === 3) {
    const [r = "", l = "", name] = colon;
    if (ruleNamed(rules, r) !== rule) return undefined;
    const level = levelOf(rule, l);
    if (level === undefined) return undefined;
    return { role: rule.role, level, form: 0, ...(name?.trim() ? { name: name.trim() } : {}) };
  }
  if (colon.length > 3) return undefined;
  const dot = text.indexOf(".");
  if (dot > 0 && ruleNamed(rules, text.slice(0, dot))) {
    if (ruleNamed(rules, text.slice(0, dot)) !== rule) return undefined;
    const level = levelOf(rule, text.slice(dot + 1));
    return level === undefined ? undefined : { role: rule.role, level, form: 1 };
  }
  const level = levelOf(rule, text);
  return level === undefined ? undefined : { level, form: 2 };
}

export interface WantedSeat {
  role: string;
  level: string;
  /** A slot name from a `<role>:<level>:<Name>` label: that slot is taken when it is free. */
  name?: string;
}

/** Several level labels for one role: the one that wins, and the others, to say so. */
export interface SeveralLevels {
  role: string;
  levels: string[];
  chosen: string;
}

/** The roles an issue's labels ask for, and at which level (closed or gone issues ask for none). */
export function wantedSeats(
  rules: readonly RoleRule[],
  labels: readonly string[],
): { wanted: WantedSeat[]; several: SeveralLevels[] } {
  const wanted: WantedSeat[] = [];
  const several: SeveralLevels[] = [];
  for (const rule of rules) {
    if (!rule.labels.some((name) => labels.some((l) => labelMatches(l, name)))) continue;
    const read = labels.flatMap((l) => readLevelLabel(rules, rule, l) ?? []);
    const best = Math.min(...read.map((r) => r.form));
    const top = read.filter((r) => r.form === best);
    const levels = [...new Set(top.map((r) => r.level))];
    // With several level labels, the last one configured (the most senior by convention) wins.
    const chosen = levels.sort((a, b) => rule.levels.indexOf(a) - rule.levels.indexOf(b)).at(-1) ?? rule.defaultLevel;
    if (levels.length > 1) several.push({ role: rule.role, levels, chosen });
    const name = top.find((r) => r.level === chosen && r.name)?.name;
    wanted.push({ role: rule.role, level: chosen, ...(name ? { name } : {}) });
  }
  return { wanted, several };
}

/** Which labels of the issue these rules read, as they are written on the issue. */
export function labelsRead(rules: readonly RoleRule[], labels: readonly string[]): string[] {
  return labels.filter((label) =>
    rules.some((rule) => rule.labels.some((l) => labelMatches(l, label)) || readLevelLabel(rules, rule, label)),
  );
}

/**
 * Whether a label may matter for some project before the state file is read: a configured or
 * default role label, a configured or DevClaw level name, or `<role>:…`/`<role>.…` of a known role.
 */
export function isLabelMentioned(config: WorkerSyncConfig, label: string): boolean {
  if (isRoutingLabel(label)) return false;
  const configured = Object.entries(config.roles).flatMap(([, rc]) => [...(rc.labels ?? []), ...(levelsOf(rc) ?? [])]);
  // Queue labels matter only when worker-sync serves queues.
  const queues = config.dispatch
    ? [...Object.values(config.roles).flatMap((rc) => rc.queue ?? []), ...Object.values(QUEUE_LABELS).flat()]
    : [];
  const names = [...configured, ...queues, ...Object.values(ACTIVE_LABELS), ...KNOWN_LEVELS];
  if (names.some((n) => labelMatches(n, label))) return true;
  const roles = new Set([...Object.keys(config.roles), ...Object.keys(ROLE_ALIASES), ...Object.keys(ACTIVE_LABELS)]);
  const head = lower(label).split(/[:.]/)[0] ?? "";
  return /[:.]/.test(label) && [...roles].some((r) => lower(r) === head);
}

/** Every role label of the rules: one list call each finds all issues a reconcile considers. */
export const roleLabelsOf = (rules: readonly RoleRule[]): string[] => [...new Set(rules.flatMap((r) => r.labels))];
