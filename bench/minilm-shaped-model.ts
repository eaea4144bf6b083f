import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import onnxProto from 'onnx-proto';

import { writeTinySentenceModel } from '@tenantbot/testing';

const { onnx } = onnxProto;

/** all-MiniLM-L6-v2's shape: what decides the cost of an inference, whatever the weights. */
export const MINILM_SHAPE = { layers: 6, hidden: 384, heads: 12, intermediate: 1536 };

type Node = { opType: string; input: string[]; output: string[]; attribute?: object[] };

/**
 * A sentence model with MiniLM-L6's architecture (6 BERT layers: self-attention with 12 heads
 * over 384 dimensions, a 1536-wide GELU feed-forward, layer norms) and random weights: it means
 * nothing, but an inference costs what MiniLM's does, since no weight can be downloaded here.
 * The tokenizer is the tests' tiny one, so most words become one [UNK] token each (a real
 * WordPiece vocabulary gives about 1.2 tokens a word).
 */
export async function writeMiniLmShapedModel(dir: string, modelId: string): Promise<void> {
  const { modelPath, vocabulary } = await writeTinySentenceModel(dir, { modelId });
  const graph = new GraphBuilder();
  const { hidden, heads, intermediate, layers } = MINILM_SHAPE;
  const words = graph.gather(
    graph.weight('word_embeddings', [vocabulary.size, hidden]),
    'input_ids',
  );
  const types = graph.gather(graph.weight('type_embeddings', [2, hidden]), 'token_type_ids');
  let state = graph.layerNorm(graph.op('Add', [words, types]), hidden);
  for (let layer = 0; layer < layers; layer++) {
    state = graph.encoderLayer(state, { hidden, heads, intermediate });
  }
  graph.nodes.push({ opType: 'Identity', input: [state], output: ['last_hidden_state'] });
  await writeFile(join(modelPath, 'onnx', 'model.onnx'), graph.encode());
  await writeFile(
    join(modelPath, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: hidden }),
  );
}

class GraphBuilder {
  readonly nodes: Node[] = [];
  private readonly initializers: object[] = [];
  private names = 0;

  weight(name: string, dims: number[], scale = 0.05): string {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) {
      values[i] = (Math.random() * 2 - 1) * scale;
    }
    return this.tensor(name, dims, values);
  }

  constant(name: string, values: number[], dataType = onnx.TensorProto.DataType.INT64): string {
    const data =
      dataType === onnx.TensorProto.DataType.INT64
        ? new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer)
        : new Uint8Array(Float32Array.from(values).buffer);
    this.initializers.push({ name, dataType, dims: [values.length], rawData: data });
    return name;
  }

  op(opType: string, input: string[], attribute?: object[]): string {
    const output = `${opType.toLowerCase()}_${this.names++}`;
    this.nodes.push({ opType, input, output: [output], attribute });
    return output;
  }

  gather(table: string, ids: string): string {
    return this.op('Gather', [table, ids]);
  }

  linear(input: string, from: number, to: number): string {
    const id = this.names;
    const product = this.op('MatMul', [input, this.weight(`w${id}`, [from, to])]);
    return this.op('Add', [product, this.weight(`b${id}`, [to])]);
  }

  layerNorm(input: string, hidden: number): string {
    const id = this.names;
    const scale = this.tensor(`ln_scale${id}`, [hidden], new Float32Array(hidden).fill(1));
    const bias = this.tensor(`ln_bias${id}`, [hidden], new Float32Array(hidden));
    return this.op('LayerNormalization', [input, scale, bias], [intAttribute('axis', -1)]);
  }

  encoderLayer(
    input: string,
    { hidden, heads, intermediate }: { hidden: number; heads: number; intermediate: number },
  ): string {
    const id = this.names;
    const headShape = this.constant(`heads${id}`, [0, 0, heads, hidden / heads]);
    const mergedShape = this.constant(`merged${id}`, [0, 0, hidden]);
    const split = (x: string, perm: number[]) =>
      this.op('Transpose', [this.op('Reshape', [x, headShape])], [intsAttribute('perm', perm)]);
    const queries = split(this.linear(input, hidden, hidden), [0, 2, 1, 3]);
    const keys = split(this.linear(input, hidden, hidden), [0, 2, 3, 1]);
    const values = split(this.linear(input, hidden, hidden), [0, 2, 1, 3]);
    const scale = this.constant(
      `scale${id}`,
      [1 / Math.sqrt(hidden / heads)],
      onnx.TensorProto.DataType.FLOAT,
    );
    const scores = this.op('Mul', [this.op('MatMul', [queries, keys]), scale]);
    const attention = this.op('Softmax', [scores], [intAttribute('axis', -1)]);
    const context = this.op('Reshape', [
      this.op(
        'Transpose',
        [this.op('MatMul', [attention, values])],
        [intsAttribute('perm', [0, 2, 1, 3])],
      ),
      mergedShape,
    ]);
    const attended = this.layerNorm(
      this.op('Add', [input, this.linear(context, hidden, hidden)]),
      hidden,
    );
    const expanded = this.gelu(this.linear(attended, hidden, intermediate));
    return this.layerNorm(
      this.op('Add', [attended, this.linear(expanded, intermediate, hidden)]),
      hidden,
    );
  }

  /** 0.5·x·(1 + erf(x/√2)), as BERT's GELU. */
  gelu(x: string): string {
    const id = this.names;
    const float = onnx.TensorProto.DataType.FLOAT;
    const erf = this.op('Erf', [
      this.op('Mul', [x, this.constant(`r2_${id}`, [Math.SQRT1_2], float)]),
    ]);
    const onePlus = this.op('Add', [erf, this.constant(`one${id}`, [1], float)]);
    return this.op('Mul', [this.op('Mul', [x, onePlus]), this.constant(`half${id}`, [0.5], float)]);
  }

  encode(): Uint8Array {
    const dynamic = (name: string, elemType: number, extra: object[] = []) => ({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, ...extra] },
        },
      },
    });
    const int64 = onnx.TensorProto.DataType.INT64;
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'tenantbot-bench',
      graph: {
        name: 'minilm-shaped',
        input: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) =>
          dynamic(name, int64),
        ),
        output: [
          dynamic('last_hidden_state', onnx.TensorProto.DataType.FLOAT, [
            { dimValue: MINILM_SHAPE.hidden },
          ]),
        ],
        initializer: this.initializers,
        node: this.nodes,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private tensor(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push({
      name,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims,
      rawData: new Uint8Array(values.buffer),
    });
    return name;
  }
}

function intAttribute(name: string, value: number) {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function intsAttribute(name: string, values: number[]) {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}
