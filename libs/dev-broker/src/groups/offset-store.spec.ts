import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from './group-test.helpers';
import { OFFSETS_LOG_FILE, OffsetStore } from './offset-store';

const entry = (
  topic: string,
  partition: number,
  offset: number,
  metadata: string | null = null,
) => ({
  topic,
  partition,
  offset,
  metadata,
});

describe('OffsetStore', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const opened: OffsetStore[] = [];
  const open = (options: { fsync: boolean; compactionMinRecords?: number } = { fsync: false }) => {
    const store = OffsetStore.open(temp.dir, options);
    opened.push(store);
    return store;
  };
  const logFile = () => path.join(temp.dir, OFFSETS_LOG_FILE);
  const logLines = () =>
    fs
      .readFileSync(logFile(), 'utf8')
      .split('\n')
      .filter((l) => l !== '');

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    temp.cleanup();
  });

  it('keeps the latest offset per partition and survives closing and reopening', () => {
    const store = open({ fsync: true });
    store.commit('g1', [entry('t', 0, 1), entry('t', 1, 5, 'm')]);
    store.commit('g1', [entry('t', 0, 2)]);
    store.commit('g2', [entry('u', 3, 30)]);
    store.close();

    const reopened = open();
    expect(reopened.groups().sort()).toEqual(['g1', 'g2']);
    expect([...reopened.get('g1').get('t')!]).toEqual([
      [0, { offset: 2, metadata: null }],
      [1, { offset: 5, metadata: 'm' }],
    ]);
    expect(reopened.get('g2').get('u')?.get(3)).toEqual({ offset: 30, metadata: null });
    expect(reopened.get('nobody').size).toBe(0);
  });

  it('writes the commit to the file before commit() returns', () => {
    const store = open();
    store.commit('g', [entry('t', 0, 41)]);
    // A second reader sees it without close(): nothing is buffered in the process.
    expect(logLines().map((l) => JSON.parse(l))).toEqual([
      { op: 'commit', group: 'g', offsets: [entry('t', 0, 41)] },
    ]);
  });

  it('ignores and cuts off a torn last line, so later commits stay readable', () => {
    const store = open();
    store.commit('g', [entry('t', 0, 1)]);
    store.close();
    fs.appendFileSync(logFile(), '{"op":"commit","group":"g","offsets":[{"topic":"t","parti');

    const recovered = open();
    expect(recovered.recovery).toEqual({ records: 1, skippedLines: 0, tornBytes: 57 });
    expect(recovered.get('g').get('t')?.get(0)?.offset).toBe(1);
    recovered.commit('g', [entry('t', 1, 2)]);
    recovered.close();

    const again = open();
    expect(again.recovery.skippedLines).toBe(0);
    expect(again.get('g').get('t')?.get(1)?.offset).toBe(2);
  });

  it('skips an unreadable line in the middle of the log', () => {
    fs.writeFileSync(
      logFile(),
      [
        JSON.stringify({ op: 'commit', group: 'g', offsets: [entry('t', 0, 1)] }),
        'garbage',
        JSON.stringify({
          op: 'commit',
          group: 'g',
          offsets: [{ topic: 't', partition: 'x', offset: 1 }],
        }),
        JSON.stringify({ op: 'commit', group: 'g', offsets: [entry('t', 1, 2)] }),
        '',
      ].join('\n'),
    );
    const store = open();
    expect(store.recovery).toEqual({ records: 2, skippedLines: 2, tornBytes: 0 });
    expect(store.get('g').get('t')?.size).toBe(2);
  });

  it('forgets deleted groups and topics durably', () => {
    const store = open();
    store.commit('g1', [entry('a', 0, 1), entry('b', 0, 2)]);
    store.commit('g2', [entry('a', 0, 3)]);
    store.deleteTopic('a');
    store.deleteGroup('g1');
    const linesBefore = logLines().length;
    store.deleteGroup('unknown');
    store.deleteTopic('unknown');
    expect(logLines()).toHaveLength(linesBefore);
    store.close();

    const reopened = open();
    expect(reopened.groups()).toEqual([]);
    expect(reopened.get('g2').size).toBe(0);
  });

  it('rewrites a mostly obsolete log on open, keeping only live entries', () => {
    const store = open();
    for (let i = 0; i < 50; i += 1) store.commit('g', [entry('t', 0, i), entry('t', 1, i * 10)]);
    store.commit('dropped', [entry('t', 0, 1)]);
    store.deleteGroup('dropped');
    store.close();
    expect(logLines()).toHaveLength(52);

    const compacted = open({ fsync: true, compactionMinRecords: 10 });
    expect(logLines().map((l) => JSON.parse(l))).toEqual([
      { op: 'commit', group: 'g', offsets: [entry('t', 0, 49), entry('t', 1, 490)] },
    ]);
    expect(fs.existsSync(`${logFile()}.tmp`)).toBe(false);
    // The store keeps appending to the new file.
    compacted.commit('g', [entry('t', 0, 50)]);
    compacted.close();
    expect(open().get('g').get('t')?.get(0)?.offset).toBe(50);
  });

  it('leaves a small log alone and compacts a growing one while running', () => {
    const small = open({ fsync: false, compactionMinRecords: 1000 });
    for (let i = 0; i < 20; i += 1) small.commit('g', [entry('t', 0, i)]);
    small.close();
    expect(logLines()).toHaveLength(20);

    const store = open({ fsync: false, compactionMinRecords: 30 });
    for (let i = 20; i < 40; i += 1) store.commit('g', [entry('t', 0, i)]);
    expect(logLines().length).toBeLessThan(20);
    expect(store.get('g').get('t')?.get(0)?.offset).toBe(39);
  });

  it('removes a temp file left by a crashed compaction and refuses use after close', () => {
    fs.writeFileSync(`${logFile()}.tmp`, 'half a compaction');
    const store = open();
    expect(fs.existsSync(`${logFile()}.tmp`)).toBe(false);
    store.close();
    expect(() => store.commit('g', [entry('t', 0, 1)])).toThrow('OffsetStore is closed');
  });
});
