import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_IMAGES, PORTS, PROFILE_DEFAULTS } from '../src/index.js';
import { UIDS } from '../src/security.js';
import { REPO_ROOT } from './helpers/tools.js';

/**
 * No Docker engine runs here, so the Dockerfiles are checked as text against the facts they
 * must agree with: the workspace layout, the lockfile install, the manifests' image names,
 * UIDs and ports.
 */
const WORKSPACES = {
  app: { port: PORTS.app },
  worker: { port: PORTS.workerMetrics },
  operator: { port: PORTS.operatorMetrics },
} as const;

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

describe.each(Object.entries(WORKSPACES))('%s/Dockerfile', (workspace, { port }) => {
  const text = readFileSync(join(REPO_ROOT, workspace, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1] ?? '';

  it('builds in stages on a current Node LTS alpine image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const image = /^ARG NODE_IMAGE=node:(\d+)-alpine$/m.exec(text);
    expect(Number(image?.[1]) % 2).toBe(0);
    expect(Number(image?.[1])).toBeGreaterThanOrEqual(24);
  });

  it('installs from the lockfile with every workspace manifest present', () => {
    expect(text).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    for (const dir of rootPackage.workspaces)
      expect(text).toContain(`COPY ${dir}/package.json ${dir}/`);
  });

  it('compiles the workspace and every workspace package it imports', () => {
    const build = /^RUN npm run build(.*)$/m.exec(text)?.[1] ?? '';
    const own = packageOf(workspace).name;
    for (const dir of localDependencies(workspace)) {
      expect(build).toContain(`-w ${packageOf(dir).name}`);
      expect(runtime).toContain(`COPY --from=build /src/${dir}/dist ${dir}/dist`);
    }
    expect(build).toContain(`-w ${own}`);
  });

  it('ships production dependencies only', () => {
    expect(text).toMatch(
      new RegExp(`npm ci --omit=dev --no-audit --no-fund -w ${packageOf(workspace).name}`),
    );
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('runs node on the compiled entry point as the numeric UID the manifests expect', () => {
    expect(runtime).toMatch(new RegExp(`^USER ${UIDS.printq}:${UIDS.printq}$`, 'm'));
    expect(runtime).toContain(`CMD ["node", "${workspace}/dist/main.js"]`);
    expect(existsSync(join(REPO_ROOT, workspace, 'src', 'main.ts'))).toBe(true);
    expect(runtime).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
  });

  it('documents the build command with the image name the kind profile deploys', () => {
    const image = PROFILE_DEFAULTS.kind.images[workspace as keyof typeof WORKSPACES];
    expect(image.repository).toBe(LOCAL_IMAGES[workspace as keyof typeof WORKSPACES]);
    expect(text).toContain(
      `docker build -f ${workspace}/Dockerfile -t ${image.repository}:${image.tag} .`,
    );
    expect(text).toContain(`kind load docker-image ${image.repository}:${image.tag} --name printq`);
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, build output and secrets out of the build context', () => {
    const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.git']));
  });
});
