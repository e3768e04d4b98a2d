/**
 * The decoders the MDP 3.0 handler dispatches to: those generated from the project's
 * schemas/mdp3.xml (built in), or from a schema the user names (the real CME
 * templates_FixBinary.xml), generated at start into a cache directory and imported.
 *
 * Either way the result is a TemplateTable: built once, an array indexed by templateId holding
 * one preallocated decoder per template plus the few facts the handler checks per message
 * (block length, where the MatchEventIndicator sits). Nothing here runs per message.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as projectCodecs from '../generated/mdp3/index.js';
import { generateTypeScript } from '../sbe/generator.js';
import { loadSchemaOrThrow } from '../sbe/parser.js';

/** What every generated message decoder offers the handler. */
export interface MessageDecoder {
  wrap(view: DataView, offset: number, actingBlockLength: number, actingVersion: number, bufferEnd?: number): this;
  /** Moves past every group and var data, checking each against the message's end. */
  sbeSkip(): this;
  /** Bytes from the block's start to the position after what was read. */
  encodedLength(): number;
}

interface MessageDecoderClass {
  new (): MessageDecoder;
  readonly name: string;
  readonly TEMPLATE_ID: number;
  readonly BLOCK_LENGTH: number;
  readonly matchEventIndicatorEncodingOffset?: number;
}

/** A generated codec module: `SCHEMA_ID`, `SCHEMA_VERSION` and the `...Decoder` classes. */
export type CodecModule = Record<string, unknown>;

/** No MatchEventIndicator in this template's block. */
export const NO_MATCH_EVENT_INDICATOR = -1;

export class TemplateTable {
  readonly schemaId: number;
  readonly schemaVersion: number;
  /** Where the decoders came from, for status and logs. */
  readonly origin: string;
  /** Indexed by templateId; undefined for a template the schema does not have. */
  readonly decoders: Array<MessageDecoder | undefined>;
  /** Message names by templateId (`MDIncrementalRefreshBook46`). */
  readonly names: Array<string | undefined>;
  /** The schema's block length by templateId. */
  readonly blockLengths: Int32Array;
  /** Offset of the MatchEventIndicator in the block by templateId, or NO_MATCH_EVENT_INDICATOR. */
  readonly matchEventIndicatorOffsets: Int32Array;
  /** Template ids of the book messages, where their layout is the one the book builder reads. */
  readonly bookTemplates: ReadonlySet<number>;

  constructor(module: CodecModule, origin: string) {
    this.schemaId = requireNumber(module, 'SCHEMA_ID', origin);
    this.schemaVersion = requireNumber(module, 'SCHEMA_VERSION', origin);
    this.origin = origin;
    const classes = messageDecoderClasses(module);
    if (classes.length === 0) throw new Error(`${origin}: no message decoders in the generated module`);
    const limit = Math.max(...classes.map((decoderClass) => decoderClass.TEMPLATE_ID)) + 1;
    this.decoders = new Array<MessageDecoder | undefined>(limit).fill(undefined);
    this.names = new Array<string | undefined>(limit).fill(undefined);
    this.blockLengths = new Int32Array(limit);
    this.matchEventIndicatorOffsets = new Int32Array(limit).fill(NO_MATCH_EVENT_INDICATOR);
    for (const decoderClass of classes) {
      const templateId = decoderClass.TEMPLATE_ID;
      this.decoders[templateId] = new decoderClass();
      this.names[templateId] = decoderClass.name.replace(/Decoder$/, '');
      this.blockLengths[templateId] = decoderClass.BLOCK_LENGTH;
      this.matchEventIndicatorOffsets[templateId] = decoderClass.matchEventIndicatorEncodingOffset ?? NO_MATCH_EVENT_INDICATOR;
    }
    this.bookTemplates = new Set(BOOK_TEMPLATES.filter((templateId) => sameLayout(module, templateId)));
  }

  /** Names of the book templates this schema has but lays out unlike the project's schema (start-up warnings). */
  bookTemplatesLaidOutOtherwise(): string[] {
    return BOOK_TEMPLATES.filter((templateId) => this.decoders[templateId] !== undefined && !this.bookTemplates.has(templateId)).map(
      (templateId) => this.names[templateId]!,
    );
  }

  /** One past the highest template id: the length of every per-template array. */
  get templateIdLimit(): number {
    return this.decoders.length;
  }
}

/** The project's own schema (schemas/mdp3.xml), generated at build time. */
export function projectTemplateTable(): TemplateTable {
  return new TemplateTable(projectCodecs, 'schemas/mdp3.xml');
}

/**
 * Decoders for the schema at `schemaPath`: generated into `cacheDir` (reused when the schema
 * has not changed) and imported. Throws SchemaError with every diagnostic for a bad schema.
 */
