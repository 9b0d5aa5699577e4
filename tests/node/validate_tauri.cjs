// Validates rendered Tauri shells against the Tauri CLI's own JSON schema (draft-07).
//
//   node tests/node/validate_tauri.cjs <shell dir> [<shell dir> ...]
//
// For each shell: src-tauri/tauri.conf.json against config.schema.json, and every
// src-tauri/capabilities/*.json against the schema's Capability definition. Prints one JSON
// object: {"<shell dir>": {"config": [errors], "capabilities": {"<file>": [errors]}}}.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv");

const schema = require("@tauri-apps/cli/config.schema.json");

// unicodeRegExp: false: the schema's productName pattern escapes ":" (`\\:`), which only
// non-unicode regular expressions accept (so does Rust's regex crate, which Tauri uses).
// validateFormats: false: the schema's formats (uint32, double, ...) are Rust type hints.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false });
ajv.addSchema(schema, "tauri-config");
const validateConfig = ajv.getSchema("tauri-config");
const validateCapability = ajv.compile({ $ref: "tauri-config#/definitions/Capability" });

function check(validate, file) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return [`${file}: ${error.message}`];
  }
  if (validate(data)) return [];
  return validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

const results = {};
for (const shell of process.argv.slice(2)) {
  const srcTauri = path.join(shell, "src-tauri");
  const capabilitiesDir = path.join(srcTauri, "capabilities");
  const capabilities = {};
  for (const name of fs.existsSync(capabilitiesDir) ? fs.readdirSync(capabilitiesDir).sort() : []) {
    if (name.endsWith(".json")) {
      capabilities[name] = check(validateCapability, path.join(capabilitiesDir, name));
    }
  }
  results[shell] = { config: check(validateConfig, path.join(srcTauri, "tauri.conf.json")), capabilities };
}
process.stdout.write(JSON.stringify(results) + "\n");
