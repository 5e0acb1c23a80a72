import type { Settings } from '@printq/cdk8s';
import type { ProfileName } from './args.js';
import { CliError } from './errors.js';
import type { KubeObject } from './objects.js';
import { withOwnershipLabels } from './objects.js';

export interface SynthesizedRelease {
  settings: Settings;
  /** In apply order, each carrying printq's ownership labels for the release. */
  objects: KubeObject[];
}

/**
 * Validates the settings (every bad or unknown `--set` key named) and synthesizes the
 * manifests of one revision.
 */
export async function synthesizeRelease(
  release: string,
  profile: ProfileName,
  overrides: Record<string, string>,
): Promise<SynthesizedRelease> {
  const settings = await validateSettings(profile, overrides);
  const { synthesize } = await loadCdk8s();
  const objects = synthesize(profile, overrides) as unknown as KubeObject[];
  return { settings, objects: objects.map((object) => withOwnershipLabels(object, release)) };
}

/**
 * cdk8s and cdk8s-plus take seconds to load; commands that do not synthesize (help, history,
 * status, rollback, down) never pay for them.
 */
export function loadCdk8s() {
  return import('@printq/cdk8s');
}

export async function validateSettings(
  profile: ProfileName,
  overrides: Record<string, string>,
): Promise<Settings> {
  const { parseSettings, SettingsError } = await loadCdk8s();
  let settings: Settings;
  try {
    settings = parseSettings(profile, overrides);
  } catch (error) {
    if (error instanceof SettingsError) {
      const lines = error.issues.map((issue) => `    ${issue}`).join('\n');
      throw new CliError('INVALID_SETTING', `invalid settings:\n${lines}`);
    }
    throw error;
  }
  const unknown = Object.keys(overrides).filter((key) => !hasPath(settings, key));
  if (unknown.length > 0) {
    throw new CliError(
      'INVALID_SETTING',
      `unknown setting${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      {
        hints: [`known top-level settings: ${Object.keys(settings).join(', ')}`],
      },
    );
  }
  return settings;
}

/** The schema drops keys it does not know, so a key absent after parsing was a typo. */
function hasPath(value: unknown, dottedKey: string): boolean {
  let node = value;
  for (const part of dottedKey.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}
