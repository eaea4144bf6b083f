import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A model id in the hub's `owner/name` form, so transformers.js resolves it like a real one. */
export const TINY_MODEL_ID = 'tenantbot-test/tiny-sentence-bert';
export const TINY_MODEL_DIMENSIONS = 16;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * Words of one concept get nearly the same vector, so that "reimbursement" lands next to
 * "refund" although they share no letters: what a real sentence model does, and what lets a
 * test tell a semantic search from a lexical one.
 */
const CONCEPTS: Record<string, string[]> = {
  refund: ['refund', 'refunds', 'reimbursement', 'repayment', 'money', 'back', 'card'],
  pet: ['dog', 'puppy', 'cat', 'pet', 'walks', 'biscuit'],
  delivery: ['shipping', 'delivery', 'parcel', 'courier', 'express'],
  time: ['days', 'weeks', 'hours', 'year'],
  holiday: ['holiday', 'holidays', 'vacation', 'leave'],
};
const FUNCTION_WORDS = (
  'the a an is are within our of to how do i get my paid called and likes take takes ' +
  'every per for on in it we you'
).split(' ');
const SUBWORDS = ['##s', '##ing', '##ed'];

export interface TinySentenceModel {
  /** `<dir>/<model id>/`, laid out as on the hub: config, tokenizer, `onnx/model.onnx`. */
  modelPath: string;
  vocabulary: Map<string, number>;
  /** One row per token id: the token's vector (its type embedding, all zero, is not added). */
  embeddings: Float32Array[];
}

/**
 * Writes a minimal BERT-shaped sentence model into `dir`, as transformers.js expects a model
 * under `env.localModelPath`: a WordPiece `tokenizer.json`, `tokenizer_config.json`,
 * `config.json` and an ONNX graph with BERT's inputs (`input_ids`, `attention_mask`,
 * `token_type_ids`) and output (`last_hidden_state` [batch, sequence, 16]) that looks every
 * token's vector up in a small embedding matrix. Real loading and inference code runs on it;
 * mean pooling then gives a bag-of-concepts sentence vector a test can compute by hand.
 *
 * `variants` names the ONNX files to write (`model` for fp32, `model_quantized` for q8).
 */
export async function writeTinySentenceModel(
  dir: string,
  { modelId = TINY_MODEL_ID, variants = ['model'] }: { modelId?: string; variants?: string[] } = {},
): Promise<TinySentenceModel> {
  const tokens = [
    ...SPECIAL_TOKENS,
    ...Object.values(CONCEPTS).flat(),
    ...FUNCTION_WORDS,
    ...SUBWORDS,
  ];
  const vocabulary = new Map(tokens.map((token, id) => [token, id]));
  const embeddings = tokenEmbeddings(tokens);

  const modelPath = join(dir, ...modelId.split('/'));
  await mkdir(join(modelPath, 'onnx'), { recursive: true });
  const graph = encodeGraph(embeddings);
  await Promise.all([
    writeJson(join(modelPath, 'config.json'), modelConfig(tokens.length)),
    writeJson(join(modelPath, 'tokenizer.json'), tokenizerJson(vocabulary)),
    writeJson(join(modelPath, 'tokenizer_config.json'), TOKENIZER_CONFIG),
    ...variants.map((variant) => writeFile(join(modelPath, 'onnx', `${variant}.onnx`), graph)),
  ]);
  return { modelPath, vocabulary, embeddings };
}

/** The vector sentence-transformers would give: the mean of the token vectors, L2-normalised. */
export function referenceEmbedding(model: TinySentenceModel, words: string[]): number[] {
  const ids = ['[CLS]', ...words, '[SEP]'].map((word) => {
    const id = model.vocabulary.get(word);
    if (id === undefined) {
      throw new Error(`"${word}" is not in the tiny vocabulary`);
    }
    return id;
  });
  const mean = new Array<number>(TINY_MODEL_DIMENSIONS).fill(0);
  for (const id of ids) {
    model.embeddings[id].forEach((value, i) => (mean[i] += value / ids.length));
  }
  const length = Math.hypot(...mean);
  return mean.map((value) => value / length);
}

