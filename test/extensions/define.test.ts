import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { defineCommand, defineTest, stateKey, type Extension } from '../../src/extension.js';

/** Per-run counter of the test extension below, typed by its key. */
const COUNT = stateKey<{ n: number }>('vnd.test.count.counter');

// compile returns { step, label }; run and test receive that type, checked by tsc (npm run typecheck).
const count = defineCommand({
  name: 'count',
  positional: ['number', 'string'],
  compile: (args, cx) => {
    const n = args.positional[0]!;
    return { step: n.type === 'number' ? n.value : 0, label: cx.string(args.positional[1]!) };
  },
  run(d, rt) {
    const counter = rt.state.obtain(COUNT, () => ({ n: 0 }));
    counter.n += d.step;
    // @ts-expect-error: the data has no field of that name
    void d.missing;
    rt.result.add(
      { type: 'other', name: 'count', fields: { n: counter.n, label: rt.expand(d.label) } },
      false,
    );
  },
});

const counted = defineTest({
  name: 'counted',
  positional: ['number'],
  compile: (args) => (args.positional[0]!.type === 'number' ? args.positional[0]!.value : 0),
  test: (atLeast, rt) => (rt.state.get(COUNT)?.n ?? 0) >= atLeast,
});

const ext: Extension = { name: 'vnd.test.count', commands: [count], tests: [counted] };

describe('defineCommand and defineTest', () => {
  it('hand the value compile returned to run and test, with typed run state', () => {
    const engine = new SieveEngine({ extensions: [ext] });
    const c = engine.compile(
      'require ["vnd.test.count", "variables"]; set "x" "b"; count 2 "a"; count 3 "${x}"; if counted 5 { discard; } if counted 6 { stop; }',
    );
    expect(c.errors).toEqual([]);
    const r = engine.run(c.program!, Buffer.from('Subject: s\r\n\r\n'), { from: '', to: 'u@x' });
    expect(r.actions).toEqual([
      { type: 'other', name: 'count', fields: { n: 2, label: 'a' } },
      { type: 'other', name: 'count', fields: { n: 5, label: 'b' } },
      { type: 'discard' },
    ]);
  });
});
