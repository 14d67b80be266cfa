/** Login and its surroundings: AUTHENTICATE (with throttling), STARTTLS and UNAUTHENTICATE. */
import { TLSSocket } from 'node:tls';
import { HashPoolBusyError } from '../../accounts/hash-pool.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCommand } from '../protocol/command.js';
import { ConnectionClosed, IdleTimeout } from '../protocol/reader.js';
import { encodeString } from '../protocol/strings.js';
import { encodeResponse, type ResponseCodeName } from '../protocol/wire.js';
import type { OAuthTokenVerifier, SaslServerExchange, UserDirectory } from '../sasl/types.js';
import { decodeBase64, no, ok } from './responses.js';
import { stringArg, type CommandHandler, type CommandSession } from './commands/types.js';

const STAR = Buffer.from('*');

/** Mechanisms offered on this connection: plaintext ones only where plaintext is allowed. */
export function usableMechanisms(s: CommandSession): string[] {
  const c = s.ctx;
  return c.mechanismInfo
    .filter((m) => !c.allowedMechanisms || c.allowedMechanisms.has(m.name))
    .filter((m) => !m.plaintext || s.plaintextAllowed())
    .map((m) => m.name);
}

export const startTls: CommandHandler = async (s) => {
  const c = s.ctx;
  if (!c.secureContext) {
    s.reply(no('TLS is not configured.'));
    return true;
  }
  if (s.tls) {
    s.reply(no('TLS is already active.'));
    return true;
  }
  // Anything the client pipelined after STARTTLS is plaintext and must not be taken as a command.
  s.reader.detach();
  s.reply(ok('Begin TLS negotiation now.'));
  const tlsSocket = new TLSSocket(s.socket, { isServer: true, secureContext: c.secureContext });
  s.socket = tlsSocket;
  s.reader.attach(tlsSocket);
  await awaitHandshake(tlsSocket, c.limits.tlsHandshakeTimeoutMs);
  s.tls = true;
  await s.sendCapabilities();
  s.reply(ok('TLS negotiation successful.'));
  return true;
};

export const unauthenticate: CommandHandler = (s) => {
  s.loggedOut();
  s.reply(ok('Unauthenticate completed.'));
  return true;
};

/** What one AUTHENTICATE learnt about its user, for the throttle. */
interface Attempt {
  user: string | null;
  locked: boolean;
  /** The user whose check holds a throttle slot (one per AUTHENTICATE), until settled. */
  reserved: string | null;
}

function settle(s: CommandSession, attempt: Attempt, outcome: 'success' | 'failure' | 'abandoned'): void {
  if (attempt.reserved === null) return;
  s.ctx.throttle.settle(s.address, attempt.reserved, outcome);
  attempt.reserved = null;
}

export const authenticate: CommandHandler = async (s, args) => {
  const c = s.ctx;
  const mechName = stringArg(args, 0).toString('latin1').toUpperCase();
  const initial = args.length > 1 ? stringArg(args, 1) : null;
  if (c.throttle.isLocked(s.address, null)) {
    return authFailed(s, 'Too many failed logins; try again later.', 'TRYLATER', null, null);
  }
  // A directory wrapper per attempt learns which user the mechanism tried, for throttling.
  const attempt: Attempt = { user: null, locked: false, reserved: null };
  const base = c.directory;
  /** False when the user (or the address) is locked out; else a throttle slot is held for the check. */
  const take = async (user: string): Promise<boolean> => {
    attempt.user = user;
    if (attempt.reserved === null) {
      attempt.locked = !(await c.throttle.acquire(s.address, user));
      if (!attempt.locked) attempt.reserved = user;
    } else if (attempt.reserved !== user) {
      attempt.locked = c.throttle.isLocked(s.address, user);
    }
    return !attempt.locked;
  };
  const dir: UserDirectory = {
    supportsScram: base.supportsScram,
    exists: (u) => base.exists(u),
    verifyPassword: async (u, p) => ((await take(u)) ? base.verifyPassword(u, p) : false),
    scramSha256: async (u) => ((await take(u)) ? base.scramSha256(u) : null),
  };
  const oauth: OAuthTokenVerifier | undefined = c.oauth
    ? async (token, claimed) => {
        if (claimed !== null && !(await take(claimed))) return null;
        const who = await c.oauth!(token, claimed);
        if (who !== null && !(await take(who))) return null;
        return who;
      }
    : undefined;
  const mech = c.mechanisms(dir, oauth).find((m) => m.name === mechName);
  if (!mech) {
    s.reply(no('Unsupported authentication mechanism.'));
    return true;
  }
  if (c.allowedMechanisms && !c.allowedMechanisms.has(mech.name)) {
    s.reply(no('This authentication mechanism is not allowed by policy.', 'AUTH-TOO-WEAK'));
    return true;
  }
  if (mech.plaintext && !s.plaintextAllowed()) {
    s.reply(no('Plaintext authentication disallowed on non-secure connections.', 'ENCRYPT-NEEDED'));
    return true;
  }
  let response: Buffer | null = null;
  if (initial !== null) {
    response = decodeBase64(initial);
    if (response === null) {
      s.reply(no('Invalid base64 data in initial response.'));
      return true;
    }
  }
  const exchange = mech.start({ secure: s.tls, remoteAddress: s.address });
  try {
    return await runExchange(s, mech.name, exchange, response, attempt);
  } catch (e) {
    if (!(e instanceof HashPoolBusyError)) throw e;
    // Overloaded: a clean answer the client may retry, and no failure counted against the user.
    c.logger?.warn(`managesieve: login from ${s.address} refused: ${e.message}`);
    s.reply(no('Server busy; try again later.', 'TRYLATER'));
    return true;
  } finally {
    // Aborted or broken off before a verdict: the slot is given back without counting a failure.
    settle(s, attempt, 'abandoned');
  }
};

