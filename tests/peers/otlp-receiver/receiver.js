#!/usr/bin/env node
// Test peer: an OTLP/HTTP receiver that decodes request bodies with the
// official opentelemetry-proto definitions (the protobufjs root generated and
// shipped by @opentelemetry/otlp-transformer), never with kpulse's own .proto.
//
// Usage: node receiver.js --out FILE [--port N] [--fail-first N]
//                         [--fail-status 503] [--retry-after SECONDS]
//                         [--reject N]
// Prints {"port": N} on stdout once listening. Every request becomes one JSON
// line in FILE: {t, path, status, contentType, contentEncoding, request}. The
// first --fail-first requests are answered with --fail-status (and
// Retry-After) and recorded with "request": null. --reject N answers accepted
// requests with an OTLP partial success rejecting N items. Exits on SIGTERM or when
// stdin closes, so it cannot outlive the test that started it.
'use strict';

const fs = require('fs');
const http = require('http');
const zlib = require('zlib');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

function parseArgs(argv) {
  const opts = { port: 0, out: null, failFirst: 0, failStatus: 503, retryAfter: null, reject: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key}: missing value`);
    if (key === '--port') opts.port = Number(value);
    else if (key === '--out') opts.out = value;
    else if (key === '--fail-first') opts.failFirst = Number(value);
    else if (key === '--fail-status') opts.failStatus = Number(value);
    else if (key === '--retry-after') opts.retryAfter = value;
    else if (key === '--reject') opts.reject = Number(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!opts.out) throw new Error('--out FILE is required');
  return opts;
}

const opts = parseArgs(process.argv);
const proto = root.opentelemetry.proto.collector;
const decoders = {
  '/v1/metrics': [proto.metrics.v1.ExportMetricsServiceRequest, proto.metrics.v1.ExportMetricsServiceResponse],
  '/v1/logs': [proto.logs.v1.ExportLogsServiceRequest, proto.logs.v1.ExportLogsServiceResponse],
};
let seen = 0;

function record(entry) {
  fs.appendFileSync(opts.out, JSON.stringify(entry) + '\n');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    seen += 1;
    const entry = {
      t: Date.now(),
      path: req.url,
      contentType: req.headers['content-type'] || '',
      contentEncoding: req.headers['content-encoding'] || '',
      headers: req.headers,
      request: null,
    };
    const codec = decoders[req.url];
    if (req.method !== 'POST' || !codec) {
      entry.status = 404;
      record(entry);
      res.writeHead(404).end();
      return;
    }
    if (seen <= opts.failFirst) {
      entry.status = opts.failStatus;
      record(entry);
      const headers = opts.retryAfter !== null ? { 'Retry-After': opts.retryAfter } : {};
      res.writeHead(opts.failStatus, headers).end('try later');
      return;
    }
    try {
      let body = Buffer.concat(chunks);
      if (entry.contentEncoding === 'gzip') body = zlib.gunzipSync(body);
      const msg = codec[0].decode(body);
      entry.request = codec[0].toObject(msg, { longs: String, enums: String, bytes: String, arrays: true });
      entry.status = 200;
      record(entry);
      const partial = req.url === '/v1/metrics'
        ? { rejectedDataPoints: opts.reject, errorMessage: 'test rejects' }
        : { rejectedLogRecords: opts.reject, errorMessage: 'test rejects' };
      const reply = opts.reject > 0 ? { partialSuccess: partial } : {};
      const response = codec[1].encode(codec[1].create(reply)).finish();
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end(Buffer.from(response));
    } catch (err) {
      entry.status = 400;
      entry.error = String(err);
      record(entry);
      res.writeHead(400).end(String(err));
    }
  });
});

server.listen(opts.port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
