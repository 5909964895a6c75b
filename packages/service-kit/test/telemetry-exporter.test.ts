import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/telemetry.ts';

const require = createRequire(import.meta.url);
const exporterModule = () => require.cache[require.resolve('@opentelemetry/exporter-trace-otlp-proto')];

describe('the OTLP exporter', () => {
  it('is read from disk only when an endpoint is configured, and then exports', async () => {
    const quiet = startTelemetry({ serviceName: 'telemetry-test', env: {} });
    expect(quiet.exporting).toBe(false);
    expect(exporterModule()).toBeUndefined();
    await quiet.shutdown();

    const exporting = startTelemetry({ serviceName: 'telemetry-test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/' } });
    expect(exporting.exporting).toBe(true);
    expect(exporterModule()).toBeDefined();
    await exporting.shutdown();
  });
});
