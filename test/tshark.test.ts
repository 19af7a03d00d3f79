import { formatMac } from '../src/mac';
import {
  GOLDEN_DIR,
  GoldenFrameRole,
  GoldenVector,
  TsharkError,
  goldenFrame,
  loadGoldenVectors,
  tsharkFields,
} from '../src/testing';

/**
 * Wireshark's dissectors as an independent reader of every golden frame: all frames (input, output,
 * reply) of all vectors go into one pcap written by src/pcap/writer.ts, one tshark process reads
 * it, and each field a vector claims must read back exactly. tshark must also find no malformed
 * packet (unless the vector says so) and must read, from the bytes, the Ethernet addresses the
 * vector claims. Set GOLDEN_PCAP=/path/file.pcap to keep the capture for Wireshark.
 */

const ROLES: GoldenFrameRole[] = ['input', 'output', 'reply'];
/** Fields read for every frame, whatever the claims. */
const ALWAYS = ['frame.number', 'frame.len', 'eth.dst', 'eth.src', '_ws.malformed'];

interface FrameRef {
  vector: GoldenVector;
  role: GoldenFrameRole;
  bytes: Uint8Array;
  /** tshark's reading: field -> value as `-T fields` prints it ("" = absent). */
  read?: Record<string, string>;
}

const vectors = loadGoldenVectors(GOLDEN_DIR);
const frames: FrameRef[] = [];
for (const vector of vectors) {
  for (const role of ROLES) {
    const bytes = goldenFrame(vector, role);
    if (bytes) frames.push({ vector, role, bytes });
  }
}
const fields = [
  ...new Set([...ALWAYS, ...vectors.flatMap((v) => ROLES.flatMap((r) => Object.keys(v.tshark?.[r] ?? {})))]),
];

let tsharkError: Error | undefined;

beforeAll(() => {
  try {
    const reads = tsharkFields(
      frames.map((f) => f.bytes),
      fields,
      { pcap: process.env.GOLDEN_PCAP || undefined },
    );
    reads.forEach((read, i) => (frames[i].read = read));
  } catch (e) {
    if (!(e instanceof TsharkError)) throw e;
    if (e.notFound) tsharkError = new Error('tshark not found: run scripts/setup');
    else {
      // name the vectors that claim a field tshark does not know
      const unknown = /aren't valid:\s*([\s\S]*)/.exec(e.stderr)?.[1].split(/\s+/).filter(Boolean) ?? [];
      const who = unknown.map(
        (f) =>
          `${f} (claimed by ${vectors
            .filter((v) => ROLES.some((ro) => v.tshark?.[ro]?.[f] !== undefined))
            .map((v) => v.path)
            .join(', ')})`,
      );
      tsharkError = new Error(`${e.message}${who.length ? `\nunknown fields: ${who.join('; ')}` : ''}`);
    }
  }
});

function requireTshark(): void {
  if (tsharkError) throw tsharkError;
}

describe('tshark reads every golden frame as its vector claims', () => {
  test('tshark read every frame of a non-empty suite', () => {
    requireTshark();
    expect(vectors.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.read !== undefined)).toBe(true);
  });

  test.each(vectors.map((v) => [v.path, v] as const))('%s', (_path, v) => {
    requireTshark();
    const problems: string[] = [];
    const t = v.tshark;
    if (!t) throw new Error(`${v.path}: no "tshark" block: every golden vector claims tshark fields for its frames`);
    for (const f of frames.filter((x) => x.vector === v)) {
      const claims = t[f.role];
      const read = f.read!;
      const at = `${f.role} (frame ${read['frame.number']} of the capture)`;
      if (!claims || Object.keys(claims).length === 0) {
        problems.push(`${at}: no tshark claims for this frame`);
        continue;
      }
      for (const [field, want] of Object.entries(claims)) {
        if (read[field] !== want)
          problems.push(
            `${at}: ${field}: vector claims ${JSON.stringify(want)}, tshark reads ${JSON.stringify(read[field])}`,
          );
      }
      const malformed = read['_ws.malformed'] !== '';
      if (malformed && !t.malformed)
        problems.push(
          `${at}: tshark reports a malformed packet (${read['_ws.malformed']}); say "malformed": true if that is by design`,
        );
      if (f.bytes.length >= 14) {
        // the Ethernet addresses, from the bytes themselves, through tshark and in the claims
        const dst = formatMac(f.bytes, 0, ':');
        const src = formatMac(f.bytes, 6, ':');
        if (read['eth.dst'] !== dst || read['eth.src'] !== src)
          problems.push(
            `${at}: tshark reads eth.dst ${read['eth.dst']} eth.src ${read['eth.src']}, the bytes say ${dst} ${src}`,
          );
        if (f.role !== 'input') {
          if (claims['eth.dst'] !== dst)
            problems.push(
              `${at}: claimed eth.dst ${JSON.stringify(claims['eth.dst'])} is not the expected bytes' ${dst}`,
            );
          if (claims['eth.src'] !== src)
            problems.push(
              `${at}: claimed eth.src ${JSON.stringify(claims['eth.src'])} is not the expected bytes' ${src}`,
            );
        }
      }
    }
    if (t.malformed) {
      const input = frames.find((x) => x.vector === v && x.role === 'input')!;
      if (input.read!['_ws.malformed'] === '')
        problems.push('"malformed": true, but tshark reads the input as a well-formed packet');
    }
    for (const role of ROLES) {
      if (t[role] && !goldenFrame(v, role))
        problems.push(`tshark.${role}: claims for a frame the vector does not have`);
    }
    if (problems.length) throw new Error(`${v.path} (${v.name}):\n  - ${problems.join('\n  - ')}`);
  });
});
