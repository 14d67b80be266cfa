import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes files into a fresh temporary directory; returns a path builder. */
export function scratch(files: Record<string, string | Buffer>): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'tamis-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return (name) => join(dir, name);
}

export const personal = [
  'Return-Path: <alice@example.org>',
  'Delivered-To: bob@example.com',
  'From: Alice <alice@example.org>',
  'To: Bob <bob@example.com>',
  'Subject: Lunch',
  'X-Spam-Score: 12',
  '',
  'Hi Bob',
  '',
].join('\r\n');

export const listMail = [
  'From: carol@lists.example.net',
  'To: dev@lists.example.net',
  'List-Id: Developers <dev.lists.example.net>',
  'Subject: [dev] release',
  '',
  'body',
  '',
].join('\r\n');
