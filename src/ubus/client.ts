/**
 * A ubus client that outlives ubusd restarts: it calls objects, sends and listens for
 * events, and publishes objects whose methods it serves. What it publishes and listens
 * for is remembered; after a lost connection it reconnects (libubus's ubus_auto_connect:
 * every second) and registers it all again, under the new ids ubusd hands out.
 */
import { connectStream, type OutStream } from '../runtime/net-socket.js';
import { type BlobmsgAttr, type JsonObject, fromJson, toJson } from './blobmsg.js';
import {
  MSG,
  STATUS,
  type MsgAttrs,
  type ObjectSignature,
  type UbusMessage,
  addObjectMsg,
  invokeMsg,
  lookupMsg,
  notifyMsg,
  registerEventMsg,
  replyDataMsg,
  replyStatusMsg,
  sendEventMsg,
} from './message.js';
import { type MethodPolicy, checkArgs, signatureOf } from './policy.js';
import { UbusError, UbusSession } from './session.js';

export { UbusError } from './session.js';

export const DEFAULT_SOCKET = '/var/run/ubus/ubus.sock';

/** Who called, as ubusd tells an object (set when the caller is not root and ACLs apply). */
export interface CallerInfo {
  readonly user?: string;
  readonly group?: string;
}

export interface UbusMethod {
  readonly args?: MethodPolicy;
  /** Returns the reply (or nothing); throw UbusError for a status other than 0. */
  handler(args: JsonObject, caller: CallerInfo): Promise<JsonObject | void> | JsonObject | void;
}

export interface UbusObjectSpec {
  readonly name: string;
  readonly methods: { readonly [method: string]: UbusMethod };
}

/** A published object: its current id (0 while disconnected) and whether anyone subscribed. */
export interface PublishedObject {
  readonly name: string;
  readonly id: number;
  readonly hasSubscribers: boolean;
  /** NOTIFY the subscribers (no reply awaited). False when there was nobody to tell. */
  notify(type: string, data?: JsonObject): boolean;
}

export interface ObjectInfo {
  readonly path: string;
  readonly id: number;
  readonly typeId: number;
  readonly signature?: ObjectSignature;
}

export type EventHandler = (event: string, data: JsonObject) => void;
export type LogFn = (level: 'error' | 'warning' | 'info' | 'debug', text: string) => void;

export interface UbusClientOptions {
  readonly socketPath?: string;
  readonly connect?: (path: string) => Promise<OutStream>;
  /** Pause between reconnect attempts (libubus: 1 s). */
  readonly reconnectMs?: number;
  /** How long a request may wait for its STATUS (the ubus CLI's default: 30 s). */
  readonly timeoutMs?: number;
  readonly log?: LogFn;
  /** Called after every (re)connect once everything is registered again. */
  readonly onConnect?: (localId: number) => void;
}

interface Published {
  readonly spec: UbusObjectSpec;
  readonly signature: ObjectSignature;
  id: number;
  hasSubscribers: boolean;
}

interface Listener {
  readonly pattern: string;
  readonly handler: EventHandler;
  id: number;
}

type LocalObject = { readonly kind: 'object'; readonly obj: Published } | { readonly kind: 'listener'; readonly listener: Listener };

export class UbusClient {
  private session: UbusSession | null = null;
  private readonly published: Published[] = [];
  private readonly listeners: Listener[] = [];
  private readonly local = new Map<number, LocalObject>();
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private connecting = false;
  /** Failed attempts since the last connection: only the first of an outage is a warning. */
  private failures = 0;
  private readonly path: string;
  private readonly connectFn: (path: string) => Promise<OutStream>;
  private readonly log: LogFn;

  constructor(private readonly opts: UbusClientOptions = {}) {
    this.path = opts.socketPath ?? DEFAULT_SOCKET;
    this.connectFn = opts.connect ?? ((path) => connectStream({ kind: 'unix', path }));
    this.log = opts.log ?? (() => {});
  }

  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  /** Connect once; rejects when ubusd is not there (no retry — see `start`). */
  async connect(): Promise<void> {
    const sock = await this.connectFn(this.path);
    const session = await UbusSession.start(
      sock,
      {
        onMessage: (m, s) => this.onMessage(s, m),
        onClose: (e, s) => this.onSessionClosed(s, e),
      },
      this.opts.timeoutMs ?? 30000,
    );
    this.session = session;
    await this.registerAll(session);
    this.opts.onConnect?.(session.localId);
  }

