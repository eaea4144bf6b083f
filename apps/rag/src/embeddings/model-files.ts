/** ONNX weights of a model in the hub's layout, by precision: `onnx/model<suffix>.onnx`. */
export const MODEL_DTYPES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
} as const;
export type ModelDtype = keyof typeof MODEL_DTYPES;

/** Files a sentence model needs, relative to `<model dir>/<model id>`. */
export function modelFiles(dtype: ModelDtype): string[] {
  return [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    `onnx/model${MODEL_DTYPES[dtype]}.onnx`,
  ];
}
