// The jsforce side of the Salesforce race (tests/bench/sf_race.cpp): one query over the same
// local peer the connector reads, every record streamed to a JSON-lines file, as a jsforce user
// would mirror an org. REST uses autoFetch (nextRecordsUrl paging) with queryAll semantics
// (scanAll); Bulk uses Bulk API 2.0 (conn.bulk2.query, queryAll).
//   node race.js <instance_url> <access_token> <api_version> rest|bulk <soql> <out.jsonl>
'use strict';
const fs = require('fs');
const jsforce = require('jsforce');

async function main() {
  const [instanceUrl, accessToken, version, mode, soql, outPath] = process.argv.slice(2);
  const conn = new jsforce.Connection({instanceUrl, accessToken, version});
  const out = fs.createWriteStream(outPath);
  let records = 0;
  const write = (r) => {
    records += 1;
    if (!out.write(JSON.stringify(r) + '\n')) return new Promise((ok) => out.once('drain', ok));
    return null;
  };
  if (mode === 'rest') {
    await new Promise((resolve, reject) => {
      conn.query(soql, {autoFetch: true, maxFetch: 100000000, scanAll: true})
          .on('record', (r) => { write(r); })
          .on('end', resolve)
          .on('error', reject)
          .run({autoFetch: true, maxFetch: 100000000, scanAll: true});
    });
  } else {
    // Same first poll interval as the connector's backoff starts with.
    const rows = await conn.bulk2.query(soql, {scanAll: true, pollInterval: 250,
                                               pollTimeout: 600000});
    for await (const r of rows) {
      const waiting = write(r);
      if (waiting) await waiting;
    }
  }
  await new Promise((ok) => out.end(ok));
  process.stdout.write(JSON.stringify({records}) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
