#!/usr/bin/env node
// Validates Kubernetes manifests offline against the Kubernetes API schemas shipped in the npm
// package `kubernetes-models` (generated from the upstream OpenAPI definitions).
//   node scripts/validate-k8s.mjs [DIR]      (default deploy/kubernetes)
// Prints one JSON line {files, documents, errors: [{file, index, kind, name, message}]} and exits
// 1 when any document is invalid or of a kind it does not know. kustomization.yaml is skipped
// (it is not an API object).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const dir = process.argv[2] ?? 'deploy/kubernetes';
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
  .sort();

const errors = [];
let documents = 0;
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      errors.push({ file, index, message: `YAML: ${doc.errors[0].message}` });
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue;
    documents++;
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      errors.push({ file, index, kind, name, message: 'apiVersion and kind are required' });
      continue;
    }
    // core/v1 lives at kubernetes-models/v1/Kind, group/version at kubernetes-models/group/version/Kind
    let Model;
    try {
      const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
      Model = mod[kind];
    } catch {
      errors.push({
        file,
        index,
        kind,
        name,
        message: `unknown apiVersion/kind ${apiVersion} ${kind}`,
      });
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      errors.push({ file, index, kind, name, message: String(e.message ?? e) });
    }
  }
}
console.log(JSON.stringify({ files, documents, errors }));
process.exit(errors.length > 0 ? 1 : 0);
