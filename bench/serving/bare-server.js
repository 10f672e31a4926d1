// The benchmark's limit: a bare node:http server calling session.run on the same model, with no
// validation, metrics or protocol handling. `node bare-server.js <model.onnx> <features>`; prints its port.
'use strict';
const http = require('node:http');
const ort = require(process.env.ORT_PATH || 'onnxruntime-node');

async function main() {
  const [file, featuresArg] = process.argv.slice(2);
  const width = Number(featuresArg);
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const input = session.inputNames[0];
  // The probabilities: `probability` (linear models) or `probabilities` (tree ensembles).
  const output = session.outputNames.find((n) => n.startsWith('probabilit')) || session.outputNames[0];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const rows = body.instances;
      const data = new Float32Array(rows.length * width);
      rows.forEach((r, i) => data.set(r, i * width));
      const out = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, width]) });
      const prob = out[output].data;
      const text = JSON.stringify({ predictions: Array.from(prob) });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 65000;
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
}
main();
