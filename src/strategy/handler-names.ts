/**
 * Which `on<MessageName>` handler answers which MDP3 templateId, read once from the generated
 * codecs: a message added to schemas/mdp3.xml gets its handler with no change here.
 */
import * as mdp3 from '../generated/mdp3/index.js';

/** Handlers that are not per message. */
export const LIFECYCLE_HANDLERS = [
  'onStart',
  'onStop',
  'onBook',
  'onGap',
  'onExecutionReport',
  'onReject',
  'onTimer',
] as const;

const DECODER_SUFFIX = 'Decoder';

function messageHandlerTemplates(): ReadonlyMap<string, number> {
  const templates = new Map<string, number>();
  for (const [exportName, value] of Object.entries(mdp3)) {
    if (!exportName.endsWith(DECODER_SUFFIX) || typeof value !== 'function') continue;
    const templateId = (value as { TEMPLATE_ID?: unknown }).TEMPLATE_ID;
    if (typeof templateId !== 'number') continue; // composites and groups have no template
    templates.set(`on${exportName.slice(0, -DECODER_SUFFIX.length)}`, templateId);
  }
  return templates;
}

/** `onMDIncrementalRefreshBook46` -> 46, for every message of the schema. */
export const MESSAGE_HANDLER_TEMPLATES: ReadonlyMap<string, number> = messageHandlerTemplates();

export function isKnownHandlerName(name: string): boolean {
  return MESSAGE_HANDLER_TEMPLATES.has(name) || (LIFECYCLE_HANDLERS as readonly string[]).includes(name);
}
