import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ErrorCode } from '../protocol/error-codes';
import { LogManager } from './log-manager';
import { batchOf, makeTempDir, TEST_LOG_OPTIONS } from './storage.test-helper';

const NOW = 1_700_000_000_000;

describe('LogManager', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let manager: LogManager;
  const open = (): LogManager =>
    LogManager.open({ dataDir: tmp.path, defaultPartitions: 3, log: TEST_LOG_OPTIONS });
  const reopen = (): LogManager => {
    manager.close();
    return (manager = open());
  };
  const topicDir = (name: string) => join(tmp.path, 'topics', name);

  beforeEach(() => {
    tmp = makeTempDir();
    manager = open();
  });
  afterEach(() => {
    manager.close();
    tmp.remove();
  });

  describe('createTopic', () => {
    it('creates the partitions and describes the topic in topic.json', () => {
      expect(manager.createTopic('orders.events', 2, { 'cleanup.policy': 'delete' })).toBe(
        ErrorCode.NONE,
      );
      expect(manager.topic('orders.events')).toEqual({
        name: 'orders.events',
        partitions: 2,
        configs: { 'cleanup.policy': 'delete' },
      });
      expect(
        JSON.parse(readFileSync(join(topicDir('orders.events'), 'topic.json'), 'utf8')),
      ).toEqual(manager.topic('orders.events'));
      expect(manager.partition('orders.events', 1)?.highWatermark).toBe(0);
      expect(manager.partition('orders.events', 2)).toBeUndefined();
    });

    it('uses the default partition count for −1', () => {
      manager.createTopic('t');
      expect(manager.topic('t')?.partitions).toBe(3);
    });

    it.each(['', '.', '..', 'a/b', 'ünïcode', 'has space', 'x'.repeat(250)])(
      'rejects the name %j',
      (name) => {
        expect(manager.createTopic(name, 1)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      },
    );

    it('accepts names of 249 legal characters', () => {
      expect(manager.createTopic('A-z_0.9' + 'x'.repeat(242), 1)).toBe(ErrorCode.NONE);
    });

    it.each([0, -2, 10_001, 1.5])('rejects %d partitions', (partitions) => {
      expect(manager.createTopic('t', partitions)).toBe(ErrorCode.INVALID_PARTITIONS);
    });

    it('rejects an existing topic', () => {
      manager.createTopic('t', 1);
      expect(manager.createTopic('t', 2)).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
      expect(manager.topic('t')?.partitions).toBe(1);
    });

    it.each([
      ['retention.ms', 'soon'],
      ['retention.bytes', '1.5'],
      ['segment.bytes', ''],
      ['segment.bytes', '0'],
      ['retention.ms', '-2'],
    ])('rejects %s=%j as INVALID_CONFIG', (key, value) => {
      expect(manager.createTopic('t', 1, { [key]: value })).toBe(ErrorCode.INVALID_CONFIG);
      expect(manager.topic('t')).toBeUndefined();
    });

    it('only validates with validateOnly', () => {
      expect(manager.createTopic('t', 1, {}, true)).toBe(ErrorCode.NONE);
      expect(manager.createTopic('bad/name', 1, {}, true)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect([manager.topic('t'), existsSync(topicDir('t'))]).toEqual([undefined, false]);
    });

    it('applies segment.bytes and retention.bytes to the topic only', () => {
      const size = batchOf(1).length;
      manager.createTopic('small', 1, {
        'segment.bytes': String(size),
        'retention.bytes': String(size),
      });
      manager.createTopic('plain', 1);
      for (const topic of ['small', 'plain']) {
        for (let i = 0; i < 3; i++) manager.partition(topic, 0)!.append([batchOf(1)], NOW);
      }
      expect(readdirSync(join(topicDir('small'), '0'))).toHaveLength(3);
      expect(readdirSync(join(topicDir('plain'), '0'))).toHaveLength(1);
      expect(manager.applyRetention(NOW)).toBe(2 * size);
      expect(manager.partition('small', 0)!.logStartOffset).toBe(2);
      expect(manager.partition('plain', 0)!.logStartOffset).toBe(0);
    });
  });

  it('keeps topics, configs and data across reopen', () => {
    manager.createTopic('b', 2, { 'retention.ms': '60000' });
    manager.createTopic('a', 1);
    manager.partition('b', 1)!.append([batchOf(4)], NOW);
    reopen();
    expect(manager.topics()).toEqual(['a', 'b']);
    expect(manager.topic('b')).toEqual({
      name: 'b',
      partitions: 2,
      configs: { 'retention.ms': '60000' },
    });
    expect(manager.partition('b', 1)!.highWatermark).toBe(4);
    expect(manager.recoveredBytes).toBe(0);
  });

  it('reports the bytes recovery truncated', () => {
    manager.createTopic('t', 1);
    manager.partition('t', 0)!.append([batchOf(2)], NOW);
    manager.close();
    appendFileSync(join(topicDir('t'), '0', '00000000000000000000.log'), Buffer.alloc(17, 1));
    expect((manager = open()).recoveredBytes).toBe(17);
    expect(manager.partition('t', 0)!.highWatermark).toBe(2);
  });

  describe('deleteTopic', () => {
    it('removes the topic and its data, emitting topicDeleted', () => {
      const deleted = jest.fn();
      manager.on('topicDeleted', deleted);
      manager.createTopic('t', 2);
      manager.partition('t', 0)!.append([batchOf(2)], NOW);
      expect(manager.deleteTopic('t')).toBe(ErrorCode.NONE);
      expect(deleted).toHaveBeenCalledWith('t');
      expect([manager.topic('t'), manager.partition('t', 0), existsSync(topicDir('t'))]).toEqual([
        undefined,
        undefined,
        false,
      ]);
      expect(reopen().topics()).toEqual([]);
    });

    it('answers UNKNOWN_TOPIC_OR_PARTITION for a missing topic', () => {
      expect(manager.deleteTopic('nope')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('lets a topic be created again, empty', () => {
      manager.createTopic('t', 1);
      manager.partition('t', 0)!.append([batchOf(2)], NOW);
      manager.deleteTopic('t');
      manager.createTopic('t', 1);
      expect(manager.partition('t', 0)!.highWatermark).toBe(0);
    });
  });

  it('ignores a directory without topic.json and finishes an interrupted deletion', () => {
    mkdirSync(join(topicDir('half-created'), '0'), { recursive: true });
    mkdirSync(join(tmp.path, 'topics', 'gone~deleted', '0'), { recursive: true });
    expect(reopen().topics()).toEqual([]);
    expect(existsSync(join(tmp.path, 'topics', 'gone~deleted'))).toBe(false);
    expect(manager.createTopic('half-created', 1)).toBe(ErrorCode.NONE);
  });

  describe('ensureTopic', () => {
    it('creates a missing topic with the default partition count, persisted', () => {
      expect(manager.ensureTopic('auto')).toBe(ErrorCode.NONE);
      expect(reopen().topic('auto')?.partitions).toBe(3);
    });

    it('leaves an existing topic alone', () => {
      manager.createTopic('t', 1);
      manager.partition('t', 0)!.append([batchOf(1)], NOW);
      expect(manager.ensureTopic('t')).toBe(ErrorCode.NONE);
      expect([manager.topic('t')?.partitions, manager.partition('t', 0)!.highWatermark]).toEqual([
        1, 1,
      ]);
    });

    it('passes on the creation error for an illegal name', () => {
      expect(manager.ensureTopic('..')).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    });
  });
});
