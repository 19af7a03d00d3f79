import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The core in src/ is protocol-agnostic: only its composition roots name the protocol families.
 * Every file under src/ outside the roots below imports nothing from adapters/ or mappings/ and
 * names nothing the families' modules export; no file under src/ (roots included) lays out an
 * ARP, IPv4, IPv6, ICMPv6 or Neighbor Discovery field: the wire views, with their RFC sections and
 * length checks, are the families' own (adapters/arp/arp.ts, ipv4.ts; adapters/ndp/ipv6.ts,
 * icmpv6.ts, options.ts).
 */
const ROOT = resolve(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** The composition roots: the places that choose and wire the families. Paths relative to the repository. */
const COMPOSITION_ROOTS: Record<string, string> = {
  'src/defaults.ts': 'the DI-free root: instances of the built-in adapters and mappings',
  'src/container.ts': 'the inversify root: one module per built-in adapter, one for the mappings',
  'src/index.ts': "the repository's own everything-entry: re-exports the families",
  'src/api/': 'the package entry points: intracluster and intracluster/frame re-export the families',
  'src/cli/': 'the program: its demo and frame tables draw ARP and ND frames with the families',
  'src/testing/hexdiff.ts': "the golden kit's diff names the fields of an ARP frame",
  'src/engine.bpf.c': 'the BPF program: includes the adapters next to the core',
};

function isRoot(rel: string): boolean {
  return Object.keys(COMPOSITION_ROOTS).some((r) => (r.endsWith('/') ? rel.startsWith(r) : rel === r));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const posix = (p: string) => p.split(sep).join('/');
const srcFiles = walk(SRC)
  .filter((p) => /\.(ts|c|h)$/.test(p))
  .map((p) => posix(relative(ROOT, p)));

/** Where a module specifier or a C include of `file` lands, relative to the repository, or null. */
function importTargets(file: string, text: string): string[] {
  const dir = dirname(join(ROOT, file));
  const out: string[] = [];
  if (file.endsWith('.ts')) {
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm))
      if (m[2].startsWith('.')) out.push(posix(relative(ROOT, resolve(dir, m[2]))));
  } else {
    // native/build-bpf.js: -I src -I adapters, after the including file's own folder
    for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
      const hit = [dir, SRC, join(ROOT, 'adapters')].map((d) => resolve(d, m[1])).find((p) => existsSync(p));
      if (hit) out.push(posix(relative(ROOT, hit)));
    }
  }
  return out;
}

const fromFamilies = (target: string) => /^(adapters|mappings)(\/|$)/.test(target);

/** The names the families' TypeScript modules export (wire views, Reprs, codecs, mappings). */
function exportedNames(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const s of sf.statements) {
    const exported = ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(s))
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    if (
      (ts.isFunctionDeclaration(s) ||
        ts.isClassDeclaration(s) ||
        ts.isInterfaceDeclaration(s) ||
        ts.isTypeAliasDeclaration(s) ||
        ts.isEnumDeclaration(s)) &&
      s.name
    )
      names.push(s.name.text);
  }
  return names;
}

const familyModules = ['adapters', 'mappings'].flatMap((d) =>
  walk(join(ROOT, d)).filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
);
const familyNames = new Set(familyModules.flatMap(exportedNames));

