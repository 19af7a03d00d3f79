import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The JSON Schema of the golden-vector format (schema/golden-vector.schema.json, exported as
 * `intracluster/vector.schema.json`). The loader takes its key lists and verdicts from it, so the
 * schema and the loader cannot disagree on which keys exist.
 */
export const GOLDEN_SCHEMA_FILE: string = findSchema(__dirname);

function findSchema(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'schema', 'golden-vector.schema.json');
    if (existsSync(join(d, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(d) === d) return join(from, '..', '..', 'schema', 'golden-vector.schema.json');
  }
}

interface SchemaObject {
  properties: Record<string, SchemaObject & { enum?: string[]; items?: SchemaObject }>;
}

/** The parsed schema. */
export const GOLDEN_SCHEMA = JSON.parse(readFileSync(GOLDEN_SCHEMA_FILE, 'utf8')) as SchemaObject & {
  $id: string;
  required: string[];
};

const props = GOLDEN_SCHEMA.properties;
export const TOP_KEYS: readonly string[] = Object.keys(props);
export const EXPECT_KEYS: readonly string[] = Object.keys(props.expect.properties);
export const BEFORE_KEYS: readonly string[] = Object.keys(props.before.items!.properties);
export const TSHARK_KEYS: readonly string[] = Object.keys(props.tshark.properties);
export const VERDICTS: readonly string[] = props.expect.properties.verdict.enum!;
