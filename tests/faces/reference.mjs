// The reference implementation for the validator's face network: face-api.js's
// own FaceRecognitionNet (TF.js, CPU backend) on the same weights, run by Node.
//   node reference.mjs FACE_API_DIR CHIP.rgb...
// FACE_API_DIR: deploy/install-face-model.sh's folder (dist/face-api.esm.js, model/).
// Each CHIP.rgb: 150 × 150 × 3 bytes, RGB. Prints one line per chip: the file
// and its 128 numbers.
//
// face-api.js scales its input by 1/255 where dlib (which trained the model,
// and which the validator follows) scales by 1/256; the pixels are remapped so
// that face-api computes dlib's input exactly: p' = mean + (p − mean)·255/256.
import fs from 'fs';
import util from 'util';

const [dir, ...chips] = process.argv.slice(2);
// The bundle picks its platform from `process`; give it none, then our own.
const realProcess = globalThis.process;
globalThis.process = undefined;
const faceapi = await import(dir + '/dist/face-api.esm.js');
globalThis.process = realProcess;
const tf = faceapi.tf;
tf.env().setPlatform('gradcap-test', {
  fetch: () => { throw new Error('no fetch'); },
  now: () => performance.now(),
  encode: (s) => new util.TextEncoder().encode(s),
  decode: (b, e) => new util.TextDecoder(e).decode(b),
  isTypedArray: (a) => util.types.isTypedArray(a),
  setTimeoutCustom: (f, t) => setTimeout(f, t),
});
class None {}
const refuse = () => { throw new Error('not in this test'); };
faceapi.env.setEnv({ Canvas: None, CanvasRenderingContext2D: None, Image: None, ImageData: None, Video: None,
  createCanvasElement: refuse, createImageElement: refuse, createVideoElement: refuse, fetch: refuse,
  readFile: refuse });
await tf.setBackend('cpu');
await tf.ready();
const manifest = JSON.parse(fs.readFileSync(dir + '/model/face_recognition_model-weights_manifest.json'));
const bin = fs.readFileSync(dir + '/model/face_recognition_model.bin');
const weights = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), manifest[0].weights);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(weights);
const mean = [122.782, 117.001, 104.298];
for (const file of chips) {
  const raw = fs.readFileSync(file);
  if (raw.length !== 150 * 150 * 3) throw new Error(file + ': not a 150 × 150 RGB chip');
  const px = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; ++i) px[i] = mean[i % 3] + (raw[i] - mean[i % 3]) * 255 / 256;
  const d = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tf.tensor3d(px, [150, 150, 3], 'float32'));
  console.log(file + ' ' + Array.from(d).join(' '));
}