/** Code without its comments (a comment may name a family; code may not). */
function code(file: string, text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(file.endsWith('.ts') ? /(^|[^:'"`])\/\/.*$/gm : /\/\/.*$/gm, '$1');
}

/**
 * Field layouts of the families, by the shape they take when someone writes one down: a table of
 * ARP fields (RFC 826: htype, ptype, hlen, plen, oper, sha, spa, tha, tpa), of ICMPv6/ND fields
 * (RFC 4861 4.3/4.4: target at 8, options at 24), of IP header fields, or C defines and structs
 * for them.
 */
const LAYOUTS: [string, RegExp][] = [
  ['an ARP field table', /\b(HTYPE|PTYPE|HLEN|PLEN|OPER|SHA|SPA|THA|TPA)\s*[:=]\s*\d+/],
  ['an ND field table', /\b(TARGET|OPTIONS)\s*[:=]\s*(8|24)\b/],
  ['an ND option type table', /\b(SOURCE_LL|TARGET_LL)\s*[:=]\s*[12]\b/],
  ['an IP header field table', /\b(VER_IHL|VER_TC_FLOW|PAYLOAD_LENGTH|NEXT_HEADER|HOP_LIMIT)\s*[:=]\s*\d+/],
  ['a C define of an ARP/ND/IP field', /#\s*define\s+\w*(ARP|ICMP6|ICMPV6|ND|NS|NA|IPV6|IPV4|IP6|IP4)_\w*\s+\d/i],
  ['a C struct of an ARP/ND/IP header', /\bstruct\s+(arphdr|ether_arp|icmp6hdr|nd_\w+|ipv6hdr|iphdr)\b/],
];

interface Finding {
  file: string;
  why: string;
}

function findings(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  const root = isRoot(file);
  if (!root) for (const t of importTargets(file, text)) if (fromFamilies(t)) out.push({ file, why: `imports ${t}` });
  const body = code(file, text);
  for (const [what, re] of LAYOUTS) {
    const m = re.exec(body);
    if (m) out.push({ file, why: `holds ${what}: "${m[0]}"` });
  }
  if (!root && file.endsWith('.ts')) {
    const used = [...new Set(body.match(/\b[A-Za-z_$][\w$]*\b/g) ?? [])].filter((w) => familyNames.has(w));
    if (used.length > 0) out.push({ file, why: `names the families' ${used.join(', ')}` });
  }
  return out;
}

describe('src/ is protocol-agnostic outside its composition roots', () => {
  test('the walk sees the tree and the roots exist', () => {
    expect(srcFiles.length).toBeGreaterThan(50);
    expect(srcFiles).toContain('src/engine.ts');
    expect(srcFiles).toContain('src/engine.bpf.c');
    for (const r of Object.keys(COMPOSITION_ROOTS)) expect(existsSync(join(ROOT, r))).toBe(true);
    for (const n of ['ArpField', 'Icmpv6Field', 'Ipv6Field', 'Ipv4Field', 'NdOption', 'ArpAdapter', 'NdpAdapter'])
      expect(familyNames.has(n)).toBe(true);
  });

  test('the detectors see what they look for', () => {
    // the wire views themselves, read as if they were under src/, each trip a layout detector
    for (const f of ['adapters/arp/arp.ts', 'adapters/arp/ipv4.ts', 'adapters/ndp/icmpv6.ts', 'adapters/ndp/ipv6.ts'])
      expect(findings('src/x.ts', readFileSync(join(ROOT, f), 'utf8')).length).toBeGreaterThan(0);
    expect(findings('src/x.ts', "import { ArpAdapter } from '../adapters/arp';\n")).toHaveLength(2);
    expect(findings('src/frame/x.ts', "export * from '../../mappings';\n")).toEqual([
      { file: 'src/frame/x.ts', why: 'imports mappings' },
    ]);
    expect(findings('src/x.bpf.h', '#include "ndp/ndp.bpf.h"\n')).toEqual([
      { file: 'src/x.bpf.h', why: 'imports adapters/ndp/ndp.bpf.h' },
    ]);
    expect(findings('src/cli/x.ts', "import { ArpAdapter } from '../../adapters/arp';\n")).toEqual([]);
    // a comment may name a family
    expect(findings('src/x.ts', '/** see ArpField in adapters/arp/arp.ts */\n// NdOption\n')).toEqual([]);
  });

  test('no file under src/ outside the roots reaches into the families, none holds their layouts', () => {
    const found = srcFiles.flatMap((f) => findings(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
