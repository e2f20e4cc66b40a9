import { defineConfig } from '@playwright/test';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The server under test: started here with a fresh data directory (its own embedded
// PostgreSQL and seeded demo catalog), unless E2E_BASE_URL points at one. (Not MERCATO_*:
// the server reads every MERCATO_ variable as a setting and rejects unknown ones.)
const port = Number(process.env.E2E_PORT ?? 3107);
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${port}`;
// Playwright evaluates this file again in every worker: the first evaluation creates the
// data directory and exports it, so the workers see the same one instead of making more.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mercato-e2e-'));
if (!process.env.E2E_DATA_DIR) chmodSync(dataDir, 0o755); // the postgres user keeps the cluster in it
process.env.E2E_DATA_DIR = dataDir;
const serverBinary = process.env.E2E_SERVER ?? 'target/debug/server';

export default defineConfig({
  testDir: './tests',
  // A new shop imports its order history in the background while the first tests run
  // (about a core for a minute or two on a debug build): pages may be slower meanwhile.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    testIdAttribute: 'data-test',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false }, grepInvert: /@hydrated/ },
  ],
  webServer: external
    ? undefined
    : {
        command: serverBinary,
        cwd: '..',
        url: `${baseURL}/readyz`,
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          // scripts/test builds the debug site apart from the release one.
          LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? 'target/site-test',
          MERCATO_DATA_DIR: dataDir,
          MERCATO_HTTP__ADDR: `127.0.0.1:${port}`,
          MERCATO_POSTGRES__UNSAFE_FAST: 'true',
          // Parcels arrive within seconds, so an order can be refunded after delivery.
          MERCATO_FULFILMENT__SANDBOX_DELIVERY_SECS: '5',
          // Every test signs up and in from this one address, within a minute or two.
          MERCATO_RATE_LIMITS__SIGN_UP__BURST: '200',
          MERCATO_RATE_LIMITS__SIGN_IN__BURST: '200',
          RUST_LOG: 'warn',
        },
      },
});
