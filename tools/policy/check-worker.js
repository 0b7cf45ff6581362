// The streaming policy check's thread (see startStreamingCheckInWorker in run.ts): starts the packs,
// analyzes each resource the planning thread posts, then AnalyzeStack, and posts the result back.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
// A worker does not inherit tsx's loader from the main thread; register its CommonJS loader here.
require("tsx/cjs/api").register();
const { startStreamingCheck } = require("./run.ts");
const { splitPackConfig } = require("./pack-config.ts");

const { packDirs, configs } = workerData;
const check = startStreamingCheck(packDirs, (packs) =>
    configs.length ? splitPackConfig(configs, packs.map((p) => ({ name: p.name, policies: p.policies.map((x) => x.name) }))) : {},
);
const fail = (e) => parentPort.postMessage({ error: { name: e && e.constructor ? e.constructor.name : "Error", message: String(e && e.message ? e.message : e), stack: e && e.stack } });

parentPort.on("message", (m) => {
    if (m.resource) check.addAnalyzerResource(m.resource);
    else if (m.finish) check.finish().then((result) => parentPort.postMessage({ result }), fail);
    else if (m.close) check.close().then(() => process.exit(0), (e) => (fail(e), process.exit(1)));
});
