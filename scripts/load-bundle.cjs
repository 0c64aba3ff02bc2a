'use strict';
// The app bundle is a function expression (the launcher's wrapper is in the file), not a module:
// this evaluates it as src/launcher.cjs does, for the build, which reads the bundle's command words
// and prints its top-level help (`node scripts/load-bundle.cjs BUNDLE ARGS...` runs its main).
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const vm = require('node:vm');

function loadBundle(file) {
  const module = { exports: {} };
  const importView = () => Promise.reject(new Error('the build loads no Ink view'));
  vm.runInThisContext(fs.readFileSync(file, 'latin1'), { filename: file })(module.exports, createRequire(file), module, file, path.dirname(file), importView);
  return module.exports;
}

if (require.main === module) {
  const [file, ...args] = process.argv.slice(2);
  loadBundle(file).main(args).then((code) => {
    process.exitCode = code;
  });
}

module.exports = { loadBundle };
