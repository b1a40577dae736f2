/**
 * Every manifest in deploy/ is a valid Kubernetes object: checked against the API's OpenAPI
 * schemas (kubernetes-models, which ships them compiled for ajv) and for fields the API type
 * does not have; the ConfigMap's Corefile passes `clusterdns check` (the real executable); and
 * the Deployment keeps the properties the deploy issue asks for.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { deployDir } from './deploy-dir.js';
import { modelName, unknownFields } from './known-fields.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const MANIFESTS = [
  'serviceaccount.yaml',
  'clusterrole.yaml',
  'clusterrolebinding.yaml',
  'configmap.yaml',
  'deployment.yaml',
  'poddisruptionbudget.yaml',
  'service.yaml',
  'autoscaler.yaml',
];

interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string };
  readonly [key: string]: unknown;
}

function load(file: string): K8sObject[] {
  const docs = parseAllDocuments(fs.readFileSync(path.join(deployDir(), file), 'utf8'));
  return (Array.isArray(docs) ? docs : [docs]).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    return doc.toJS() as K8sObject;
  });
}

/** Validates against the OpenAPI schema of the object's kind; throws with the schema errors. */
async function validateSchema(object: K8sObject): Promise<void> {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `${object.apiVersion}`;
  const module = (await import(`kubernetes-models/${group}/${object.kind}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[object.kind];
  assert.ok(Model, `kubernetes-models has ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

function find(kind: string, name: string): K8sObject {
  const all = MANIFESTS.flatMap(load);
  const found = all.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} in deploy/`);
  return found;
}

describe('deploy manifests', () => {
  it('lists every manifest in deploy/', () => {
    const yamls = fs
      .readdirSync(deployDir())
      .filter((f) => f.endsWith('.yaml') && f !== 'prometheus-rules.yaml');
    assert.deepEqual(yamls.sort(), [...MANIFESTS].sort());
  });

  for (const file of MANIFESTS) {
    it(`${file} validates against the Kubernetes API schemas`, async () => {
      for (const object of load(file)) {
        await validateSchema(object);
        assert.deepEqual(
          unknownFields(object, modelName(object.apiVersion, object.kind)),
          [],
          `${object.kind}/${object.metadata.name}`,
        );
      }
    });
  }

  it('the schema check and the field check catch mistakes (negative controls)', async () => {
    const deployment = find('Deployment', 'clusterdns');
    const badType = structuredClone(deployment) as { spec: { replicas: unknown } } & K8sObject;
    badType.spec.replicas = 'two';
    await assert.rejects(validateSchema(badType), /replicas must be integer/);
    const typo = structuredClone(deployment) as K8sObject & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    typo.spec.template.spec.containers[0].readinesProbe = {};
    assert.deepEqual(unknownFields(typo, 'V1Deployment'), [
      'spec.template.spec.containers[0].readinesProbe',
    ]);
  });

  it('the ConfigMap coredns holds a Corefile that passes clusterdns check', async () => {
    const configMap = find('ConfigMap', 'coredns') as K8sObject & { data: { Corefile: string } };
    const dir = makeTempDir('deploy-');
    try {
      const file = path.join(dir, 'Corefile');
      fs.writeFileSync(file, configMap.data.Corefile);
      const proc = ClusterDnsProcess.spawn(['check', '--conf', file]);
      const code = await proc.wait();
      assert.deepEqual(
        [code, proc.lines.map((l) => l.text), proc.stderr.join('')],
        [0, ['OK'], ''],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Deployment: 2 replicas, spread, probes, non-root, read-only, only NET_BIND_SERVICE', () => {
    const d = find('Deployment', 'clusterdns') as any;
    const pod = d.spec.template.spec;
    const [container] = pod.containers;
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(
      pod.topologySpreadConstraints.map((c: any) => c.topologyKey),
      ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'],
    );
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/health', port: 'liveness-probe' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/ready', port: 'readiness-probe' });
    const ports = Object.fromEntries(
      container.ports.map((p: any) => [p.name, `${p.containerPort}/${p.protocol}`]),
    );
    assert.deepEqual(ports, {
      dns: '53/UDP',
      'dns-tcp': '53/TCP',
      metrics: '9153/TCP',
      'liveness-probe': '8080/TCP',
      'readiness-probe': '8181/TCP',
    });
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(container.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
    });
    assert.deepEqual(container.resources, {
      requests: { cpu: '100m', memory: '100Mi' },
      limits: { memory: '256Mi' },
    });
    assert.deepEqual(container.args, ['serve', '--conf', '/etc/coredns/Corefile']);
    assert.equal(pod.volumes[0].configMap.name, 'coredns');
  });

  it('the Service kube-dns: 10.96.0.10 with dns, dns-tcp and metrics, selecting the pods', () => {
    const s = find('Service', 'kube-dns') as any;
    const d = find('Deployment', 'clusterdns') as any;
    assert.equal(s.spec.clusterIP, '10.96.0.10');
    assert.deepEqual(
      s.spec.ports.map((p: any) => `${p.name} ${p.port}/${p.protocol}`),
      ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP'],
    );
    for (const [k, v] of Object.entries(s.spec.selector))
      assert.equal(d.spec.template.metadata.labels[k], v);
  });

  it('RBAC grants only list and watch on what the kubernetes plugin reads', () => {
    const role = find('ClusterRole', 'system:clusterdns') as any;
    const granted = role.rules.flatMap((r: any) =>
      r.resources.map((res: any) => `${r.apiGroups[0] || 'core'}/${res} ${r.verbs.join(',')}`),
    );
    assert.deepEqual(granted.sort(), [
      'core/namespaces list,watch',
      'core/pods list,watch',
      'core/services list,watch',
      'discovery.k8s.io/endpointslices list,watch',
    ]);
    const binding = find('ClusterRoleBinding', 'system:clusterdns') as any;
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'clusterdns', namespace: 'kube-system' },
    ]);
    assert.equal(
      find('Deployment', 'clusterdns').spec &&
        (find('Deployment', 'clusterdns') as any).spec.template.spec.serviceAccountName,
      'clusterdns',
    );
  });

  it('the autoscaler targets the Deployment with linear parameters that parse', () => {
    const params = JSON.parse((find('ConfigMap', 'clusterdns-autoscaler') as any).data.linear);
    assert.deepEqual(Object.keys(params).sort(), [
      'coresPerReplica',
      'includeUnschedulableNodes',
      'max',
      'min',
      'nodesPerReplica',
      'preventSinglePointFailure',
    ]);
    assert.equal(params.min, 2);
    const args: string[] = (find('Deployment', 'clusterdns-autoscaler') as any).spec.template.spec
      .containers[0].args;
    assert.ok(args.includes('--target=Deployment/clusterdns'));
    assert.ok(args.includes('--configmap=clusterdns-autoscaler'));
    const defaults = JSON.parse(
      args.find((a) => a.startsWith('--default-params='))!.slice('--default-params='.length),
    );
    assert.deepEqual(defaults, { linear: params });
  });

  it('the PodDisruptionBudget selects the clusterdns pods', () => {
    const pdb = find('PodDisruptionBudget', 'clusterdns') as any;
    const d = find('Deployment', 'clusterdns') as any;
    assert.deepEqual(pdb.spec.selector, d.spec.selector);
    assert.equal(pdb.spec.maxUnavailable, 1);
  });
});
