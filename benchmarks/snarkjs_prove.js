const snarkjs = require("snarkjs");
const fs = require("fs");
(async () => {
  const [zkeyPath, wtnsPath, reps] = process.argv.slice(2);
  const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(zkeyPath)) };
  const wtns = { type: "mem", data: new Uint8Array(fs.readFileSync(wtnsPath)) };
  await snarkjs.groth16.prove(zkey, wtns); // warm-up: curve and wasm set up
  const times = [];
  for (let i = 0; i < Number(reps); i++) {
    const t = process.hrtime.bigint();
    await snarkjs.groth16.prove(zkey, wtns);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ median_ms: times[Math.floor(times.length / 2)], times }));
  process.exit(0);
})();
