'use strict';
// Starts the backend under a BackendSupervisor and then just waits: supervisor.test.js kills this
// process with SIGKILL and checks that the backend and its worker do not outlive it.
const { BackendSupervisor, newToken } = require('../src/supervisor');
const { devBackend } = require('./helpers');

const supervisor = new BackendSupervisor();
supervisor.start({ ...devBackend(), appDataDir: process.argv[2], token: newToken() }).then(
  (info) => {
    process.stdout.write(`${JSON.stringify({ supervisor: process.pid, backend: info.pid, port: info.port })}\n`);
    setInterval(() => {}, 1000);
  },
  (error) => {
    process.stderr.write(`${error.message}\n${error.stderr || ''}\n`);
    process.exit(3);
  },
);
