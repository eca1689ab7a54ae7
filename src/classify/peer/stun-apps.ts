/**
 * Which application a STUN/TURN exchange belongs to. The signals are the ones nDPI's
 * stun.c relies on, grouped by kind:
 *  - message types and attributes outside the IANA registry that one vendor's relays use
 *    (WhatsApp 0x0800–0x0802 types and 0x4000–0x4007 attributes; Zoom 0x0101/0x0103;
 *    Microsoft's MS-TURN/ICE attributes for Skype and Teams; Google's 0xFF03);
 *  - the REALM a TURN server names (google.com, signal.org / whispersystems.org,
 *    facebook, telegram, viber);
 *  - Google Meet's published STUN/TURN ports (3478, 19302–19309) at its media ranges
 *    (support.google.com/a/answer/1279090).
 */
import type { AppId } from '../../names.js';
import type { FlowView } from '../../flow/types.js';
import { WHATSAPP_MESSAGE_TYPES, type StunMessage } from './stun-message.js';

export const ATTR_REALM = 0x0014;

const WHATSAPP_ATTRIBUTES = [0x4000, 0x4001, 0x4002, 0x4003, 0x4004, 0x4007];
const ZOOM_ATTRIBUTES = [0x0101, 0x0103];
/**
 * MS-ICE2/MS-TURN attributes: candidate identifier 0x8054, implementation version 0x8070,
 * service quality 0x8055, multiplexed session id 0x8095, and ones seen in Skype calls.
 */
const MICROSOFT_ATTRIBUTES = [0x8054, 0x24df, 0x3802, 0x8036, 0x8095, 0x0800, 0x8006, 0x8070, 0x8055];
const GOOGLE_ATTRIBUTES = [0xff03];

const REALM_APPS: readonly (readonly [string, AppId])[] = [
  ['google.com', 'google-meet'],
  ['whispersystems.org', 'signal'],
  ['signal.org', 'signal'],
  ['facebook', 'messenger'],
  ['telegram', 'telegram'],
  ['viber', 'viber'],
];

/** An application named by the message's type or attributes (realm excluded). */
/** The application each of those attributes names (one lookup per attribute, not four list scans). */
const ATTRIBUTE_APPS = new Map<number, AppId>([
  ...WHATSAPP_ATTRIBUTES.map((t) => [t, 'whatsapp'] as const),
  ...ZOOM_ATTRIBUTES.map((t) => [t, 'zoom'] as const),
  ...MICROSOFT_ATTRIBUTES.map((t) => [t, 'teams'] as const),
  ...GOOGLE_ATTRIBUTES.map((t) => [t, 'google-meet'] as const),
]);

export function appFromMessage(m: StunMessage): AppId | null {
  if (!m.classic && WHATSAPP_MESSAGE_TYPES.includes(m.type)) return 'whatsapp';
  let app: AppId | null = null;
  const attributes = m.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const named = ATTRIBUTE_APPS.get(attributes[i]!.type);
    if (named === undefined) continue;
    // Zoom's attributes decide at once; otherwise the first attribute that names one.
    if (named === 'zoom') return named;
    app ??= named;
  }
  return app;
}

export function realmText(value: Uint8Array): string | null {
  if (value.length === 0 || value.length > 253) return null;
  let s = '';
  for (const c of value) {
    if (c === 0) break; // some servers NUL-terminate
    if (c < 0x21 || c > 0x7e || c === 0x3f) return null;
    s += String.fromCharCode(c);
  }
  return s.length > 0 ? s.toLowerCase() : null;
}

export function appFromRealm(realm: string): AppId | null {
  for (const [needle, app] of REALM_APPS) if (realm.includes(needle)) return app;
  return null;
}

const GOOGLE_PORTS_LOW = 19302;
const GOOGLE_PORTS_HIGH = 19309;
const STUN_PORT = 3478;
/** Google Meet media: 74.125.250.0/24, 142.250.82.0/24, 2001:4860:4864:5::/64, 2001:4860:4864:6::/64. */
const GOOGLE_V4_PREFIXES = ['74.125.250.', '142.250.82.'];
const GOOGLE_V6_PREFIXES = ['2001:4860:4864:5:', '2001:4860:4864:6:'];

function isGooglePort(p: number): boolean {
  return p === STUN_PORT || (p >= GOOGLE_PORTS_LOW && p <= GOOGLE_PORTS_HIGH);
}

/** The first four groups of an IPv6 text, expanded ("2001:4860:4864:5::81" → "2001:4860:4864:5:"). */
function v6Prefix64(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':') + ':';
}

function isGoogleMediaAddress(ip: string): boolean {
  if (ip.includes(':')) return GOOGLE_V6_PREFIXES.includes(v6Prefix64(ip));
  return GOOGLE_V4_PREFIXES.some((p) => ip.startsWith(p));
}

/** Google Meet by where the flow goes: its STUN ports at its media addresses. */
export function appFromEndpoints(flow: FlowView): AppId | null {
  if (!isGooglePort(flow.initiatorPort) && !isGooglePort(flow.responderPort)) return null;
  return isGoogleMediaAddress(flow.initiatorIp) || isGoogleMediaAddress(flow.responderIp) ? 'google-meet' : null;
}
