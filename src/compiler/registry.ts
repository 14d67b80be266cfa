import type {
  ActionCommandDef,
  AddressPartDef,
  Attachment,
  ComparatorDef,
  Extension,
  MatchTypeDef,
  TagDef,
  TestDef,
} from '../extensions/types.js';

interface Owned<T> {
  def: T;
  /** Capability that must be required to use it; null for the base language. */
  capability: string | null;
}

/** Everything the compiler can resolve by name, and which capability each name needs. */
export class Registry {
  readonly extensions = new Map<string, Extension>();
  readonly commands = new Map<string, Owned<ActionCommandDef>>();
  readonly tests = new Map<string, Owned<TestDef>>();
  readonly comparators = new Map<string, Owned<ComparatorDef>>();
  readonly matchTypes = new Map<string, Owned<MatchTypeDef>>();
  readonly addressParts = new Map<string, Owned<AddressPartDef>>();
  /** Extra tags per command name. */
  readonly extraTags = new Map<string, Array<Owned<TagDef>>>();
  /** Attachments per command or test name, in registration order. */
  readonly attachments = new Map<string, Attachment[]>();

  /** `base` holds the language without require; `extensions` each need `require`. */
  constructor(base: Extension, extensions: Extension[]) {
    this.add(base, null);
    for (const ext of extensions) {
      this.extensions.set(ext.name, ext);
      this.add(ext, ext.name);
    }
  }

  private add(ext: Extension, capability: string | null): void {
    for (const def of ext.commands ?? []) this.commands.set(def.name, { def, capability });
    for (const def of ext.tests ?? []) this.tests.set(def.name, { def, capability });
    for (const def of ext.comparators ?? []) this.comparators.set(def.name, { def, capability });
    for (const def of ext.matchTypes ?? []) this.matchTypes.set(def.name, { def, capability });
    for (const def of ext.addressParts ?? []) this.addressParts.set(def.name, { def, capability });
    for (const { command, tag } of ext.tagsFor ?? []) this.addTag(command, tag, capability);
    for (const att of ext.attachments ?? []) {
      for (const name of att.to) {
        for (const tag of att.tags) this.addTag(name, tag, capability);
        const list = this.attachments.get(name) ?? [];
        list.push(att);
        this.attachments.set(name, list);
      }
    }
  }

  private addTag(command: string, tag: TagDef, capability: string | null): void {
    const list = this.extraTags.get(command) ?? [];
    list.push({ def: tag, capability });
    this.extraTags.set(command, list);
  }

  /** Capabilities a normal script may require (test-only ones left out), sorted. */
  capabilities(): string[] {
    return [...this.extensions.values()]
      .filter((e) => !e.testOnly && !e.implicit)
      .map((e) => e.name)
      .sort();
  }
}
