// Step 5: the figures (ratios to relu and copy), the peers beside this library's rows, the
// verdicts on docs/targets.md's targets, and the files: bench/results/<machine>-<date>.{json,md,svg}.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileSuffix } from '../args';
import { markdownReport, terminalReport } from '../format';
import { type Dtype, dtypeOf } from '../half';
import { ak, root } from '../library';
import { BYTES_NOTE, checkSchema, deriveRows, type Peer, type Results, verdicts } from '../results';
import { chart } from '../svg';
import type { GpuPlan } from './gpu';
import type { NativePeers } from './native';
import type { Run } from './run';

/** The commit the run measured, with "+dirty" when the tree had changes; null outside git. */
export function gitCommit(): string | null {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
}

/** How the run started: the load average then (other work skews the times) and the commit. */
export interface Start {
  load: number;
  commit: string | null;
  at: number;
}

export function assemble(run: Run, start: Start, gpu: GpuPlan, native: NativePeers): Results {
  const rows = deriveRows(run.measured);
  const ours = (p: Omit<Peer, 'vsRelu'>, activation: string, dtype: Dtype) =>
    rows.find(
      (r) =>
        r.backend === 'cpu' &&
        r.activation === activation &&
        r.pass === p.pass &&
        r.n === p.n &&
        r.threads === p.threads &&
        dtypeOf(r) === dtype,
    )?.ms;
  // vsRelu against float32 relu, as the rows; vsOurs against this library in the peer's dtype
  const peerRows: Peer[] = run.peers.map((p) => {
    const relu = ours(p, 'relu', 'float32');
    const own = ours(p, p.activation, dtypeOf(p));
    return { ...p, vsRelu: relu ? p.ms / relu : null, vsOurs: own ? own / p.ms : null };
  });
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    isa: ak.cpu.isa(),
    threads: run.allThreads,
    gpu: gpu.name,
    node: process.version,
  };
  const load = { start: start.load, end: os.loadavg()[0], cores: os.cpus().length };
  run.notes.push(
    `the run took ${((Date.now() - start.at) / 1e3).toFixed(0)} s; load average ${load.start.toFixed(1)} at the start, ${load.end.toFixed(1)} at the end, on ${load.cores} cores`,
  );
  const doc: Results = {
    machine,
    date: new Date().toISOString(),
    mode: run.opts.mode,
    load,
    ...(start.commit ? { commit: start.commit } : {}),
    bytes: BYTES_NOTE,
    notes: run.notes,
    rows,
    peers: peerRows,
    ...(native.statuses ? { nativePeers: native.statuses, accuracy: native.accuracy } : {}),
    verdicts: verdicts(rows, peerRows, gpu.skipped),
  };
  checkSchema(doc);
  return doc;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/\((r|tm)\)|processor|cpu|@.*$|\d+-core/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function machineName(cpuModel: string, threads: number, gpu: string | null): string {
  return [slug(cpuModel) || 'cpu', `${threads}t`, ...(gpu ? [slug(gpu)] : [])].join('-');
}

/** Prints the report, or the JSON alone, and writes the three files. */
export function write(run: Run, doc: Results): void {
  if (run.opts.jsonOnly) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  run.say('');
  run.say(terminalReport(doc));
  const outDir = path.resolve(root, run.opts.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const suffix = fileSuffix(run.opts);
  const m = doc.machine;
  const base = `${machineName(m.cpu, m.threads, m.gpu)}-${doc.date.slice(0, 10)}${suffix}`;
  fs.writeFileSync(path.join(outDir, `${base}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, `${base}.svg`), chart(doc));
  fs.writeFileSync(path.join(outDir, `${base}.md`), markdownReport(doc, `${base}.svg`));
  run.say('');
  run.say(`wrote ${path.relative(process.cwd(), path.join(outDir, base))}.{json,md,svg}`);
}
