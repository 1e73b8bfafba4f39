// Strict validation of operator resources against the models that the npm packages pinned in
// package.json generate from the operators' own schemas (see README.md). Run by
// tests/deploy/deploy_facts.py; needs `npm ci` here first (`make setup` does it).
//
// Protocol: each line on stdin is a JSON array of resources; for each line, one line on stdout:
// a JSON array holding, for each resource, its errors (an empty list when it is valid).
//
// A resource passes two checks, both taken from its package:
//   1. the package's validator, compiled from the schema with ajv: types, enums, patterns,
//      ranges, formats and required fields;
//   2. the package's TypeScript declarations, generated from the same schema: the resource is
//      type-checked as an object literal, and TypeScript rejects any property its type does not
//      declare. The validator alone lets unknown fields through; this is the strict mode. An
//      object the schema leaves open (x-kubernetes-preserve-unknown-fields, a map of values) is
//      declared `{}` or with an index signature, and takes any key there, as it does in kubectl
//      and kubeconform.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import ts from "typescript";

const HERE = dirname(fileURLToPath(import.meta.url));
// API group -> the package that models it (package.json, "htkModels"); each kind is at
// <package>/<group>/<version>/<Kind>, which exports the class <Kind> (with its validator) and
// the interface I<Kind>.
const MODELS = JSON.parse(readFileSync(join(HERE, "package.json"), "utf8")).htkModels;

function modelPath(doc) {
  const [group, version] = String(doc.apiVersion).split("/");
  return `${MODELS[group]}/${group}/${version}/${doc.kind}`;
}

// The model class for the resource's apiVersion and kind, or undefined if its package has none.
async function model(doc) {
  const [group, version, ...rest] = String(doc.apiVersion).split("/");
  if (!MODELS[group] || !version || rest.length || !/^[A-Za-z0-9]+$/.test(String(doc.kind))) {
    return undefined;
  }
  try {
    return (await import(modelPath(doc)))[doc.kind];
  } catch (error) {
    if (error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || error.code === "ERR_MODULE_NOT_FOUND") {
      return undefined;
    }
    throw error;
  }
}

function validatorErrors(Model, doc) {
  try {
    new Model(doc).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors.map(
      (each) => `${each.instancePath || "/"}: ${each.message} (${each.schemaPath})`,
    );
  }
}

// --- the type check ---------------------------------------------------------------------------

const SOURCE = join(HERE, "__resources__.ts");
const OPTIONS = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  lib: ["lib.es2022.d.ts"],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};
const host = ts.createCompilerHost(OPTIONS);
const parsed = new Map(); // the packages' declarations, parsed once for every request
let text = "";
let previous;
const { getSourceFile, fileExists, readFile } = host;
host.getSourceFile = (name, languageVersion, ...rest) => {
  if (name === SOURCE) return ts.createSourceFile(name, text, languageVersion, true);
  if (!parsed.has(name)) parsed.set(name, getSourceFile.call(host, name, languageVersion, ...rest));
  return parsed.get(name);
};
host.fileExists = (name) => name === SOURCE || fileExists.call(host, name);
host.readFile = (name) => (name === SOURCE ? text : readFile.call(host, name));

// The path (property names, array indexes) of the innermost value around a position.
function pathAt(node, position, path = []) {
  const inside = (each) => position >= each.getStart() && position < each.getEnd();
  if (ts.isObjectLiteralExpression(node)) {
    const property = node.properties.find(inside);
    if (property && ts.isPropertyAssignment(property)) {
      const name = property.name.text;
      return inside(property.initializer)
        ? pathAt(property.initializer, position, [...path, name])
        : [...path, name];
    }
    return path;
  }
  if (ts.isArrayLiteralExpression(node)) {
    const index = node.elements.findIndex(inside);
    return index < 0 ? path : pathAt(node.elements[index], position, [...path, index]);
  }
  return path;
}

function typeErrors(docs) {
  const lines = docs.map(
    (doc, index) => `import type { I${doc.kind} as T${index} } from "${modelPath(doc)}";`,
  );
  docs.forEach((doc, index) => {
    lines.push(`export const doc${index}: T${index} = ${JSON.stringify(doc, null, 1)};`);
  });
  text = lines.join("\n");
  const program = ts.createProgram([SOURCE], OPTIONS, host, previous);
  previous = program;
  const source = program.getSourceFile(SOURCE);
  const statements = source.statements.filter(ts.isVariableStatement);
  const errors = docs.map(() => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    const index = statements.findIndex(
      (each) => diagnostic.file === source && diagnostic.start >= each.getStart() &&
        diagnostic.start < each.getEnd(),
    );
    // Anything else (a package that does not resolve, a broken declaration) is no verdict on
    // the resources: fail loudly.
    if (index < 0) throw new Error(`TypeScript: ${message}`);
    const literal = statements[index].declarationList.declarations[0].initializer;
    errors[index].push(`/${pathAt(literal, diagnostic.start).join("/")}: ${message}`);
  }
  return errors;
}

async function check(docs) {
  const models = await Promise.all(docs.map(model));
  const known = docs.filter((_, index) => models[index]);
  const types = typeErrors(known);
  return docs.map((doc, index) => {
    const Model = models[index];
    if (!Model) {
      return [`/: ${MODELS[doc.apiVersion.split("/")[0]]} has no ${doc.apiVersion} ${doc.kind}`];
    }
    return [...validatorErrors(Model, doc), ...types[known.indexOf(doc)]];
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) process.stdout.write(`${JSON.stringify(await check(JSON.parse(line)))}\n`);
}
