#!/usr/bin/env node
// ONNX Runtime peer for bench/forward (npm package onnxruntime-node, its prebuilt CPU
// runtime): the model exported by export_onnx.py, intra-op threads = T, inter-op 1,
// sequential execution, all graph optimisations. Prints lines in bench/forward's format
// with impl=ort.
//
// usage: NODE_PATH=DIR/node_modules node peer_ort.js MODEL.onnx [-b 1,8,32] [-t 1,2] [-n ITERS] [-w WARMUP]
'use strict';
const ort = require('onnxruntime-node');

const GFLOP_IMG = 7.7110; // printed by bench/forward for 224x224 (vc_resnet50_flops)

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
}

async function main() {
  const model = process.argv[2];
  const batches = arg('-b', '1,8,32').split(',').map(Number);
  const threads = arg('-t', '1,2').split(',').map(Number);
  const iters = Number(arg('-n', '3')), warm = Number(arg('-w', '1'));
  for (const t of threads) {
    const s = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'], intraOpNumThreads: t, interOpNumThreads: 1,
      executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    for (const b of batches) {
      const data = new Float32Array(b * 3 * 224 * 224);
      let seed = 12345;
      for (let i = 0; i < data.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = (seed / 4294967296) * 250 - 120; }
      const feeds = { x: new ort.Tensor('float32', data, [b, 3, 224, 224]) };
      let y;
      for (let i = 0; i < warm; i++) y = await s.run(feeds);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iters; i++) y = await s.run(feeds);
      const el = Number(process.hrtime.bigint() - t0) / 1e9;
      if (!y.y.data.every(Number.isFinite)) throw new Error('non-finite output');
      const ips = b * iters / el;
      console.log(`forward impl=ort threads=${t} batch=${b} img_s=${ips.toFixed(3)} gflops=${(ips * GFLOP_IMG).toFixed(2)} ` +
                  `ms_batch=${(1e3 * el / iters).toFixed(1)}`);
    }
    await s.release();
  }
}

main().catch((e) => { console.error(`peer_ort: ${e.message}`); process.exit(1); });
