import { Reader } from './reader';
import { Writer } from './writer';

/**
 * A small declarative schema language for Kafka messages, in the spirit of the
 * protocol's own JSON message definitions: a message is a struct of fields,
 * each present in a range of versions. One generic codec reads and writes every
 * API at every version, including flexible versions (compact encodings and
 * tagged fields), so adding an API means declaring it, not hand-writing bytes.
 */
type Primitive =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'boolean'
  | 'string'
  | 'nullableString'
  | 'bytes'
  | 'nullableBytes';

type Shape =
  | { kind: 'primitive'; primitive: Primitive }
  | { kind: 'array'; element: Field<unknown>; nullable: boolean }
  | { kind: 'struct'; fields: StructFields; entries: [string, Field<unknown>][] };

type StructFields = Readonly<Record<string, Field<unknown>>>;

/** One field of a message: its shape, the versions it exists in, and its value when absent. */
export class Field<T> {
  declare readonly valueType: T;
  constructor(
    readonly shape: Shape,
    readonly fallback: T,
    readonly minVersion = 0,
    readonly maxVersion = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Present from this version on. */
  since(version: number): Field<T> {
    return new Field(this.shape, this.fallback, version, this.maxVersion);
  }
  /** Present up to and including this version. */
  until(version: number): Field<T> {
    return new Field(this.shape, this.fallback, this.minVersion, version);
  }
  /** Value a decoded request gets in versions that lack the field. */
  otherwise(fallback: T): Field<T> {
    return new Field(this.shape, fallback, this.minVersion, this.maxVersion);
  }
  presentIn(version: number): boolean {
    return version >= this.minVersion && version <= this.maxVersion;
  }
}

export type Infer<F> = F extends Field<infer T> ? T : never;
export type InferStruct<S extends StructFields> = { -readonly [K in keyof S]: Infer<S[K]> };

const primitive = <T>(name: Primitive, fallback: T) =>
  new Field<T>({ kind: 'primitive', primitive: name }, fallback);

/** Field constructors, named as in the Kafka protocol guide. */
export const f = {
  int8: primitive<number>('int8', 0),
  int16: primitive<number>('int16', 0),
  int32: primitive<number>('int32', 0),
  int64: primitive<number>('int64', 0),
  boolean: primitive<boolean>('boolean', false),
  string: primitive<string>('string', ''),
  nullableString: primitive<string | null>('nullableString', null),
  bytes: primitive<Buffer>('bytes', Buffer.alloc(0)),
  nullableBytes: primitive<Buffer | null>('nullableBytes', null),
  struct<S extends StructFields>(fields: S): Field<InferStruct<S>> {
    return new Field(
      { kind: 'struct', fields, entries: Object.entries(fields) },
      {} as InferStruct<S>,
    );
  },
  array<T>(element: Field<T>): Field<T[]> {
    return new Field<T[]>({ kind: 'array', element, nullable: false }, []);
  },
  /** An array that may be null (sent as length -1), e.g. "all topics". */
  nullableArray<T>(element: Field<T>): Field<T[] | null> {
    return new Field<T[] | null>({ kind: 'array', element, nullable: true }, null);
  },
};

/** Reads a value of `field` at `version`; `flexible` selects compact encodings. */
export function decode<T>(field: Field<T>, reader: Reader, version: number, flexible: boolean): T {
  return read(field.shape, reader, version, flexible) as T;
}

/** Writes `value` as `field` at `version`. */
export function encode<T>(
  field: Field<T>,
  writer: Writer,
  value: T,
  version: number,
  flexible: boolean,
): void {
  write(field.shape, writer, value, version, flexible);
}

function read(shape: Shape, reader: Reader, version: number, flexible: boolean): unknown {
  switch (shape.kind) {
    case 'primitive':
      return readPrimitive(shape.primitive, reader, flexible);
    case 'array': {
      const length = reader.arrayLength(flexible);
      if (length < 0) return shape.nullable ? null : [];
      const items = new Array<unknown>(length);
      for (let i = 0; i < length; i++)
        items[i] = read(shape.element.shape, reader, version, flexible);
      return items;
    }
    case 'struct': {
      const value: Record<string, unknown> = {};
      for (const [name, field] of shape.entries) {
        value[name] = field.presentIn(version)
          ? read(field.shape, reader, version, flexible)
          : field.fallback;
      }
      if (flexible) reader.skipTaggedFields();
      return value;
    }
    default:
      return assertNever(shape);
  }
}

function readPrimitive(primitive: Primitive, reader: Reader, flexible: boolean): unknown {
  switch (primitive) {
    case 'int8':
      return reader.int8();
    case 'int16':
      return reader.int16();
    case 'int32':
      return reader.int32();
    case 'int64':
      return reader.int64();
    case 'boolean':
      return reader.boolean();
    case 'string':
    case 'nullableString': {
      const text = flexible ? reader.compactNullableString() : reader.nullableString();
      return text === null && primitive === 'string' ? '' : text;
    }
    case 'bytes':
    case 'nullableBytes': {
      const bytes = flexible ? reader.compactNullableBytes() : reader.nullableBytes();
      return bytes === null && primitive === 'bytes' ? Buffer.alloc(0) : bytes;
    }
    default:
      return assertNever(primitive);
  }
}

function write(
  shape: Shape,
  writer: Writer,
  value: unknown,
  version: number,
  flexible: boolean,
): void {
  switch (shape.kind) {
    case 'primitive':
      return writePrimitive(shape.primitive, writer, value, flexible);
    case 'array': {
      const items = value as unknown[] | null;
      writer.arrayLength(items === null ? null : items.length, flexible);
      if (items !== null)
        for (const item of items) write(shape.element.shape, writer, item, version, flexible);
      return;
    }
    case 'struct': {
      const struct = value as Record<string, unknown>;
      for (const [name, field] of shape.entries) {
        if (field.presentIn(version))
          write(field.shape, writer, struct[name] ?? field.fallback, version, flexible);
      }
      if (flexible) writer.emptyTaggedFields();
      return;
    }
    default:
      return assertNever(shape);
  }
}

function writePrimitive(
  primitive: Primitive,
  writer: Writer,
  value: unknown,
  flexible: boolean,
): void {
  switch (primitive) {
    case 'int8':
      writer.int8(value as number);
      return;
    case 'int16':
      writer.int16(value as number);
      return;
    case 'int32':
      writer.int32(value as number);
      return;
    case 'int64':
      writer.int64(value as number);
      return;
    case 'boolean':
      writer.boolean(value as boolean);
      return;
    case 'string':
    case 'nullableString':
      writer.nullableString(value as string | null, flexible);
      return;
    case 'bytes':
    case 'nullableBytes':
      writer.nullableBytes(value as Buffer | null, flexible);
      return;
    default:
      assertNever(primitive);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled schema case ${JSON.stringify(value)}`);
}
