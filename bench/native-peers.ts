// The native peers: bench/peers/native.cpp (oneDNN, XNNPACK, libmvec and SLEEF loops, memcpy),
// compiled on demand with g++ behind one link probe per library and cached under
// build/bench-peers/, and bench/peers/torch_peer.py (PyTorch) through python3 when `import torch`
// works. Both run as child processes on one thread and answer one JSON object per line; this
// file probes, compiles, runs them and parses what they say. A missing package drops only its
// peer, with the reason and the command that installs it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Dtype, isHalf } from './half';

/** Each native peer's Debian packages, for the skip message. */
export const PEER_PACKAGES: Record<string, string> = {
  oneDNN: 'libdnnl-dev',
  XNNPACK: 'libxnnpack-dev libpthreadpool-dev',
  libmvec: 'libc6-dev',
  SLEEF: 'libsleef-dev',
  PyTorch: 'python3-torch',
};
/** The side-by-side columns, in order. */
export const PEER_NAMES = ['oneDNN', 'XNNPACK', 'libmvec', 'SLEEF', 'PyTorch'] as const;

/** Every activation some runner has (its --info says which op exactly). */
export const PEER_ACTIVATIONS = [
  'relu',
  'leakyRelu',
  'hardSwish',
  'silu',
  'swish(beta=2)',
  'mish',
  'sigmoid',
  'gelu',
  'geluTanh',
  'tanh',
  'softplus',
  'elu',
  'selu',
];

export interface PeerOp {
  peer: string;
  activation: string; // this library's name for it, or 'memcpy'
  pass: 'forward' | 'backward';
  how: string;
  /** a 16-bit op (the runner rounds the float32 inputs to it, untimed); absent: float32 */
  dtype?: Dtype;
}
export interface PeerInfo {
  name: string;
  version: string;
  ops: PeerOp[];
}
/** A peer as the run found it: its version, or why it was skipped. */
export interface PeerStatus {
  name: string;
  version: string | null;
  /** The Debian package it came from, with its version, where dpkg knows it. */
  package?: string | null;
  skipped: string | null;
}
export interface PeerTime {
  id: string;
  n: number;
  ms: number;
  samples: number;
}
export interface Parsed {
  peers: PeerInfo[];
  checks: { id: string; file: string }[];
  times: PeerTime[];
  errors: string[];
}

export const opId = (op: Pick<PeerOp, 'peer' | 'activation' | 'pass' | 'dtype'>): string =>
  `${op.peer}/${op.activation}/${op.pass}${op.dtype && isHalf(op.dtype) ? `/${op.dtype}` : ''}`;

export const notInstalled = (peer: string): string =>
  `${peer}: not installed (apt-get install ${PEER_PACKAGES[peer] ?? peer})`;

const isPass = (p: unknown): p is 'forward' | 'backward' => p === 'forward' || p === 'backward';

/** One runner's stdout: each line one of {peer}, {check}, {time}, {error}; anything else is an error. */
export function parsePeerLines(text: string): Parsed {
  const out: Parsed = { peers: [], checks: [], times: [], errors: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line);
    } catch {
      out.errors.push(`not JSON: ${line.slice(0, 80)}`);
      continue;
    }
    const peer = v.peer as PeerInfo | undefined;
    const check = v.check as Parsed['checks'][number] | undefined;
    const time = v.time as PeerTime | undefined;
    const error = v.error as { id?: string; message?: string } | undefined;
    if (peer && typeof peer.name === 'string' && typeof peer.version === 'string' && Array.isArray(peer.ops)) {
      const ops = peer.ops.filter(
        (o) =>
          typeof o.activation === 'string' &&
          isPass(o.pass) &&
          typeof o.how === 'string' &&
          (o.dtype === undefined || o.dtype === 'bfloat16' || o.dtype === 'float16'),
      );
      out.peers.push({ name: peer.name, version: peer.version, ops: ops.map((o) => ({ ...o, peer: peer.name })) });
    } else if (check && typeof check.id === 'string' && typeof check.file === 'string') out.checks.push(check);
    else if (time && typeof time.id === 'string' && time.n > 0 && time.ms > 0 && time.samples > 0)
      out.times.push({ id: time.id, n: time.n, ms: time.ms, samples: time.samples });
    else if (error) out.errors.push(`${error.id ?? '?'}: ${error.message ?? 'failed'}`);
    else out.errors.push(`unexpected line: ${line.slice(0, 80)}`);
  }
  return out;
}

