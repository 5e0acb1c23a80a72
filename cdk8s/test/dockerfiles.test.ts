import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_IMAGES, PORTS, PROFILE_DEFAULTS } from '../src/index.js';
import { UIDS } from '../src/security.js';
import { REPO_ROOT } from './helpers/tools.js';

/**
 * No Docker engine runs here, so the root Dockerfile is checked as text against the facts it
 * must agree with: the workspace layout, the lockfile install, the manifests' image names,
 * UIDs and ports. Each program is one named target; its stage chain is followed the way
 * BuildKit would (FROM and COPY --from), so a target is checked with everything it inherits.
 */
const PROGRAMS = {
  app: { port: PORTS.app },
  worker: { port: PORTS.workerMetrics },
  operator: { port: PORTS.operatorMetrics },
} as const;
type Program = keyof typeof PROGRAMS;

interface Stage {
  name: string;
  base: string;
  lines: string[];
}

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');

/** Stages by name, each with its instructions (continuation lines joined, comments dropped). */
function parseStages(text: string): Map<string, Stage> {
  const instructions = text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = new Map<string, Stage>();
  let current: Stage | undefined;
  for (const line of instructions) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (from) {
      current = { base: from[1] as string, name: from[2] as string, lines: [] };
      stages.set(current.name, current);
    } else current?.lines.push(line);
  }
  return stages;
}

const STAGES = parseStages(DOCKERFILE);

function stage(name: string): Stage {
  const found = STAGES.get(name);
  if (!found) throw new Error(`Dockerfile has no stage named ${name}`);
  return found;
}

/** The stage and the stages it is built FROM, nearest first (stops at the Node base image). */
function ancestry(name: string): Stage[] {
  const chain: Stage[] = [];
  for (let next = STAGES.get(name); next; next = STAGES.get(next.base)) chain.push(next);
  return chain;
}

/** Every stage a target needs: its ancestry plus, transitively, the stages it COPYs from. */
function closure(name: string, seen = new Set<string>()): Set<string> {
  for (const s of ancestry(name)) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    for (const line of s.lines) {
      const from = /^COPY --from=(\S+) /.exec(line)?.[1];
      if (from) closure(from, seen);
    }
  }
  return seen;
}

const linesOf = (name: string) => ancestry(name).flatMap((s) => s.lines);

const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  workspaces: string[];
};
const packageOf = (dir: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };
const workspaceDirByName = new Map(rootPackage.workspaces.map((dir) => [packageOf(dir).name, dir]));

/** Workspace packages a workspace imports at run time, transitively. */
function localDependencies(dir: string): string[] {
  const names = Object.keys(packageOf(dir).dependencies ?? {}).filter((n) =>
    workspaceDirByName.has(n),
  );
  return [
    ...new Set(
      names.flatMap((n) => [
        workspaceDirByName.get(n) as string,
        ...localDependencies(workspaceDirByName.get(n) as string),
      ]),
    ),
  ];
}

describe('the root Dockerfile', () => {
  it('builds on the Active LTS Node alpine image (26 since 2026-10-28)', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)-alpine$/m.exec(DOCKERFILE);
    expect(Number(image?.[1])).toBeGreaterThanOrEqual(26);
  });

  it('installs from the lockfile with every workspace manifest present', () => {
    const install = linesOf('build');
    expect(install).toContain('RUN npm ci --no-audit --no-fund');
    for (const dir of rootPackage.workspaces)
      expect(install).toContain(`COPY ${dir}/package.json ${dir}/`);
  });

  it('only builds from stages that exist', () => {
    for (const s of STAGES.values()) {
      if (!s.base.startsWith('$'))
        expect({ stage: s.name, base: STAGES.has(s.base) }).toEqual({
          stage: s.name,
          base: true,
        });
      for (const line of s.lines) {
        const from = /^COPY --from=(\S+) /.exec(line)?.[1];
        if (from)
          expect({ stage: s.name, from: STAGES.has(from) }).toEqual({ stage: s.name, from: true });
      }
    }
  });

  it('fails a build without --target instead of producing one program under any name', () => {
    const last = [...STAGES.values()].at(-1);
    expect(Object.keys(PROGRAMS)).not.toContain(last?.name);
    const run = last?.lines.find((line) => line.startsWith('RUN ')) ?? '';
    expect(run).toMatch(/exit 1$/);
    for (const program of Object.keys(PROGRAMS)) expect(run).toContain(program);
  });

  it('keeps node_modules, build output and secrets out of the build context', () => {
    const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.git']));
  });

  it('leaves no per-program Dockerfile behind', () => {
    for (const program of Object.keys(PROGRAMS))
      expect({ program, exists: existsSync(join(REPO_ROOT, program, 'Dockerfile')) }).toEqual({
        program,
        exists: false,
      });
  });
});

