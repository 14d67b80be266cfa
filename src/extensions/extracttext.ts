import type { Extension } from './types.js';
import {
  applyModifiers,
  declareVariable,
  assignVariable,
  modifiersFromTags,
  standardModifierTags,
  type SetModifier,
  type VariableTarget,
} from './variables.js';
import { currentPart } from './foreverypart.js';
import { isTextual, partPlainText } from '../message/mime-content.js';
import { defineCommand } from './define.js';

interface ExtractData {
  target: VariableTarget;
  first: number | null;
  modifiers: SetModifier[];
}

const extracttext = defineCommand<ExtractData | null>({
  name: 'extracttext',
  tags: [...standardModifierTags, { name: 'first', param: 'number' }],
  positional: ['string'],
  compile(args, cx) {
    if (!cx.ancestors.includes('foreverypart'))
      cx.error(cx.node.pos, 'extracttext used outside a foreverypart loop');
    if (!cx.has('variables')) cx.error(cx.node.pos, 'extracttext used without require "variables"');
    const nameArg = args.positional[0]!;
    const name = nameArg.type === 'string' ? nameArg.value : '';
    const target = declareVariable(cx, nameArg.pos, name, 'extracttext');
    const first = args.tags.get('first')?.value;
    return target
      ? {
          target,
          first: first?.type === 'number' ? first.value : null,
          modifiers: modifiersFromTags(args.tags.keys()),
        }
      : null;
  },
  run(d, rt) {
    if (!d) return;
    const part = currentPart(rt);
    // Only text has text to extract; other parts (and undecodable ones) give the empty string.
    let text = isTextual(part) ? (partPlainText(part, rt.config.maxBodySize) ?? '') : '';
    if (d.first !== null) text = [...text.slice(0, d.first * 2)].slice(0, d.first).join('');
    assignVariable(rt, d.target, applyModifiers(rt, text, d.modifiers));
  },
});

/** RFC 5703 §7: extracttext stores the text of the current MIME part in a variable. */
export const extracttextExtension: Extension = {
  name: 'extracttext',
  commands: [extracttext],
};
