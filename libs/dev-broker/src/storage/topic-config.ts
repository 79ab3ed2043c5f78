/**
 * Topic rules shared by creation and loading: legal names, partition counts, and the
 * per-topic configs that override the broker's log options.
 */
import { ErrorCode } from '../protocol/error-codes';
import { LogOptions } from './partition-log.types';

/** Kafka's limit: 249 characters, so `<name>-<partition>` directories stay under 255. */
const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka rejects more partitions per request long before this; it bounds file descriptors and memory. */
export const MAX_PARTITIONS = 10_000;

/** What topic.json holds. */
export interface TopicMetadata {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

/** Topic configs the log honours, with the LogOptions field each overrides and its minimum. */
const LOG_CONFIGS = {
  'retention.ms': { option: 'retentionMs', min: -1 },
  'retention.bytes': { option: 'retentionBytes', min: -1 },
  'segment.bytes': { option: 'segmentBytes', min: 1 },
} as const satisfies Record<string, { option: keyof LogOptions; min: number }>;

/** True for a name Kafka accepts: 1–249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_TOPIC_NAME_LENGTH &&
    LEGAL_TOPIC_NAME.test(name) &&
    name !== '.' &&
    name !== '..'
  );
}

function parseInteger(value: string): number | undefined {
  if (!/^-?\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Checks the configs of a new topic.
 * @returns NONE, or INVALID_CONFIG when a log config is not an integer in range.
 */
export function validateTopicConfigs(configs: Record<string, string>): number {
  for (const [key, rule] of Object.entries(LOG_CONFIGS)) {
    if (!(key in configs)) continue;
    const value = parseInteger(configs[key]);
    if (value === undefined || value < rule.min) return ErrorCode.INVALID_CONFIG;
  }
  return ErrorCode.NONE;
}

/** The broker's log options with the topic's overrides applied (configs already validated). */
export function effectiveLogOptions(
  defaults: LogOptions,
  configs: Readonly<Record<string, string>>,
): LogOptions {
  const options = { ...defaults };
  for (const [key, rule] of Object.entries(LOG_CONFIGS)) {
    const value = key in configs ? parseInteger(configs[key]) : undefined;
    if (value !== undefined) options[rule.option] = value;
  }
  return options;
}

/** Reads topic.json content, or undefined when it is not a topic description. */
export function parseTopicMetadata(json: unknown): TopicMetadata | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { name, partitions, configs } = json as Record<string, unknown>;
  if (typeof name !== 'string' || !isValidTopicName(name)) return undefined;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1)
    return undefined;
  if (typeof configs !== 'object' || configs === null) return undefined;
  const strings = Object.entries(configs).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return { name, partitions, configs: Object.fromEntries(strings) };
}