async function runExchange(
  s: CommandSession,
  mechName: string,
  exchange: SaslServerExchange,
  first: Buffer | null,
  attempt: Attempt,
): Promise<boolean> {
  const c = s.ctx;
  let response = first;
  for (;;) {
    const step = await exchange.step(response);
    if (step.type === 'success') {
      const reserved = attempt.reserved;
      settle(s, attempt, 'success');
      if (reserved !== step.user) c.throttle.recordSuccess(step.user);
      const referral = typeof c.referral === 'function' ? await c.referral(step.user) : c.referral;
      if (referral) {
        s.write(
          encodeResponse({
            kind: 'BYE',
            code: { name: 'REFERRAL', arg: referral },
            text: 'Try another server.',
          }),
        );
        return false;
      }
      s.loggedIn(step.user);
      c.logger?.info(`managesieve: login ${step.user} from ${s.address} (${mechName})`);
      const code =
        step.data && step.data.length > 0
          ? { name: 'SASL' as const, arg: step.data.toString('base64') }
          : undefined;
      s.write(encodeResponse({ kind: 'OK', code, text: 'Logged in.' }));
      return true;
    }
    if (step.type === 'failure') {
      if (attempt.locked)
        return authFailed(s, 'Too many failed logins; try again later.', 'TRYLATER', attempt.user, attempt);
      const code = step.reason === 'unavailable' ? 'TRANSITION-NEEDED' : undefined;
      return authFailed(s, step.message || 'Authentication failed.', code, attempt.user, attempt);
    }
    s.write(Buffer.concat([encodeString(step.data.toString('base64')), Buffer.from('\r\n')]));
    const res = await readCommand(
      s.reader,
      { maxLineLength: c.limits.maxLineLength, maxSkipSize: 0 },
      async (_t, literal) =>
        literal.size > c.limits.maxPreAuthLiteralSize
          ? { action: 'close', reply: { kind: 'BYE', text: 'Literal too large.' } }
          : { action: 'read' },
    );
    if (res.type === 'fatal') {
      s.write(encodeResponse(res.reply));
      return false;
    }
    const t = res.type === 'command' ? res.tokens : [];
    if (t.length !== 1 || t[0]!.kind !== 'string') {
      s.reply(no('Invalid AUTHENTICATE client response.'));
      return true;
    }
    if (t[0].value.equals(STAR)) {
      s.reply(no('Authentication aborted by client.'));
      return true;
    }
    response = decodeBase64(t[0].value);
    if (response === null) {
      s.reply(no('Invalid base64 data in AUTHENTICATE client response.'));
      return true;
    }
  }
}

async function authFailed(
  s: CommandSession,
  text: string,
  code: ResponseCodeName | undefined,
  user: string | null,
  /** The attempt, whose throttle slot (if it holds one) becomes the failure. */
  attempt: Attempt | null,
): Promise<boolean> {
  const c = s.ctx;
  // The delay grows with the failures already seen for this address and user.
  const delay = c.throttle.delayMs(s.address, user);
  if (attempt?.reserved != null) settle(s, attempt, 'failure');
  else c.throttle.recordFailure(s.address, user);
  s.authFailures++;
  c.logger?.warn(`managesieve: failed login${user ? ` for ${JSON.stringify(user)}` : ''} from ${s.address}`);
  if (delay > 0) await sleep(delay);
  if (s.authFailures >= c.limits.maxAuthFailuresPerConnection) {
    s.write(
      encodeResponse({
        kind: 'BYE',
        code: code ? { name: code } : undefined,
        text: 'Too many authentication failures.',
      }),
    );
    return false;
  }
  s.reply(no(text, code));
  return true;
}

async function awaitHandshake(socket: TLSSocket, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new IdleTimeout('TLS handshake timeout')), timeoutMs);
    timer.unref();
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('secure', onSecure);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    const onSecure = (): void => {
      cleanup();
      resolve();
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err instanceof IdleTimeout ? err : new ConnectionClosed(`TLS handshake failed: ${err.message}`));
    };
    const onClose = (): void => fail(new ConnectionClosed('closed during TLS handshake'));
    socket.on('secure', onSecure);
    socket.on('error', fail);
    socket.on('close', onClose);
  });
}
