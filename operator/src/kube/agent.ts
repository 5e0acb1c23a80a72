import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type CreateAgent = (cluster: unknown, options: AgentOptions) => Agent;

/**
 * client-node 1.4 builds a fresh https.Agent for every request, so every call pays a full
 * TLS handshake (most of the operator's idle CPU in bench/operator.bench.ts). This keeps one
 * keep-alive agent per distinct TLS material (CA, client certificate, key, verification) and
 * hands it out again. Proxy and plain-http clusters keep client-node's own agents.
 *
 * `createAgent` is private in client-node's typings, hence the cast; the method exists in
 * 1.4.0 (checked by the operator's tests, which fail if scaling stops working).
 */
const patched = new WeakSet<KubeConfig>();

export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  if (patched.has(kubeConfig)) return kubeConfig;
  patched.add(kubeConfig);
  const target = kubeConfig as unknown as { createAgent: CreateAgent };
  const original = target.createAgent.bind(kubeConfig);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const server = (cluster as { server?: string; proxyUrl?: string } | null) ?? {};
    if (server.proxyUrl || !server.server?.startsWith('https:')) return original(cluster, options);
    const key = agentKey(options);
    let agent = agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({ ...options, keepAlive: true, maxSockets: 32, maxFreeSockets: 8 });
      agents.set(key, agent);
    }
    return agent;
  };
  return kubeConfig;
}

function agentKey(options: AgentOptions): string {
  const material = [
    options.ca,
    options.cert,
    options.key,
    options.pfx,
    options.passphrase,
    options.rejectUnauthorized,
    options.servername,
  ].map((part) => (part === undefined ? '' : String(part)));
  return createHash('sha256').update(material.join('\0')).digest('hex');
}