/** A runner: the command, and what its --info said. */
export interface Runner {
  label: string; // 'native' or 'PyTorch'
  command: string;
  args: string[];
  peers: PeerInfo[];
}

/** Runs a runner with the given arguments, calling onLine for each stdout line; rejects on failure. */
export function runLines(runner: Runner, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(runner.command, [...runner.args, ...args], {
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let stderr = '';
    let failure: Error | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines)
        try {
          onLine(line);
        } catch (e) {
          failure ??= e as Error;
        }
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (buffered.trim()) onLine(buffered);
      if (failure) reject(failure);
      else if (code !== 0)
        reject(new Error(`${runner.label} peers exited with ${signal ?? code}: ${stderr.trim().split('\n').at(-1)}`));
      else resolve();
    });
  });
}

// ---- finding, probing and building the runners --------------------------------------------------

interface Probe {
  peer: string;
  define: string;
  libs: string[];
  source: string;
}

const PROBES: Probe[] = [
  {
    peer: 'oneDNN',
    define: 'AK_PEER_DNNL',
    libs: ['-ldnnl'],
    source: '#include <oneapi/dnnl/dnnl.h>\nint main() { return dnnl_version()->major > 0 ? 0 : 1; }\n',
  },
  {
    peer: 'XNNPACK',
    define: 'AK_PEER_XNNPACK',
    libs: ['-lXNNPACK'],
    source: '#include <xnnpack.h>\nint main() { return xnn_initialize(nullptr) == xnn_status_success ? 0 : 1; }\n',
  },
  {
    peer: 'libmvec',
    define: 'AK_PEER_MVEC',
    libs: ['-lmvec'],
    source:
      '#include <immintrin.h>\nextern "C" __m256 _ZGVdN8v_expf(__m256);\n' +
      'int main() { __m256 v = _ZGVdN8v_expf(_mm256_set1_ps(0.f)); return _mm256_cvtss_f32(v) == 1.f ? 0 : 1; }\n',
  },
  {
    peer: 'SLEEF',
    define: 'AK_PEER_SLEEF',
    libs: ['-lsleef'],
    source: '#include <sleef.h>\nint main() { return Sleef_expf_u10(0.f) == 1.f ? 0 : 1; }\n',
  },
];

const CXX = process.env.CXX || 'g++';
const FLAGS = ['-O2', '-march=native', '-std=c++17'];

function compile(source: string, out: string, extra: string[]): { ok: boolean; error: string } {
  const r = spawnSync(CXX, [...FLAGS, '-x', 'c++', source, '-o', out, ...extra], { encoding: 'utf8' });
  if (r.error) return { ok: false, error: r.error.message };
  const error = (r.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? (r.stderr ?? '').trim();
  return { ok: r.status === 0, error };
}

/** Why a probe failed, in a line: not installed (with the package) or the compiler's first error. */
export function probeFailure(peer: string, error: string): string {
  if (/No such file or directory|cannot find -l|not found/i.test(error)) {
    const header = /fatal error: ([^:]+): No such file/.exec(error)?.[1];
    return `${notInstalled(peer)}${header && !/dnnl|xnnpack|sleef/i.test(header) ? `; ${header} is missing` : ''}`;
  }
  return `${peer}: does not build here (${error.slice(0, 160)})`;
}

const debVersion = (pkg: string): string | null => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout.trim() : null;
};