  /** Connect, and keep reconnecting whenever the connection is lost, until close(). */
  start(): void {
    if (this.closed || this.retry || this.connecting || this.connected) return;
    this.connecting = true;
    this.connect()
      .then(() => {
        if (this.failures > 0) this.log('info', `ubus: connected to ${this.path} again`);
        this.failures = 0;
      })
      .catch((e: unknown) => {
        this.log(this.failures++ === 0 ? 'warning' : 'debug', `ubus: cannot connect to ${this.path}: ${e instanceof Error ? e.message : String(e)}`);
        this.session?.end(null);
        this.scheduleReconnect();
      })
      .finally(() => (this.connecting = false));
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.session?.end(null);
    this.session = null;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start();
    }, this.opts.reconnectMs ?? 1000);
  }

  private onSessionClosed(session: UbusSession, error: Error | null): void {
    if (this.session === session) this.session = null;
    this.local.clear();
    for (const p of this.published) {
      p.id = 0;
      p.hasSubscribers = false;
    }
    for (const l of this.listeners) l.id = 0;
    if (error) this.log('warning', `ubus: ${error.message}; reconnecting`);
    if (error && !this.closed) this.scheduleReconnect();
  }

  private live(): UbusSession {
    if (!this.session?.isOpen) throw new UbusError(STATUS.connectionFailed, 'not connected to ubusd');
    return this.session;
  }

  // ---------------------------------------------------------------- calling

  async lookup(path?: string): Promise<ObjectInfo[]> {
    const answers = await this.live().request((seq) => lookupMsg(seq, path), 0);
    return answers.flatMap((a) =>
      a.objpath !== undefined && a.objid !== undefined
        ? [{ path: a.objpath, id: a.objid, typeId: a.objtype ?? 0, ...(a.signature ? { signature: a.signature } : {}) }]
        : [],
    );
  }

  /** Invoke by object id; the first DATA answer, as plain values (undefined when none came). */
  async invoke(objid: number, method: string, args: JsonObject = {}): Promise<JsonObject | undefined> {
    const answers = await this.live().request((seq) => invokeMsg(seq, objid, method, fromJson(args)), objid);
    const first = answers.find((a) => a.data);
    return first?.data ? toJson(first.data) : undefined;
  }

  /** `ubus call path method args`. */
  async call(path: string, method: string, args: JsonObject = {}): Promise<JsonObject | undefined> {
    const [obj] = await this.lookup(path);
    if (!obj) throw new UbusError(STATUS.notFound);
    return this.invoke(obj.id, method, args);
  }

  /** `ubus send id data`. */
  async sendEvent(id: string, data: JsonObject = {}): Promise<void> {
    await this.live().request((seq) => sendEventMsg(seq, id, fromJson(data)), 1);
  }

  // ---------------------------------------------------------------- serving

  /** Receive events whose name matches `pattern` (a trailing * matches a prefix). */
  async listen(pattern: string, handler: EventHandler): Promise<void> {
    const l: Listener = { pattern, handler, id: 0 };
    this.listeners.push(l);
    if (this.connected) await this.registerListener(this.live(), l);
  }

  /** Publish an object; it is registered again after every reconnect. */
  async publish(spec: UbusObjectSpec): Promise<PublishedObject> {
    const signature: ObjectSignature = Object.entries(spec.methods).map(([method, m]) => ({ method, args: signatureOf(m.args ?? {}) }));
    const p: Published = { spec, signature, id: 0, hasSubscribers: false };
    this.published.push(p);
    if (this.connected) await this.registerObject(this.live(), p);
    return {
      name: spec.name,
      get id() {
        return p.id;
      },
      get hasSubscribers() {
        return p.hasSubscribers;
      },
      notify: (type, data = {}) => {
        if (!p.id || !p.hasSubscribers || !this.session?.isOpen) return false;
        const s = this.session;
        s.send(notifyMsg(s.nextSeq(), p.id, type, fromJson(data), true));
        return true;
      },
    };
  }

  /** ADD_OBJECT; `local` is filed under the new id the moment ubusd's DATA names it. */
  private async addObject(session: UbusSession, local: LocalObject, path?: string, signature?: ObjectSignature): Promise<number> {
    let id = 0;
    await session.request(
      (seq) => addObjectMsg(seq, path, signature),
      0,
      (a) => {
        if (a.objid === undefined || id) return;
        id = a.objid;
        this.local.set(id, local);
        if (local.kind === 'object') local.obj.id = id;
      },
    );
    if (!id) throw new UbusError(STATUS.noData, 'ubusd gave the object no id');
    return id;
  }

  private async registerObject(session: UbusSession, p: Published): Promise<void> {
    p.id = await this.addObject(session, { kind: 'object', obj: p }, p.spec.name, p.signature);
  }

  private async registerListener(session: UbusSession, l: Listener): Promise<void> {
    // A nameless object receives the events; `register` ties the pattern to it.
    l.id = await this.addObject(session, { kind: 'listener', listener: l });
    await session.request((seq) => registerEventMsg(seq, l.id, l.pattern), 1);
  }

  private async registerAll(session: UbusSession): Promise<void> {
    for (const p of this.published) await this.registerObject(session, p);
    for (const l of this.listeners) await this.registerListener(session, l);
  }

  private onMessage(session: UbusSession, m: UbusMessage): void {
    const target = m.attrs.objid === undefined ? undefined : this.local.get(m.attrs.objid);
    if (m.type === MSG.notify) {
      // ubusd telling a published object whether it has subscribers now.
      if (target?.kind === 'object' && m.attrs.active !== undefined) target.obj.hasSubscribers = m.attrs.active;
      return;
    }
    if (m.type !== MSG.invoke) return;
    void this.serveInvoke(session, m, target).catch((e: unknown) => {
      this.log('error', `ubus: answering ${m.attrs.method ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Answer an INVOKE as libubus's ubus_process_invoke does: DATA (when any), then STATUS. */
  private async serveInvoke(session: UbusSession, m: UbusMessage, target: LocalObject | undefined): Promise<void> {
    const a: MsgAttrs = m.attrs;
    const objid = a.objid ?? 0;
    const finish = (status: number, reply?: readonly BlobmsgAttr[]): void => {
      if (!session.isOpen) return;
      if (reply && !a.noReply) session.send(replyDataMsg(m.seq, m.peer, objid, reply));
      if (!a.noReply) session.send(replyStatusMsg(m.seq, m.peer, objid, status));
    };
    if (!target) return finish(STATUS.notFound);
    if (a.method === undefined) return finish(STATUS.invalidArgument);
    if (target.kind === 'listener') {
      if (a.data) {
        try {
          target.listener.handler(a.method, toJson(a.data));
        } catch (e) {
          this.log('error', `ubus: event ${a.method}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return finish(STATUS.ok);
    }
    const methods = target.obj.spec.methods;
    const method = Object.prototype.hasOwnProperty.call(methods, a.method) ? methods[a.method] : undefined;
    if (!method) return finish(STATUS.methodNotFound);
    if (!a.data) return finish(STATUS.invalidArgument);
    const checked = checkArgs(method.args ?? {}, a.data);
    if (!checked.ok) {
      this.log('debug', `ubus: ${target.obj.spec.name}.${a.method}: ${checked.error}`);
      return finish(STATUS.invalidArgument);
    }
    let result: JsonObject | void;
    try {
      result = await method.handler(checked.args, { ...(a.user ? { user: a.user } : {}), ...(a.group ? { group: a.group } : {}) });
    } catch (e) {
      if (e instanceof UbusError) return finish(e.status);
      this.log('error', `ubus: ${target.obj.spec.name}.${a.method} failed: ${e instanceof Error ? e.message : String(e)}`);
      return finish(STATUS.unknownError);
    }
    finish(STATUS.ok, result ? fromJson(result) : undefined);
  }
}
