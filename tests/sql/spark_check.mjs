// spark_check.mjs — Spark SQL syntax of a file, by the SparkSQL parser of the
// npm package dt-sql-parser (an ANTLR grammar after Spark's own
// SqlBaseParser.g4), for tests/sql_test.sh: the Spark dialect of
// `strat sql` is checked for syntax only, never run.
//
//   node spark_check.mjs NODE_MODULES FILE.sql
//
// Prints each syntax error with its line and column and exits 1 when there
// is any; exits 0 and prints nothing for a valid file.  (The package's ES
// modules import their siblings without `.js`, as a bundler allows: a
// resolve hook adds it.)
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const [modules, file] = process.argv.slice(2);
if (!modules || !file) {
  process.stderr.write('usage: node spark_check.mjs NODE_MODULES FILE.sql\n');
  process.exit(2);
}
register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!specifier.startsWith('.')) throw e;
    for (const suffix of ['.js', '/index.js']) {
      try { return await next(specifier + suffix, context); } catch {}
    }
    throw e;
  }
}`));
const entry = path.join(path.resolve(modules), 'dt-sql-parser', 'dist', 'index.js');
const { SparkSQL } = await import(pathToFileURL(entry).href);
const errors = new SparkSQL().validate(fs.readFileSync(file, 'utf8'));
for (const e of errors)
  process.stdout.write(`${file}:${e.startLine}:${e.startColumn}: ${e.message}\n`);
process.exit(errors.length ? 1 : 0);