function tokenEmbeddings(tokens: string[]): Float32Array[] {
  const random = mulberry32(17);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const vector = (scale: number) =>
    Array.from({ length: TINY_MODEL_DIMENSIONS }, () => gaussian() * scale);
  const conceptOf = new Map(
    Object.entries(CONCEPTS).flatMap(([concept, words]) => words.map((word) => [word, concept])),
  );
  const conceptVectors = new Map(Object.keys(CONCEPTS).map((concept) => [concept, vector(1)]));
  return tokens.map((token) => {
    const concept = conceptOf.get(token);
    // Function words and special tokens carry little meaning: short vectors.
    if (!concept) {
      return Float32Array.from(vector(0.08));
    }
    const base = conceptVectors.get(concept) ?? [];
    return Float32Array.from(vector(0.15).map((noise, i) => base[i] + noise));
  });
}

/** input_ids → Gather(word embeddings) + Gather(token type embeddings) → last_hidden_state. */
function encodeGraph(embeddings: Float32Array[]): Uint8Array {
  const { TensorProto } = onnx;
  const dynamicInput = (name: string) => ({
    name,
    type: {
      tensorType: {
        elemType: TensorProto.DataType.INT64,
        shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] },
      },
    },
  });
  const floatTensor = (name: string, rows: Float32Array[]) => {
    const values = new Float32Array(rows.length * TINY_MODEL_DIMENSIONS);
    rows.forEach((row, i) => values.set(row, i * TINY_MODEL_DIMENSIONS));
    return {
      name,
      dataType: TensorProto.DataType.FLOAT,
      dims: [rows.length, TINY_MODEL_DIMENSIONS],
      rawData: new Uint8Array(values.buffer),
    };
  };
  const typeEmbeddings = [0, 1].map(() => new Float32Array(TINY_MODEL_DIMENSIONS));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    producerName: 'tenantbot-tests',
    graph: {
      name: 'tiny-sentence-bert',
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map(dynamicInput),
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: TensorProto.DataType.FLOAT,
              shape: {
                dim: [
                  { dimParam: 'batch_size' },
                  { dimParam: 'sequence_length' },
                  { dimValue: TINY_MODEL_DIMENSIONS },
                ],
              },
            },
          },
        },
      ],
      initializer: [
        floatTensor('word_embeddings', embeddings),
        floatTensor('token_type_embeddings', typeEmbeddings),
      ],
      node: [
        { opType: 'Gather', input: ['word_embeddings', 'input_ids'], output: ['words'] },
        {
          opType: 'Gather',
          input: ['token_type_embeddings', 'token_type_ids'],
          output: ['types'],
        },
        { opType: 'Add', input: ['words', 'types'], output: ['last_hidden_state'] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function modelConfig(vocabSize: number) {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: TINY_MODEL_DIMENSIONS,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: TINY_MODEL_DIMENSIONS,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    vocab_size: vocabSize,
    pad_token_id: 0,
  };
}

const TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 64,
  clean_up_tokenization_spaces: true,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
};

/** The `tokenizer.json` of a lower-casing BERT WordPiece tokenizer over this vocabulary. */
function tokenizerJson(vocabulary: Map<string, number>) {
  const special = (token: string, type_id = 0) => ({ SpecialToken: { id: token, type_id } });
  const sequence = (id: 'A' | 'B', type_id: number) => ({ Sequence: { id, type_id } });
  const specialEntry = (token: string) => ({
    id: token,
    ids: [vocabulary.get(token)],
    tokens: [token],
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token) => ({
      id: vocabulary.get(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), sequence('A', 0), special('[SEP]')],
      pair: [
        special('[CLS]'),
        sequence('A', 0),
        special('[SEP]'),
        sequence('B', 1),
        special('[SEP]', 1),
      ],
      special_tokens: { '[CLS]': specialEntry('[CLS]'), '[SEP]': specialEntry('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary),
    },
  };
}

function writeJson(path: string, value: unknown): Promise<void> {
  return writeFile(path, JSON.stringify(value, null, 2));
}

/** A small seeded generator: the same model, byte for byte, on every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
