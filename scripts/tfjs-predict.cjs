// Runs a TF.js graph model once with TF.js's own CPU kernels: the reference the imported SavedModel is
// compared with (the parity tests). Input and output are raw little-endian float32 files.
//
//   node scripts/tfjs-predict.cjs MODEL_JSON INPUT_F32 N,H,W,C OUTPUT_F32
//
// TF.js comes from .cache/tfjs/node_modules (scripts/fetch-human-models.sh installs it there), or from
// the folder TFJS_MODULES names.
'use strict';
const fs = require('fs');
const path = require('path');

const [modelJson, inputFile, shapeText, outputFile] = process.argv.slice(2);
if (!outputFile) {
  console.error('usage: node tfjs-predict.cjs MODEL_JSON INPUT_F32 N,H,W,C OUTPUT_F32');
  process.exit(2);
}
const modules = process.env.TFJS_MODULES || path.join(__dirname, '..', '.cache', 'tfjs', 'node_modules');
const tf = require(path.join(modules, '@tensorflow', 'tfjs-core'));
require(path.join(modules, '@tensorflow', 'tfjs-backend-cpu'));
const converter = require(path.join(modules, '@tensorflow', 'tfjs-converter'));

// The model as TF.js' own file loader would hand it over: topology, weight specs, shards in order.
const fromFiles = {
  load: async () => {
    const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
    const dir = path.dirname(modelJson);
    const weightSpecs = [];
    const shards = [];
    for (const group of json.weightsManifest) {
      weightSpecs.push(...group.weights);
      for (const shard of group.paths) {
        shards.push(fs.readFileSync(path.join(dir, shard)));
      }
    }
    const weights = Buffer.concat(shards);
    return {
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
      weightSpecs,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    };
  },
};

(async () => {
  await tf.setBackend('cpu');
  const model = await converter.loadGraphModel(fromFiles);
  const shape = shapeText.split(',').map(Number);
  const bytes = fs.readFileSync(inputFile);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const input = tf.tensor(values, shape, 'float32');
  const output = model.execute(input);
  const data = await output.data();
  fs.writeFileSync(outputFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  console.log(output.shape.join(','));
})().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
