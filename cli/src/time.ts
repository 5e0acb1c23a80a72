import { setTimeout as delay } from 'node:timers/promises';

/** Injected so polling loops (CRDs, rollouts, webhooks) can run on virtual time in tests. */
export type Sleep = (ms: number) => Promise<void>;
export type Now = () => number;

export const realSleep: Sleep = (ms) => delay(ms).then(() => undefined);
export const realNow: Now = () => Date.now();

/** Parses `90`, `90s`, `5m`, `1h`, `1500ms` into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(value * unitMs);
}
