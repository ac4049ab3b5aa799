/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML is untyped here; scripts/validate-k8s.mjs checks it against the Kubernetes API schemas */
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const DIR = join(__dirname, '..', '..', 'deploy', 'kubernetes');
const VALIDATOR = join(__dirname, '..', '..', 'scripts', 'validate-k8s.mjs');

interface ValidationReport {
  files: string[];
  documents: number;
  errors: { file: string; kind?: string; message: string }[];
}

function validate(dir: string): { status: number | null; report: ValidationReport } {
  const r = spawnSync(process.execPath, [VALIDATOR, dir], { encoding: 'utf8' });
  return { status: r.status, report: JSON.parse(r.stdout.trim()) as ValidationReport };
}

/** Every API object in deploy/kubernetes, by kind. */
function manifests(): Record<string, any> {
  const byKind: Record<string, any> = {};
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, f), 'utf8'))) {
      const obj = doc.toJS();
      if (obj?.kind && obj.kind !== 'Kustomization') byKind[obj.kind] = obj;
    }
  }
  return byKind;
}

describe('Kubernetes manifests', () => {
  it('validate against the Kubernetes API schemas (offline, kubernetes-models)', () => {
    const { status, report } = validate(DIR);
    expect(report.errors).toEqual([]);
    expect(status).toBe(0);
    expect(report.documents).toBe(6);
  });

  it('the validator rejects a manifest that breaks the schema', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'k8s-'));
    try {
      copyFileSync(join(DIR, 'service.yaml'), join(tmp, 'service.yaml'));
      const broken = readFileSync(join(DIR, 'deployment.yaml'), 'utf8').replace(
        'containerPort: 8000',
        'containerPort: eight-thousand',
      );
      writeFileSync(join(tmp, 'deployment.yaml'), broken);
      const { status, report } = validate(tmp);
      expect(status).toBe(1);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]).toMatchObject({ file: 'deployment.yaml', kind: 'Deployment' });
      expect(report.errors[0].message).toMatch(/containerPort/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('kustomization lists every manifest', () => {
    const kustomization = parseAllDocuments(
      readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'),
    )[0].toJS();
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  const m = manifests();
  const pod = m.Deployment.spec.template.spec;
  const container = pod.containers[0];
  const config = m.ConfigMap.data as Record<string, string>;

  it('runs 2 replicas of a hardened, non-root container with a read-only root filesystem', () => {
    expect(m.Deployment.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
  });

  it('probes: startup and liveness on /health/live, readiness on /health/ready, on the served port', () => {
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(String(port.containerPort)).toBe(config.PORT);
    // The startup probe must give a slow node at least 10 s before liveness takes over.
    const sp = container.startupProbe;
    expect(sp.periodSeconds * sp.failureThreshold).toBeGreaterThanOrEqual(10);
  });

  it('termination grace covers the preStop sleep plus the service drain (SHUTDOWN_GRACE_MS)', () => {
    const preStop = container.lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const preStopMs = Number(preStop[1]) * 1000;
    expect(preStopMs).toBeGreaterThan(0);
    const graceMs = Number(config.SHUTDOWN_GRACE_MS);
    expect(Number.isInteger(graceMs) && graceMs > 0).toBe(true);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopMs + graceMs);
  });

  it('one process per pod (WORKERS=1): the HPA scales pods, not workers', () => {
    expect(config.WORKERS).toBe('1');
    expect(Number(container.resources.limits.cpu)).toBeLessThanOrEqual(1);
  });

  it('mounts the model volume read-only where MODEL_PATH points, settings from the ConfigMap', () => {
    const modelDir = config.MODEL_PATH.slice(0, config.MODEL_PATH.lastIndexOf('/'));
    const mount = container.volumeMounts.find((v: any) => v.mountPath === modelDir);
    expect(mount).toMatchObject({ readOnly: true });
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.persistentVolumeClaim.claimName).toBe(m.PersistentVolumeClaim.metadata.name);
    expect(container.envFrom[0].configMapRef.name).toBe(m.ConfigMap.metadata.name);
  });

  it('Service, HPA and PDB target the Deployment and its pods', () => {
    const labels = m.Deployment.spec.template.metadata.labels;
    expect(m.Service.spec.selector).toEqual(m.Deployment.spec.selector.matchLabels);
    expect(m.PodDisruptionBudget.spec.selector.matchLabels).toEqual(
      m.Deployment.spec.selector.matchLabels,
    );
    expect(labels).toMatchObject(m.Deployment.spec.selector.matchLabels);
    expect(m.Service.spec.ports[0].targetPort).toBe('http');
    expect(m.HorizontalPodAutoscaler.spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: m.Deployment.metadata.name,
    });
    expect(m.HorizontalPodAutoscaler.spec.metrics[0].resource.name).toBe('cpu');
    expect(m.HorizontalPodAutoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(m.PodDisruptionBudget.spec.minAvailable).toBeLessThan(m.Deployment.spec.replicas);
  });
});
