// Command-line options of `npm run bench`.
import { DTYPES, type Dtype } from './half';

export interface Options {
  mode: 'quick' | 'full' | 'custom';
  hostSizes: number[];
  gpuSizes: number[];
  /** Case-insensitive substrings; a row runs when its name contains any (relu and copy always run). */
  filter: string[];
  jsonOnly: boolean;
  /** false with --no-peers: no peers at all (native, PyTorch, onnxruntime-node, JavaScript) */
  peers: boolean;
  outDir: string;
  /** The element types timed, float32 first; float32 alone unless --dtype names others. */
  dtypes: Dtype[];
  help: boolean;
}

export const USAGE = `npm run bench [-- options]

  --quick           1 (the per-call cost) and 2^20 on the host, 2^26 on the GPU, every activation
                    (about 2 minutes on 2 cores, peers included)
  --sizes LIST      sizes as powers of two or counts, e.g. 16,20,24 or 2^16..2^24 or 65536
  --filter LIST     only activations whose name contains one of these (comma-separated);
                    =NAME matches that name alone (=relu: not leakyRelu or relu6);
                    relu and copy always run, as the references
  --no-peers        leave the peers out (oneDNN, XNNPACK, libmvec, SLEEF, PyTorch, memcpy,
                    onnxruntime-node, the JavaScript loops): this library's rows only
  --dtype LIST      element types, comma-separated: float32 (the default), bfloat16, float16;
                    float32 always runs, as the reference the 16-bit rows are read against
  --json-only       print the results JSON on stdout and nothing else (no table, no files)
  --out DIR         where the result files go (default bench/results)
  --help            this text
`;

const evenPowers = (from: number, to: number): number[] => {
  const sizes: number[] = [];
  for (let p = from; p <= to; p += 2) sizes.push(2 ** p);
  return sizes;
};

export const FULL_HOST_SIZES = evenPowers(10, 24);
export const FULL_GPU_SIZES = evenPowers(16, 28);

// One size: "20" or "2^20" (a power of two), or a plain count >= 64 ("65536", "1000000").
function parseSize(text: string): number {
  const t = text.trim();
  const m = /^(?:2\^)?(\d+)$/.exec(t);
  if (!m) throw new RangeError(`Expected a size like 20, 2^20 or 1048576 for --sizes but received "${t}"`);
  const v = Number(m[1]);
  const n = t.startsWith('2^') || v < 64 ? 2 ** v : v;
  if (n < 1 || n > 2 ** 30) throw new RangeError(`Expected a size in [1, 2^30] for --sizes but received "${t}"`);
  return n;
}

/** "16,20", "2^16..2^20" (every power between), "1000,4096" -> sorted unique counts. */
export function parseSizes(text: string): number[] {
  const sizes = new Set<number>();
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const range = part.split('..');
    if (range.length === 2) {
      const [lo, hi] = range.map((r) => Math.log2(parseSize(r)));
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi)
        throw new RangeError(`Expected a range of powers of two like 2^16..2^20 for --sizes but received "${part}"`);
      for (let p = lo; p <= hi; p++) sizes.add(2 ** p);
    } else sizes.add(parseSize(part));
  }
  if (sizes.size === 0) throw new RangeError('Expected at least one size for --sizes but received none');
  return [...sizes].sort((a, b) => a - b);
}

/** "float32,bfloat16" -> ['float32', 'bfloat16']: known names, float32 first and always there. */
export function parseDtypes(text: string): Dtype[] {
  const named = new Set<Dtype>(['float32']);
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    if (!(DTYPES as readonly string[]).includes(part))
      throw new RangeError(`Expected float32, bfloat16 or float16 for --dtype but received "${part}"`);
    named.add(part as Dtype);
  }
  return DTYPES.filter((d) => named.has(d));
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    mode: 'full',
    hostSizes: FULL_HOST_SIZES,
    gpuSizes: FULL_GPU_SIZES,
    filter: [],
    jsonOnly: false,
    peers: true,
    outDir: 'bench/results',
    dtypes: ['float32'],
    help: false,
  };
  let sizes: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new RangeError(`Expected a value for ${flag} but received none`);
      return v;
    };
    switch (flag) {
      case '--quick':
        o.mode = 'quick';
        break;
      case '--full':
        o.mode = 'full';
        break;
      case '--sizes':
        sizes = parseSizes(value());
        break;
      case '--filter':
        o.filter = value()
          .split(',')
          .map((f) => f.trim().toLowerCase())
          .filter((f) => f !== '');
        break;
      case '--no-peers':
        o.peers = false;
        break;
      case '--dtype':
        o.dtypes = parseDtypes(value());
        break;
      case '--json-only':
        o.jsonOnly = true;
        break;
      case '--out':
        o.outDir = value();
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new RangeError(
          `Expected one of --quick, --sizes, --filter, --no-peers, --dtype, --json-only, --out, --help but received "${argv[i]}"`,
        );
    }
  }
  if (o.mode === 'quick') {
    o.hostSizes = [1, 2 ** 20]; // n = 1: the per-call cost
    o.gpuSizes = [2 ** 26];
  }
  if (sizes) {
    o.hostSizes = sizes.filter((n) => n <= 2 ** 26);
    o.gpuSizes = sizes;
  }
  if (sizes || o.filter.length > 0) o.mode = 'custom';
  return o;
}

/**
 * The results files' suffix: '' for a full run, '-quick' or '-custom', and '-dtype' for a run
 * with 16-bit rows ('-quick-dtype' for a quick one), so that it never overwrites a float32 run.
 */
export function fileSuffix(o: Pick<Options, 'mode' | 'dtypes'>): string {
  const mode = o.mode === 'full' ? '' : `-${o.mode}`;
  if (o.dtypes.length <= 1) return mode;
  return mode === '-custom' ? '-dtype' : `${mode}-dtype`;
}

// One filter entry against a lower-case name: a substring, or with a leading = the whole name.
const matches = (lower: string, f: string): boolean => (f.startsWith('=') ? lower === f.slice(1) : lower.includes(f));

/** Whether a name passes the filter; the references always do. */
export function selected(name: string, filter: string[]): boolean {
  if (filter.length === 0 || name === 'relu' || name === 'copy') return true;
  const lower = name.toLowerCase();
  return filter.some((f) => matches(lower, f));
}

/** Whether a peer's op runs: the filter chooses it by name (relu too: peers are not references). */
export function peerSelected(name: string, filter: string[]): boolean {
  const lower = name.toLowerCase();
  return filter.length === 0 || filter.some((f) => matches(lower, f));
}
