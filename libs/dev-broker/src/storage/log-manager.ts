/**
 * All topics of the broker: `<dataDir>/topics/<topic>/topic.json` plus one PartitionLog per
 * partition. Topic creation and deletion are synchronous and crash-safe: a topic exists
 * exactly when its topic.json does.
 */
import { EventEmitter } from 'events';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'fs';
import { join } from 'path';
import { ErrorCode } from '../protocol/error-codes';
import { readJsonFile, writeFileAtomic } from './atomic-file';
import { LogOptions } from './partition-log.types';
import { PartitionLog } from './partition-log';
import {
  effectiveLogOptions,
  isValidTopicName,
  MAX_PARTITIONS,
  parseTopicMetadata,
  TopicMetadata,
  validateTopicConfigs,
} from './topic-config';

export type { TopicMetadata } from './topic-config';

/** Where and how the broker stores its logs. */
export interface LogManagerOptions {
  dataDir: string;
  /** Partitions of a topic created with −1 partitions or auto-created. */
  defaultPartitions: number;
  /** Broker-wide log options; topic configs may override them. */
  log: LogOptions;
}

/** Events of a LogManager, each with the topic name. */
export interface LogManagerEvents {
  topicCreated: [name: string];
  topicDeleted: [name: string];
}

/** Suffix of a topic directory being removed; '~' cannot occur in a topic name. */
const DELETED_SUFFIX = '~deleted';
const TOPIC_FILE = 'topic.json';

interface TopicState {
  metadata: TopicMetadata;
  partitions: PartitionLog[];
}

/** The broker's topics and their partition logs. */
export class LogManager extends EventEmitter<LogManagerEvents> {
  private readonly topicStates = new Map<string, TopicState>();
  private readonly topicsDir: string;
  private truncatedBytes = 0;

  private constructor(private readonly options: LogManagerOptions) {
    super();
    this.topicsDir = join(options.dataDir, 'topics');
  }

  /** Bytes truncated from torn or invalid segment tails while opening, for a log line. */
  get recoveredBytes(): number {
    return this.truncatedBytes;
  }

  /** Creates the data directory if needed and opens (recovering) every topic in it. */
  static open(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    mkdirSync(manager.topicsDir, { recursive: true });
    for (const entry of readdirSync(manager.topicsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(manager.topicsDir, entry.name);
      if (entry.name.endsWith(DELETED_SUFFIX)) {
        rmSync(dir, { recursive: true, force: true }); // a deletion the last run did not finish
        continue;
      }
      const metadata = parseTopicMetadata(readJsonFile(join(dir, TOPIC_FILE)));
      // No topic.json: a creation that did not finish; createTopic clears it if asked again.
      if (metadata === undefined || metadata.name !== entry.name) continue;
      manager.load(metadata);
    }
    return manager;
  }

  /**
   * Creates a topic (or only validates the request with `validateOnly`).
   * @param partitions −1 for the broker default.
   * @param configs stored as given; `retention.ms`, `retention.bytes` and `segment.bytes`
   *   override the broker's log options for this topic.
   * @returns an ErrorCode: NONE, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
   *   TOPIC_ALREADY_EXISTS or INVALID_CONFIG.
   */
  createTopic(
    name: string,
    partitions = -1,
    configs: Record<string, string> = {},
    validateOnly = false,
  ): number {
    if (!isValidTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    const count = partitions === -1 ? this.options.defaultPartitions : partitions;
    if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS)
      return ErrorCode.INVALID_PARTITIONS;
    if (this.topicStates.has(name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
    const configError = validateTopicConfigs(configs);
    if (configError !== ErrorCode.NONE) return configError;
    if (validateOnly) return ErrorCode.NONE;

    const dir = join(this.topicsDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const metadata: TopicMetadata = { name, partitions: count, configs: { ...configs } };
    this.load(metadata);
    // Written last: until it exists the directory is not a topic.
    writeFileAtomic(join(dir, TOPIC_FILE), JSON.stringify(metadata, null, 2));
    this.emit('topicCreated', name);
    return ErrorCode.NONE;
  }

  /**
   * Deletes a topic and all its data.
   * @returns NONE or UNKNOWN_TOPIC_OR_PARTITION.
   */
  deleteTopic(name: string): number {
    const state = this.topicStates.get(name);
    if (state === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    for (const log of state.partitions) log.close();
    this.topicStates.delete(name);
    const dir = join(this.topicsDir, name);
    const doomed = dir + DELETED_SUFFIX;
    rmSync(doomed, { recursive: true, force: true });
    // One rename makes the deletion atomic; the slow recursive removal may then be interrupted.
    if (existsSync(dir)) renameSync(dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
    this.emit('topicDeleted', name);
    return ErrorCode.NONE;
  }

  /**
   * Creates `name` with the default partition count unless it exists (auto-creation).
   * @returns NONE or the createTopic error (e.g. INVALID_TOPIC_EXCEPTION).
   */
  ensureTopic(name: string): number {
    return this.topicStates.has(name) ? ErrorCode.NONE : this.createTopic(name, -1);
  }

  /** The topic's name, partition count and configs, or undefined when it does not exist. */
  topic(name: string): TopicMetadata | undefined {
    return this.topicStates.get(name)?.metadata;
  }

  /** Names of all topics, sorted. */
  topics(): string[] {
    return [...this.topicStates.keys()].sort();
  }

  /** The log of one partition, or undefined for an unknown topic or partition. */
  partition(topic: string, index: number): PartitionLog | undefined {
    return this.topicStates.get(topic)?.partitions[index];
  }

  /**
   * Applies retention to every partition.
   * @returns bytes freed.
   */
  applyRetention(now: number): number {
    let freed = 0;
    for (const state of this.topicStates.values()) {
      for (const log of state.partitions) freed += log.applyRetention(now);
    }
    return freed;
  }

  /** Closes every partition log. */
  close(): void {
    for (const state of this.topicStates.values()) {
      for (const log of state.partitions) log.close();
    }
    this.topicStates.clear();
  }

  private load(metadata: TopicMetadata): void {
    const options = effectiveLogOptions(this.options.log, metadata.configs);
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < metadata.partitions; p++) {
      const log = PartitionLog.open(this.options.dataDir, metadata.name, p, options);
      this.truncatedBytes += log.recovery.truncatedBytes;
      partitions.push(log);
    }
    this.topicStates.set(metadata.name, { metadata, partitions });
  }
}
