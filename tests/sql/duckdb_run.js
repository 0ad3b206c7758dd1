// duckdb_run.js — runs SQL statements in DuckDB (npm @duckdb/node-api) for
// tests/sql/sql_test.sh and bench/sql.sh.
//
//   node duckdb_run.js NODE_MODULES FILE.sql     (prints DuckDB's version when
//                                                 FILE.sql is `version`)
//
// FILE.sql holds statements separated by lines `-- @@`; each runs in turn
// in one in-memory database (threads: all cores), and the rows of the
// last one are printed, a line each, fields joined by a tab (NULL as \N).
// Exit 1, with the engine's message, when a statement fails.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  process.stderr.write('usage: node duckdb_run.js NODE_MODULES FILE.sql\n');
  process.exit(2);
}
const { DuckDBInstance, version } =
  createRequire(path.join(path.resolve(modules), 'noop.js'))('@duckdb/node-api');

(async () => {
  if (file === 'version') {
    process.stdout.write(version() + '\n');
    return;
  }
  const statements = fs.readFileSync(file, 'utf8').split(/^-- @@$/m)
    .map((s) => s.trim()).filter((s) => s.length > 0);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  let rows = [];
  for (const sql of statements) {
    const reader = await conn.runAndReadAll(sql);
    rows = reader.getRows();
  }
  const out = [];
  for (const r of rows)
    out.push(r.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
})().catch((e) => {
  process.stderr.write('duckdb: ' + (e && e.message ? e.message : String(e)) + '\n');
  process.exit(1);
});
