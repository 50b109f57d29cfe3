import { z } from 'zod';

/**
 * Marks schemas whose values must never be printed. A registry (not a name
 * convention) so a secret stays hidden even when its variable has an innocent
 * name such as FERRY_HMAC. zod registries follow clones, so `.describe()` on a
 * registered schema keeps the mark.
 */
export const secretSchemas = z.registry<{ secret: true }>();

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|KEY/i;

/**
 * The schemas a field is built from, outermost first: wrappers such as
 * `.optional()` / `.prefault()` hide the helper's description and secret mark
 * on an inner schema, and pipes keep them on either side.
 */
function* layers(schema: z.core.$ZodType): Generator<z.core.$ZodType> {
  const seen = new Set<z.core.$ZodType>();
  const pending: z.core.$ZodType[] = [schema];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === undefined || seen.has(current)) continue;
    seen.add(current);
    yield current;
    const def = current._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType; out?: z.core.$ZodType };
    for (const next of [def.innerType, def.in, def.out]) {
      if (next !== undefined) pending.push(next);
    }
  }
}

/** The first `.describe()` text found from the outside in. */
export function describedExpectation(schema: z.core.$ZodType | undefined): string | undefined {
  if (schema === undefined) return undefined;
  for (const layer of layers(schema)) {
    const description = z.globalRegistry.get(layer)?.description;
    if (description !== undefined) return description;
  }
  return undefined;
}

/** True when a variable's value must never appear in an error or a log. */
export function isSecretVariable(name: string, schema: z.core.$ZodType | undefined): boolean {
  if (SECRET_NAME.test(name)) return true;
  if (schema === undefined) return false;
  for (const layer of layers(schema)) {
    if (secretSchemas.get(layer)?.secret === true) return true;
  }
  return false;
}