describe.each(Object.entries(PROGRAMS))('Dockerfile --target %s', (program, { port }) => {
  const own = packageOf(program).name;
  const target = ancestry(program);
  const runtimeLines = linesOf(program);

  it('is a runtime stage built only from shared stages and its own', () => {
    expect(target.map((s) => s.name)).toEqual([program, 'runtime']);
    const others = Object.keys(PROGRAMS).filter((p) => p !== program);
    for (const name of closure(program))
      expect({ name, other: others.some((p) => name === p || name.startsWith(`${p}-`)) }).toEqual({
        name,
        other: false,
      });
  });

  it('compiles the program and every workspace package it imports', () => {
    const builds = linesOf(`${program}-build`)
      .filter((line) => line.startsWith('RUN npm run build'))
      .join(' ');
    expect(builds).toContain(`-w ${own}`);
    for (const dir of localDependencies(program)) {
      expect(builds).toContain(`-w ${packageOf(dir).name}`);
      expect(runtimeLines.some((l) => l.endsWith(`/src/${dir}/dist ${dir}/dist`))).toBe(true);
    }
    expect(runtimeLines).toContain(
      `COPY --from=${program}-build /src/${program}/dist ${program}/dist`,
    );
  });

  it('ships production dependencies of the program and its workspace packages only', () => {
    const install = stage(`${program}-deps`).lines.find((l) => l.startsWith('RUN npm ci')) ?? '';
    expect(install).toMatch(new RegExp(`^RUN npm ci --omit=dev --no-audit --no-fund -w ${own} `));
    for (const dir of localDependencies(program))
      expect(install).toContain(`-w ${packageOf(dir).name}`);
    expect(runtimeLines).toContain(`COPY --from=${program}-deps /src/node_modules node_modules`);
    expect(runtimeLines.join('\n')).not.toMatch(/npm (ci|install)/);
  });

  it('runs node on the compiled entry point as the numeric UID the manifests expect', () => {
    expect(runtimeLines.filter((l) => l.startsWith('USER '))).toEqual([
      `USER ${UIDS.printq}:${UIDS.printq}`,
    ]);
    expect(runtimeLines.filter((l) => l.startsWith('CMD '))).toEqual([
      `CMD ["node", "${program}/dist/main.js"]`,
    ]);
    expect(existsSync(join(REPO_ROOT, program, 'src', 'main.ts'))).toBe(true);
    expect(runtimeLines.filter((l) => l.startsWith('EXPOSE '))).toEqual([`EXPOSE ${port}`]);
  });

  it('documents the build command with the image name the kind profile deploys', () => {
    const image = PROFILE_DEFAULTS.kind.images[program as Program];
    expect(image.repository).toBe(LOCAL_IMAGES[program as Program]);
    expect(DOCKERFILE).toContain(
      `docker build --target ${program} -t ${image.repository}:${image.tag} .`,
    );
    expect(DOCKERFILE).toMatch(
      new RegExp(
        `^#\\s+kind load docker-image --name printq .*${image.repository}:${image.tag}`,
        'm',
      ),
    );
  });
});
