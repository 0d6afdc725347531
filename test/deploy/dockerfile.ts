/**
 * Just enough of the Dockerfile grammar for the deploy tests: comments
 * dropped, `\` continuations joined, instructions split into stages at
 * each FROM, build ARGs substituted in FROM, exec-form (JSON array)
 * arguments parsed. And the .dockerignore allow-list check the COPY lines
 * depend on.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  readonly keyword: string;
  /** The rest of the line, continuations joined with a space. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  readonly args: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  let pending: { start: number; text: string } | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === undefined && (/^\s*#/.test(line) || line.trim() === '')) return;
    if (pending !== undefined && /^\s*#/.test(line)) return; // comment inside a continuation
    const continues = line.endsWith('\\');
    const body = continues ? line.slice(0, -1) : line;
    pending = pending === undefined ? { start: i + 1, text: body.trim() } : { start: pending.start, text: `${pending.text} ${body.trim()}` };
    if (continues) return;
    const m = /^(\S+)\s*(.*)$/.exec(pending.text)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: pending.start });
    pending = undefined;
  });
  if (pending !== undefined) throw new Error(`Dockerfile ends inside a continuation started at line ${(pending as { start: number }).start}`);

  const args = new Map<string, string>();
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: FROM ${ins.args}`);
      const image = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? '');
      stages.push({ image, name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      const m = /^(\w+)(?:=(.*))?$/.exec(ins.args);
      if (m) args.set(m[1]!, m[2] ?? '');
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** The arguments of an exec-form instruction (`["a", "b"]`), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** HEALTHCHECK [--opt=v …] CMD …: the options and the command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; command: string } {
  const options: Record<string, string> = {};
  let rest = args.trim();
  for (let m = /^--([\w-]+)=(\S+)\s+/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  const cmd = /^CMD\s+(.*)$/i.exec(rest);
  if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return { options, command: cmd[1]! };
}

/** COPY/ADD: options (`--from=build`), sources and destination. */
export function parseCopy(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const words = execForm(args) ?? args.trim().split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/**
 * Whether .dockerignore keeps `path` in the build context. Supports what
 * rovd's file uses: `*`-style patterns and `!` exceptions, the last
 * matching line wins, and a pattern matching a parent folder covers
 * everything under it.
 */
export function inContext(dockerignore: string, path: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ exclude: !l.startsWith('!'), re: globToRegExp(l.replace(/^!/, '').replace(/^\/+|\/+$/g, '')) }));
  const parts = path.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
  let kept = true;
  for (const rule of rules) {
    for (let n = 1; n <= parts.length; n++) {
      if (rule.re.test(parts.slice(0, n).join('/'))) kept = !rule.exclude;
    }
  }
  return kept;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
