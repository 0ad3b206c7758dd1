// duckdb_out.js — the analyst section's DuckDB runner: bench/analyst.strat's
// score and decide table as one SQL COPY, through the npm package
// @duckdb/node-api (DuckDB in the node process, on all cores).
//
//   node bench/duckdb_out.js NODE_MODULES csv|json IN.csv OUT
//   node bench/duckdb_out.js NODE_MODULES version    (prints DuckDB's version)
//
// NODE_MODULES is the node_modules directory that holds @duckdb/node-api
// (bench/run.sh installs it into a cache directory).  Writes OUT with the
// columns id, decision, roi: CSV with a header, or JSON one object a line.
// The columns are typed as bench/gen_cmdb.c writes them, so nothing is
// sniffed; roi is computed in double in the order of analyst.strat.
'use strict';
const path = require('path');
const { createRequire } = require('module');

const [modules, format, input, output] = process.argv.slice(2);
const versionOnly = format === 'version';
if (!modules || (!versionOnly && (!['csv', 'json'].includes(format) || !input || !output))) {
  process.stderr.write('usage: node duckdb_out.js NODE_MODULES csv|json IN.csv OUT\n' +
                       '       node duckdb_out.js NODE_MODULES version\n');
  process.exit(2);
}
// resolve the package from NODE_MODULES, not from this file's directory
const { DuckDBInstance } = createRequire(path.join(path.resolve(modules), 'noop.js'))('@duckdb/node-api');

const quote = (s) => "'" + s.replace(/'/g, "''") + "'";
const sql = versionOnly ? '' : `COPY (
  SELECT id,
         CASE WHEN roi >= 1 AND demand >= 5000 THEN 'invest'
              WHEN roi < 0 THEN 'retire'
              ELSE 'tolerate' END AS decision,
         roi
  FROM (SELECT id, demand, (revenue - cost) / cost * (1 - risk) AS roi
        FROM read_csv(${quote(input || '')}, header = true, delim = ',', quote = '"',
                      columns = {'id': 'VARCHAR', 'revenue': 'DOUBLE', 'risk': 'DOUBLE',
                                 'cost': 'DOUBLE', 'demand': 'DOUBLE', 'customers': 'VARCHAR'}))
) TO ${quote(output)} (${format === 'csv' ? 'FORMAT CSV, HEADER' : 'FORMAT JSON'})`;

(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  if (versionOnly) {
    const reader = await connection.runAndReadAll('SELECT version()');
    process.stdout.write(`${reader.getRows()[0][0]}\n`);
  } else {
    await connection.run(sql);
  }
  connection.closeSync();
  instance.closeSync();
})().catch((err) => {
  process.stderr.write(`duckdb_out: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
