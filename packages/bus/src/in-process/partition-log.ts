/** One stored message; the value stays serialized so every consumer parses its own copy, as over Kafka. */
export interface StoredMessage {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An append-only partition with count-bounded retention. Offsets keep growing
 * after old messages are dropped, as in Kafka, so committed positions stay valid.
 */
export class PartitionLog {
  private base = 0;
  private readonly entries: StoredMessage[] = [];

  constructor(private readonly maxMessages: number) {}

  /** First retained offset. */
  get start(): number {
    return this.base;
  }

  /** Offset the next append gets. */
  get end(): number {
    return this.base + this.entries.length;
  }

  append(message: StoredMessage): number {
    this.entries.push(message);
    // Trim in chunks of ~10% so a full log does not pay an O(n) shift per append.
    const slack = Math.max(1, Math.floor(this.maxMessages / 10));
    if (this.entries.length > this.maxMessages + slack) {
      const drop = this.entries.length - this.maxMessages;
      this.entries.splice(0, drop);
      this.base += drop;
    }
    return this.end - 1;
  }

  read(offset: number): StoredMessage | undefined {
    return offset < this.base ? undefined : this.entries[offset - this.base];
  }
}

/** FNV-1a over UTF-16 code units: stable across processes, cheap, good enough spread for stream ids. */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
