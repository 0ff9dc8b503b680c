import type { Config } from '../config.js';
import { parseDcgmText } from '../pipeline/ingest/dcgm-text.js';
import { jsonPushSchema, parseJsonPush } from '../pipeline/ingest/json-push.js';
import { parseNvidiaSmiCsv } from '../pipeline/ingest/nvidia-smi-csv.js';

/** The exporter-text parsers, bounded by the configured limits (push routes and scrape rounds share them). */
export function ingestParsers(limits: Config['limits']) {
  const dcgm = (text: string, host: string | null) =>
    parseDcgmText(text, {
      defaultHost: host ?? undefined,
      maxLines: limits.maxLinesPerBatch,
      maxSeries: limits.maxSeriesPerBatch,
      maxLabelLength: limits.maxLabelLength,
    });
  return {
    dcgm,
    nvidiaSmi: (text: string, host: string, fields: string[] | undefined) =>
      parseNvidiaSmiCsv(text, { host, fields, maxLines: limits.maxLinesPerBatch, maxLabelLength: limits.maxLabelLength }),
    json: (body: unknown) => parseJsonPush(body, { maxSamples: limits.maxSeriesPerBatch, maxLabelLength: limits.maxLabelLength }),
    jsonSchema: jsonPushSchema,
  };
}