/** The native runner, built (or found in the cache) with the peers whose probes pass. */
function nativeRunner(root: string, statuses: PeerStatus[], say: (l: string) => void): Runner | undefined {
  const dir = path.join(root, 'build', 'bench-peers');
  fs.mkdirSync(dir, { recursive: true });
  const cxx = spawnSync(CXX, ['-dumpfullversion'], { encoding: 'utf8' });
  if (cxx.error || cxx.status !== 0) {
    for (const name of [...PROBES.map((p) => p.peer), 'memcpy'])
      statuses.push({ name, version: null, skipped: `${name}: no C++ compiler (${CXX})` });
    return undefined;
  }
  const defines: string[] = [];
  const libs: string[] = [];
  const probeFile = path.join(dir, 'probe.cpp');
  for (const p of PROBES) {
    fs.writeFileSync(probeFile, p.source);
    const r = compile(probeFile, path.join(dir, 'probe'), p.libs);
    if (r.ok) {
      defines.push(`-D${p.define}=1`);
      libs.push(...p.libs);
    } else statuses.push({ name: p.peer, version: null, skipped: probeFailure(p.peer, r.error) });
  }
  const xnnVersion = debVersion('libxnnpack-dev') ?? 'unknown';
  defines.push(`-DAK_XNNPACK_VERSION="${xnnVersion}"`);
  const source = path.join(root, 'bench', 'peers', 'native.cpp');
  const key = createHash('sha256')
    .update(fs.readFileSync(source))
    .update(JSON.stringify([CXX, cxx.stdout, FLAGS, defines, libs]))
    .update(fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags.*$/m)?.[0] ?? '')
    .digest('hex')
    .slice(0, 16);
  const binary = path.join(dir, `native-${key}`);
  if (!fs.existsSync(binary)) {
    say(`compiling the native peers (${CXX} ${FLAGS.join(' ')}; once, cached in build/bench-peers)`);
    const r = compile(source, `${binary}.tmp`, [...defines, ...libs]);
    if (!r.ok) {
      const built = PROBES.filter((q) => defines.includes(`-D${q.define}=1`)).map((q) => q.peer);
      for (const name of [...built, 'memcpy'])
        statuses.push({ name, version: null, skipped: `${name}: bench/peers/native.cpp does not build (${r.error})` });
      return undefined;
    }
    fs.renameSync(`${binary}.tmp`, binary);
  }
  return { label: 'native', command: binary, args: [], peers: [] };
}

/** python3 that imports torch: $ACTIVATION_KERNELS_PYTHON, then python3 on the PATH, then /usr/bin/python3. */
function torchRunner(root: string): Runner | string {
  const candidates = [...new Set([process.env.ACTIVATION_KERNELS_PYTHON, 'python3', '/usr/bin/python3'])].filter(
    (c): c is string => !!c,
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0)
      return {
        label: 'PyTorch',
        command: python,
        args: [path.join(root, 'bench', 'peers', 'torch_peer.py')],
        peers: [],
      };
  }
  return `PyTorch: not importable by ${candidates.join(' or ')} (apt-get install python3-torch)`;
}

async function info(runner: Runner): Promise<PeerInfo[]> {
  let text = '';
  await runLines(runner, ['--info'], (l) => {
    text += `${l}\n`;
  });
  const parsed = parsePeerLines(text);
  if (parsed.errors.length) throw new Error(`${runner.label} --info: ${parsed.errors[0]}`);
  return parsed.peers;
}

/** The runners that work here, and every peer's status (version, or why it is skipped). */
export async function loadNativePeers(
  root: string,
  say: (line: string) => void,
): Promise<{ runners: Runner[]; statuses: PeerStatus[] }> {
  const statuses: PeerStatus[] = [];
  const runners: Runner[] = [];
  const native = nativeRunner(root, statuses, say);
  const torch = torchRunner(root);
  if (typeof torch === 'string') statuses.push({ name: 'PyTorch', version: null, skipped: torch });
  for (const r of [native, typeof torch === 'string' ? undefined : torch])
    if (r)
      try {
        r.peers = await info(r);
        runners.push(r);
        for (const p of r.peers) statuses.push({ name: p.name, version: p.version, skipped: null });
      } catch (e) {
        statuses.push({ name: r.label, version: null, skipped: `${r.label} peers: ${(e as Error).message}` });
      }
  // A probe that passed but a peer with no ops on this CPU (libmvec and SLEEF need AVX2).
  for (const p of PROBES)
    if (native && !statuses.some((s) => s.name === p.peer))
      statuses.push({
        name: p.peer,
        version: null,
        skipped: `${p.peer}: no AVX2 on this CPU (its loops are AVX2 or AVX-512)`,
      });
  const order = (name: string) => {
    const i = [...PEER_NAMES, 'memcpy'].indexOf(name);
    return i < 0 ? 99 : i;
  };
  statuses.sort((a, b) => order(a.name) - order(b.name));
  for (const s of statuses)
    if (s.skipped === null) {
      const pkg = (s.name === 'libmvec' || s.name === 'memcpy' ? 'libc6' : PEER_PACKAGES[s.name])?.split(' ')[0];
      const v = pkg ? debVersion(pkg) : null;
      s.package = v ? `${pkg} ${v}` : null;
    }
  return { runners, statuses };
}
