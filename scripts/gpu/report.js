// The GPU check's results, put together (scripts/gpu/check.js report): our timings beside
// PyTorch's (`peers` entries of scripts/gpu/torch_peers.py, checked against the library's double
// references first), the exhaustive accuracy table, the stages, the GPU verdicts of docs/targets.md, and
// the Markdown. Pure functions over plain objects: test/gpu-bundle.test.ts checks them.

const PEER_TOLERANCE = 1e-3; // relative: a wrong call, not a few ulps (bench/main.ts peerError)

/** The worst relative error of each sampled call ("mish backward") against ref(activation). */
function peerErrors(samples, refOf) {
  const errors = {};
  if (!samples?.x || !samples.values) return errors;
  for (const [key, values] of Object.entries(samples.values)) {
    const [activation, pass] = key.split(' ');
    const ref = refOf(activation);
    if (!ref) continue;
    let worst = 0;
    samples.x.forEach((x, i) => {
      const r = pass === 'backward' ? ref.df(x) : ref.f(x);
      const e = Math.abs(values[i] - r) / (Math.abs(r) + 1e-6);
      worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
    });
    errors[key] = worst;
  }
  return errors;
}

/** torch.json's peers whose calls gave the right values; notes say what was left out and why. */
function checkedPeers(torchDoc, refOf) {
  const notes = [];
  if (!torchDoc) return { peers: [], notes: ['PyTorch: not run'] };
  if (torchDoc.reason) notes.push(`PyTorch: ${torchDoc.reason}`);
  const errors = peerErrors(torchDoc.samples, refOf);
  const wrong = new Set();
  for (const [key, e] of Object.entries(errors))
    if (!(e <= PEER_TOLERANCE)) {
      wrong.add(key);
      notes.push(`torch ${key}: worst relative error ${e.toExponential(1)} on [-8, 8], WRONG: its times are left out`);
    }
  const peers = (torchDoc.peers ?? []).filter((p) => {
    const key = `${p.activation} ${p.pass}`;
    return p.activation === 'copy' || (key in errors && !wrong.has(key));
  });
  if (torchDoc.torch)
    notes.push(
      `PyTorch ${torchDoc.torch} (CUDA ${torchDoc.torchCuda ?? '?'}) on ${torchDoc.device ?? '?'}: CUDA events around back-to-back calls, median of 3; values checked against the double references at ${torchDoc.samples?.x?.length ?? 0} points`,
    );
  return { peers, notes };
}

/** Our time beside torch's for every (n, activation, pass) both have. */
function comparison(rows, peers) {
  const out = [];
  for (const p of peers) {
    const ours = rows.find(
      (r) => r.backend === 'cuda' && !r.roundTrip && r.n === p.n && r.activation === p.activation && r.pass === p.pass,
    );
    if (ours)
      out.push({ n: p.n, activation: p.activation, pass: p.pass, ours: ours.ms, torch: p.ms, ratio: ours.ms / p.ms });
  }
  return out.sort((a, b) => a.n - b.n || a.activation.localeCompare(b.activation) || a.pass.localeCompare(b.pass));
}

/** docs/targets.md: at >= 2^26, no slower than PyTorch's kernel for the same function. */
function torchVerdict(compared) {
  const target = "GPU, >= 2^26: every forward and backward no slower than PyTorch's kernel for the same function";
  const judged = compared.filter((c) => c.n >= 2 ** 26 && c.activation !== 'copy');
  if (judged.length === 0) return { target, met: null, measured: 'not measured in this run (no PyTorch times)' };
  const worst = [...judged].sort((a, b) => b.ratio - a.ratio)[0];
  return {
    target,
    met: judged.every((c) => c.ratio <= 1),
    measured: `worst ${worst.activation} ${worst.pass} at 2^${Math.log2(worst.n)}: ${worst.ratio.toFixed(3)}x torch's time`,
  };
}

const pow2 = (n) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));
const fixed = (v, d) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
const table = (head, body) => [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...body.map((r) => `| ${r.join(' | ')} |`),
];

/** The Markdown of a gpu-check results document. */
function markdown(doc) {
  const d = doc.machine ?? {};
  const lines = [
    `# gpu-check ${doc.date}`,
    '',
    `${d.gpu ?? 'no GPU'}${d.driver ? `, driver ${d.driver}` : ''}${d.computeCapability ? `, compute capability ${d.computeCapability}` : ''}` +
      `${d.totalMemory ? `, ${(d.totalMemory / 2 ** 30).toFixed(0)} GiB` : ''}` +
      `${d.l2CacheSize ? `, L2 ${(d.l2CacheSize / 2 ** 20).toFixed(0)} MiB` : ''}; node ${d.node ?? '?'}`,
    '',
    '## Stages',
    '',
    ...table(
      ['stage', 'result', 'seconds'],
      (doc.stages ?? []).map((s) => [s.name, s.status, fixed(s.seconds, 1)]),
    ),
    '',
  ];
  if (doc.tests)
    lines.push(`GPU tests: ${doc.tests.passed} passed, ${doc.tests.failed} failed, ${doc.tests.skipped} skipped.`, '');
  if (doc.verdicts?.length)
    lines.push(
      '## Speed targets (docs/targets.md)',
      '',
      ...doc.verdicts.map(
        (v) => `- ${v.met === null ? 'not measured' : v.met ? 'met' : 'NOT MET'}: ${v.target} (${v.measured})`,
      ),
      '',
    );
  // one section: its title, a blank line, the table, a blank line
  const section = (title, head, body) => lines.push(`## ${title}`, '', ...table(head, body), '');
  const exhaustive = doc.deviceAccuracy ?? doc.accuracy ?? [];
  if (exhaustive.length)
    section(
      'Exhaustive accuracy (all 2^32 inputs, dy = 1, the kernels users run)',
      ['function', 'pass', 'kernel', 'worst ulp', 'at x', 'inputs over bound', 'seconds'],
      exhaustive.map((a) => [
        a.name,
        a.pass,
        a.kernel,
        fixed(a.worstUlp, 3),
        String(a.worstX),
        String(a.over),
        fixed(a.seconds, 1),
      ]),
    );
  const compared = doc.comparison ?? comparison(doc.rows ?? [], doc.peers ?? []);
  if (compared.length)
    section(
      'Ours beside PyTorch (ms per call; ours/torch < 1: ours is faster)',
      ['n', 'activation', 'pass', 'ours ms', 'torch ms', 'ours/torch'],
      compared.map((c) => [pow2(c.n), c.activation, c.pass, fixed(c.ours, 4), fixed(c.torch, 4), fixed(c.ratio, 3)]),
    );
  if (doc.rows?.length)
    section(
      'Timings (CUDA events around back-to-back launches, median of 3)',
      ['n', 'activation', 'pass', 'ms', 'GB/s', 'vs relu', 'vs copy'],
      doc.rows.map((r) => [
        `${pow2(r.n)}${r.cacheResident ? ' (in L2)' : ''}`,
        r.activation,
        r.pass,
        fixed(r.ms, 4),
        fixed(r.gbps, 0),
        fixed(r.vsRelu, 3),
        fixed(r.vsCopy, 3),
      ]),
    );
  if (doc.notes?.length) lines.push('## Notes', '', ...doc.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

module.exports = { peerErrors, checkedPeers, comparison, torchVerdict, markdown, PEER_TOLERANCE };
