/**
 * The shared nDPI corpus (captures + truth files). Its place can be set with
 * FLOWSIEVE_CORPUS; by default it sits beside the checkout, in ../shared/corpus/ndpi.
 * With FLOWSIEVE_REQUIRE_CORPUS=1 (as .ci/run sets it) a missing corpus fails the test
 * files that need it, instead of skipping their tests.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = process.env.FLOWSIEVE_CORPUS ?? join(repo, '..', 'shared', 'corpus', 'ndpi');
export const REPO_DIR = repo;

export function corpusAvailable(): boolean {
  const there = existsSync(join(CORPUS_DIR, 'manifest.json'));
  if (!there && process.env.FLOWSIEVE_REQUIRE_CORPUS === '1') {
    throw new Error(`the shared corpus is missing (no ${join(CORPUS_DIR, 'manifest.json')}) and FLOWSIEVE_REQUIRE_CORPUS=1`);
  }
  return there;
}

export function corpusCaptures(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort();
}

export function readCorpus(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS_DIR, name)));
}

export interface TruthFlow {
  key: string;
  l4: string;
  ip_version: number;
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  proto: { name: string; master: string | null; app: string | null };
  hostname: string | null;
  category: { name: string } | null;
  guessed: boolean;
  confidence: string;
  dpi_packets: number;
  packets: { src2dst: number; dst2src: number; total: number };
  bytes: { src2dst: number; dst2src: number; total: number };
}

export function readTruth(name: string): TruthFlow[] {
  return JSON.parse(readFileSync(join(CORPUS_DIR, `${name}.truth.json`), 'utf8')).flows as TruthFlow[];
}
