// Writes packages/crd/queuescaler.crd.yaml from the TypeScript source of the API.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crdYaml } from './manifest.js';

const CRD_YAML_PATH = fileURLToPath(new URL('../queuescaler.crd.yaml', import.meta.url));

writeFileSync(CRD_YAML_PATH, crdYaml());
console.log(`wrote ${CRD_YAML_PATH}`);
