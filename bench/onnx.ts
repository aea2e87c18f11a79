// Tiny ONNX graphs for the onnxruntime-node peers, written as protobuf bytes by hand (the few
// fields of onnx.proto they need), so the benchmark needs no ONNX tooling. Each graph is
// y = f(x) on a 1-D float tensor of symbolic length n.

// Protobuf wire format: a field is a varint key (number << 3 | wire type) and its value.
const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;

export function varint(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 128;
    out.push(byte);
  } while (value > 0);
  return out;
}

type Field = number[];
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, value: number): Field => [...key(field, VARINT), ...varint(value)];
const bytes = (field: number, content: number[]): Field => [
  ...key(field, BYTES),
  ...varint(content.length),
  ...content,
];
const str = (field: number, text: string): Field => bytes(field, [...Buffer.from(text, 'utf8')]);
const float = (field: number, value: number): Field => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return [...key(field, FIXED32), ...b];
};
const message = (field: number, ...fields: Field[]): Field => bytes(field, fields.flat());

export interface OnnxNode {
  op: string;
  inputs: string[];
  output: string;
  floats?: Record<string, number>; // float attributes, e.g. HardSigmoid's alpha
  strings?: Record<string, string>; // string attributes, e.g. Gelu's approximate
}

// ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1 (FLOAT), shape = 2
// { dim = 1 { dim_param = 2 } } } } }
const tensorInfo = (field: number, name: string): Field =>
  message(field, str(1, name), message(2, message(1, int(1, 1), message(2, message(1, str(2, 'n'))))));

// NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 { name = 1, f = 2,
// s = 4, type = 20 (FLOAT = 1, STRING = 3) } }
const node = (n: OnnxNode, index: number): Field =>
  message(
    1,
    ...n.inputs.map((i) => str(1, i)),
    str(2, n.output),
    str(3, `node${index}`),
    str(4, n.op),
    ...Object.entries(n.floats ?? {}).map(([name, value]) => message(5, str(1, name), float(2, value), int(20, 1))),
    ...Object.entries(n.strings ?? {}).map(([name, value]) => message(5, str(1, name), str(4, value), int(20, 3))),
  );

/** ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 } for y = graph(x). */
export function onnxModel(nodes: OnnxNode[], opset = 17): Uint8Array {
  const graph = message(7, ...nodes.map(node), str(2, 'activation'), tensorInfo(11, 'x'), tensorInfo(12, 'y'));
  return Uint8Array.from([
    ...int(1, 8),
    ...str(2, 'activation-kernels bench'),
    ...graph,
    ...message(8, str(1, ''), int(2, opset)),
  ]);
}

/** The peer graphs: ONNX has no Mish before opset 18 and onnxruntime no Mish kernel, so compose it. */
export const peerGraphs: Record<string, { nodes: OnnxNode[]; how: string; opset?: number }> = {
  relu: { nodes: [{ op: 'Relu', inputs: ['x'], output: 'y' }], how: 'Relu' },
  mish: {
    nodes: [
      { op: 'Softplus', inputs: ['x'], output: 'sp' },
      { op: 'Tanh', inputs: ['sp'], output: 't' },
      { op: 'Mul', inputs: ['x', 't'], output: 'y' },
    ],
    how: 'Softplus -> Tanh -> Mul',
  },
  hardSwish: { nodes: [{ op: 'HardSwish', inputs: ['x'], output: 'y' }], how: 'HardSwish' },
  silu: {
    nodes: [
      { op: 'Sigmoid', inputs: ['x'], output: 's' },
      { op: 'Mul', inputs: ['x', 's'], output: 'y' },
    ],
    how: 'Sigmoid -> Mul',
  },
  // The classic functions: each is one native onnxruntime op (Gelu from opset 20).
  gelu: { nodes: [{ op: 'Gelu', inputs: ['x'], output: 'y' }], how: 'Gelu (opset 20)', opset: 20 },
  geluTanh: {
    nodes: [{ op: 'Gelu', inputs: ['x'], output: 'y', strings: { approximate: 'tanh' } }],
    how: "Gelu approximate='tanh' (opset 20)",
    opset: 20,
  },
  sigmoid: { nodes: [{ op: 'Sigmoid', inputs: ['x'], output: 'y' }], how: 'Sigmoid' },
  tanh: { nodes: [{ op: 'Tanh', inputs: ['x'], output: 'y' }], how: 'Tanh' },
  softplus: { nodes: [{ op: 'Softplus', inputs: ['x'], output: 'y' }], how: 'Softplus' },
  elu: { nodes: [{ op: 'Elu', inputs: ['x'], output: 'y', floats: { alpha: 1 } }], how: 'Elu alpha 1' },
  selu: { nodes: [{ op: 'Selu', inputs: ['x'], output: 'y' }], how: 'Selu (its default alpha, gamma)' },
  leakyRelu: {
    nodes: [{ op: 'LeakyRelu', inputs: ['x'], output: 'y', floats: { alpha: 0.01 } }],
    how: 'LeakyRelu alpha 0.01',
  },
};
