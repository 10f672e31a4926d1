#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled by `npm run build` (run by `npm install` through "prepare").
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('mlops: error: dist/cli.js is missing; run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(cli);