export async function loadTemplateTable(schemaPath: string, cacheDir: string = defaultCacheDir()): Promise<TemplateTable> {
  const schema = loadSchemaOrThrow(schemaPath);
  const files = generateTypeScript(schema, { runtimeImport: runtimeModuleUrl() });
  const digest = createHash('sha256');
  for (const [name, source] of files) digest.update(name).update('\0').update(source).update('\0');
  const moduleDir = path.join(cacheDir, `${schema.package.replace(/[^A-Za-z0-9_-]+/g, '-')}-${digest.digest('hex').slice(0, 16)}`);
  const indexPath = path.join(moduleDir, 'index.ts');
  if (!existsSync(indexPath)) writeModule(moduleDir, files);
  const module = (await import(pathToFileURL(indexPath).href)) as CodecModule;
  return new TemplateTable(module, schemaPath);
}

export function defaultCacheDir(): string {
  return path.join(tmpdir(), 'zerotick-codecs');
}

/**
 * The book builder reads these templates with the project's decoders; the configured schema
 * may lay them out otherwise (another version of the CME schema), and then no book is built
 * from them rather than a wrong one.
 */
const BOOK_TEMPLATES = [
  projectCodecs.ChannelReset4Decoder.TEMPLATE_ID,
  projectCodecs.MDIncrementalRefreshBook46Decoder.TEMPLATE_ID,
  projectCodecs.MDIncrementalRefreshTradeSummary48Decoder.TEMPLATE_ID,
  projectCodecs.SnapshotFullRefresh52Decoder.TEMPLATE_ID,
];

/** The generated classes of a template: its decoder and its groups' decoders, by name. */
function templateClasses(module: CodecModule, templateId: number): Map<string, Record<string, unknown>> {
  const message = messageDecoderClasses(module).find((decoderClass) => decoderClass.TEMPLATE_ID === templateId);
  const classes = new Map<string, Record<string, unknown>>();
  if (message === undefined) return classes;
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function' && name.startsWith(message.name.replace(/Decoder$/, '')) && name.endsWith('Decoder')) {
      classes.set(name, value as unknown as Record<string, unknown>);
    }
  }
  return classes;
}

/**
 * Same wire layout as the project's schema for every field the project's decoders read: the
 * same classes with the same block lengths and field offsets and lengths (the generated
 * `...EncodingOffset`/`...EncodingLength`/`BLOCK_LENGTH` statics).
 */
function sameLayout(module: CodecModule, templateId: number): boolean {
  const expected = templateClasses(projectCodecs, templateId);
  const actual = templateClasses(module, templateId);
  if (expected.size === 0) return false;
  for (const [name, expectedClass] of expected) {
    const actualClass = actual.get(name);
    if (actualClass === undefined) return false;
    for (const key of Object.getOwnPropertyNames(expectedClass)) {
      if (!/(EncodingOffset|EncodingLength|^BLOCK_LENGTH|^HEADER_SIZE)$/.test(key)) continue;
      if (actualClass[key] !== expectedClass[key]) return false;
    }
  }
  return true;
}

function messageDecoderClasses(module: CodecModule): MessageDecoderClass[] {
  const classes: MessageDecoderClass[] = [];
  for (const [name, value] of Object.entries(module)) {
    if (typeof value !== 'function' || !name.endsWith('Decoder')) continue;
    const candidate = value as unknown as Partial<MessageDecoderClass>;
    if (typeof candidate.TEMPLATE_ID === 'number' && typeof candidate.BLOCK_LENGTH === 'number') {
      classes.push(value as unknown as MessageDecoderClass);
    }
  }
  return classes;
}

function requireNumber(module: CodecModule, name: string, origin: string): number {
  const value = module[name];
  if (typeof value !== 'number') throw new Error(`${origin}: the generated module has no numeric ${name}`);
  return value;
}

/**
 * The runtime the generated code imports: this very package's, so that generated decoders and
 * the handler share its error classes. Run from source (tsx, vitest) that is the .ts file.
 */
function runtimeModuleUrl(): string {
  const extension = fileURLToPath(import.meta.url).endsWith('.ts') ? 'ts' : 'js';
  return new URL(`../sbe/runtime/index.${extension}`, import.meta.url).href;
}

/** Writes into a temporary directory first and renames it, so a concurrent start never imports half a module. */
function writeModule(moduleDir: string, files: Map<string, string>): void {
  mkdirSync(path.dirname(moduleDir), { recursive: true });
  const temporaryDir = `${moduleDir}.${process.pid}.tmp`;
  mkdirSync(temporaryDir, { recursive: true });
  for (const [name, source] of files) writeFileSync(path.join(temporaryDir, name), source);
  try {
    renameSync(temporaryDir, moduleDir);
  } catch (error) {
    // Another process won the race: its module is the same bytes.
    if (!existsSync(path.join(moduleDir, 'index.ts'))) throw error;
  }
}
