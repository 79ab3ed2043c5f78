import { UpcastError } from './event-store.errors';

/** Turns `data` of schema version `fromSchemaVersion` into version `fromSchemaVersion + 1`. */
export type Upcast = (data: unknown, metadata: Readonly<Record<string, unknown>>) => unknown;

/**
 * Upcasters per event type, applied on read (`readStream`, `readAll`) so that code only ever
 * sees the newest schema. Register one step per version; steps chain (v1 → v2 → v3).
 *
 * ```ts
 * const upcasters = new Upcasters()
 *   .register('OrderPlaced', 1, (d) => ({ ...(d as V1), channel: 'web' }))
 *   .register('OrderPlaced', 2, (d) => ({ ...(d as V2), currency: 'EUR' }));
 * upcasters.currentVersion('OrderPlaced'); // 3 — what new appends are stamped with
 * ```
 */
export class Upcasters {
  private readonly steps = new Map<string, Map<number, Upcast>>();

  /** Adds the step `fromSchemaVersion → fromSchemaVersion + 1` for `eventType`. */
  register(eventType: string, fromSchemaVersion: number, upcast: Upcast): this {
    if (!Number.isInteger(fromSchemaVersion) || fromSchemaVersion < 1) {
      throw new UpcastError(`${eventType}: schema versions start at 1, got ${fromSchemaVersion}`);
    }
    const byVersion = this.steps.get(eventType) ?? new Map<number, Upcast>();
    if (byVersion.has(fromSchemaVersion)) {
      throw new UpcastError(
        `${eventType}: an upcaster from v${fromSchemaVersion} is already registered`,
      );
    }
    byVersion.set(fromSchemaVersion, upcast);
    this.steps.set(eventType, byVersion);
    return this;
  }

  /** The newest schema version of `eventType`: 1 + the unbroken chain of steps from v1. */
  currentVersion(eventType: string): number {
    const byVersion = this.steps.get(eventType);
    let version = 1;
    while (byVersion?.has(version)) version += 1;
    return version;
  }

  /** Applies the chain from `schemaVersion` up; unknown types and current versions pass through. */
  upcast(
    eventType: string,
    schemaVersion: number,
    data: unknown,
    metadata: Readonly<Record<string, unknown>>,
  ): { data: unknown; schemaVersion: number } {
    const byVersion = this.steps.get(eventType);
    let version = schemaVersion;
    let current = data;
    for (let step = byVersion?.get(version); step; step = byVersion?.get(version)) {
      try {
        current = step(current, metadata);
      } catch (error) {
        throw new UpcastError(`${eventType}: upcasting from v${version} failed`, { cause: error });
      }
      version += 1;
    }
    return { data: current, schemaVersion: version };
  }
}
