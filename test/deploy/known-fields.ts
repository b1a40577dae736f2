/**
 * Finds fields a Kubernetes object has that its API type does not define (a misspelled
 * `readinesProbe` is valid JSON schema but silently ignored by the API server unless strict
 * field validation is on). The field lists come from @kubernetes/client-node's generated models.
 */
import * as k8s from '@kubernetes/client-node';

interface AttributeType {
  readonly baseName: string;
  readonly type: string;
}

type Model = { getAttributeTypeMap(): AttributeType[] };

const models = k8s as unknown as Record<string, Model | undefined>;

/** Returns the dotted paths of unknown fields under `value`, read as the model `type`. */
export function unknownFields(value: unknown, type: string, at = ''): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    return Array.isArray(value)
      ? value.flatMap((v, i) => unknownFields(v, array[1], `${at}[${i}]`))
      : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    return Object.entries(value as object).flatMap(([k, v]) =>
      unknownFields(v, map[1], `${at}.${k}`),
    );
  }
  const model = models[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function' || typeof value !== 'object')
    return [];
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as object).flatMap(([key, child]) => {
    const childType = fields.get(key);
    const path = at ? `${at}.${key}` : key;
    return childType === undefined ? [path] : unknownFields(child, childType, path);
  });
}

/** The client-node model name of a kind: `apps/v1` Deployment -> V1Deployment. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop() ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}
