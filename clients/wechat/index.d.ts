// Type declarations for pomelo-wx-client (index.js).

/** The part of the mini-program's SocketTask that the client uses (base library 1.7.0+). */
export interface SocketTask {
  onOpen(cb: (res: { header?: Record<string, string> }) => void): void;
  /** Binary frames arrive as ArrayBuffer. */
  onMessage(cb: (res: { data: ArrayBuffer | string }) => void): void;
  onClose(cb: (res: { code: number; reason: string }) => void): void;
  onError(cb: (res: { errMsg: string }) => void): void;
  send(opts: { data: ArrayBuffer | string; success?: (res: unknown) => void; fail?: (res: { errMsg: string }) => void }): void;
  close(opts?: { code?: number; reason?: string; success?: (res: unknown) => void; fail?: (res: { errMsg: string }) => void }): void;
}

/** The part of `wx` that the client uses: only connectSocket. */
export interface WxLike {
  connectSocket(opts: SocketOptions & { url: string; fail?: (res: { errMsg: string }) => void }): SocketTask;
}

/** Passed to wx.connectSocket as they are (except url and fail). */
export interface SocketOptions {
  header?: Record<string, string>;
  protocols?: string[];
  tcpNoDelay?: boolean;
  perMessageDeflate?: boolean;
  /** Connect timeout in ms (base library 2.10.0+). */
  timeout?: number;
  [key: string]: unknown;
}

export interface ReconnectOptions {
  /** Default true. Never reconnects after a kick, a close the app asked for, or before the first success. */
  enabled?: boolean;
  /** Delay before the first attempt, in ms. Default 1000. */
  initialDelay?: number;
  /** Cap on the delay, in ms. Default 30000. */
  maxDelay?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Share of the delay taken off at random, 0..1. Default 0.5: delays fall in [d/2, d]. */
  jitter?: number;
  /** Give up after this many failed attempts and emit 'reconnect_failed'; 0 = never. Default 0. */
  maxAttempts?: number;
}

export interface ClientOptions {
  /** The wx object. Default: the global `wx` of the mini-program. Inject a shim for tests. */
  wx?: WxLike;
  /** Maps the gate's answer to a URL, e.g. "wss://game.example.com/ws/{port}/" or "wss://game.example.com/s/{serverId}/": every {field} of the answer is replaced. */
  urlTemplate?: string | ((answer: GateAnswer) => string);
  /** Default timeout of request(), in ms; 0 = none. Default 10000. */
  requestTimeout?: number;
  /** From connectSocket to the server's handshake answer, in ms; 0 = none. Default 10000. */
  handshakeTimeout?: number;
  /** Close when nothing arrived for this many heartbeat intervals. Default 2. */
  heartbeatTimeoutFactor?: number;
  /** How long to wait for onClose after the client closes a socket, in ms. Default 3000. */
  closeWait?: number;
  /** Use pomelo-protobuf when the server enables it. If false, such a server is refused at handshake. Default true. */
  protobuf?: boolean;
  /** sys.type in the handshake. Default "wx-websocket". */
  clientType?: string;
  /** sys.version in the handshake (the server's checkClient may refuse it: code 501). Default: the library version. */
  clientVersion?: string;
  /** wx.connectSocket's tcpNoDelay. Default true. */
  tcpNoDelay?: boolean;
  /**
   * wx.connectSocket's perMessageDeflate (base library 2.8.0+): offer compression; the gateway passes
   * the offer to Pomelo, whose answer decides. Default false.
   */
  perMessageDeflate?: boolean;
  /** More options for wx.connectSocket; they win over tcpNoDelay and perMessageDeflate. Default {}. */
  socketOptions?: SocketOptions;
  /** Route of the gate query. Default "gate.gateHandler.queryEntry". */
  gateRoute?: string;
  /** Route called on the connector after connectViaGate connects. Default "connector.entryHandler.entry". */
  entryRoute?: string;
  /** Reconnect with exponential backoff, jitter and a cap; false disables it. */
  reconnect?: ReconnectOptions | false;
  /** Random source for the jitter (tests). Default Math.random. */
  random?: () => number;
}

export interface InitOptions {
  /** WebSocket URL of a Pomelo frontend (connector), e.g. "wss://game.example.com/ws/3051/". */
  url: string;
  /** Sent as `user` in the handshake. */
  user?: unknown;
  socketOptions?: SocketOptions;
  handshakeTimeout?: number;
}

export interface GateAnswer {
  code: number;
  host: string;
  port: number;
  [key: string]: unknown;
}

export interface ConnectViaGateOptions {
  /** URL of the gate through the gateway, e.g. "wss://game.example.com/ws/3014/". */
  gateUrl: string;
  /** Body of the gate query (for example {uid}); also the default entry body. */
  query?: unknown;
  /** Entry route name, or {route, msg}. Default route: entryRoute; default msg: query. */
  entry?: string | { route?: string; msg?: unknown };
  /** Overrides the client's urlTemplate. */
  urlTemplate?: string | ((answer: GateAnswer) => string);
  /** Overrides the client's gateRoute. */
  gateRoute?: string;
  /** Timeout of the gate query and of the entry request, in ms. */
  timeout?: number;
  /** Sent as `user` in both handshakes. */
  user?: unknown;
  socketOptions?: SocketOptions;
}

export interface ConnectViaGateResult<E = any> {
  /** The connector URL made from the template. */
  url: string;
  host: string;
  port: number;
  /** The gate's whole answer. */
  gate: GateAnswer;
  /** The connector handshake's user data. */
  handshake: any;
  /** The entry route's response. */
  entry: E;
}

/**
 * Why a connection ended:
 * - "app": disconnect() (or a new init/connectViaGate replaced it). Never reconnects.
 * - "kick": the server sent a kick package first; `kick` holds its body ({reason}). Never reconnects.
 * - "heartbeat-timeout": nothing arrived for heartbeatTimeoutFactor (2) heartbeat intervals; the client closed.
 * - "remote": the server or the gateway closed the socket; `code` and `reason` are theirs.
 * - "error": the socket failed without a close code.
 * - "protocol-error": data that could not be decoded; the client closed.
 * Failed opens (error.close only): "handshake-timeout", "handshake-error", "error".
 */
export type CloseCause = 'app' | 'kick' | 'heartbeat-timeout' | 'remote' | 'error' | 'protocol-error' | 'handshake-timeout' | 'handshake-error';

export interface CloseInfo {
  cause: CloseCause;
  /** WebSocket close code as the SocketTask reported it (from the gateway or the server), or null. */
  code: number | null;
  reason: string;
  url: string;
  kick?: { reason?: string; [key: string]: unknown };
  /** Whether the client will now reconnect. */
  willReconnect?: boolean;
}

export type ErrorCode =
  | 'NOT_CONNECTED' | 'TIMEOUT' | 'CLOSED' | 'CONNECT_FAILED' | 'SOCKET_ERROR' | 'SEND_FAILED'
  | 'HANDSHAKE_TIMEOUT' | 'HANDSHAKE_REFUSED' | 'PROTOBUF_UNSUPPORTED' | 'PROTOBUF' | 'PROTOCOL'
  | 'ENCODE' | 'DECODE' | 'GATE_REFUSED' | 'CANCELLED' | 'BAD_ARGUMENT' | 'NO_WX';

export interface PomeloError extends Error {
  code: ErrorCode;
  /** On CLOSED and on failed opens: how the connection ended. */
  close?: CloseInfo;
  /** HANDSHAKE_REFUSED: the server's code (500: handshake hook failed, 501: client refused). */
  handshakeCode?: number;
  /** True when retrying cannot help (refused client version, protobuf refusal). */
  permanent?: boolean;
  /** TIMEOUT: the request's route. */
  route?: string;
  /** GATE_REFUSED: the gate's answer. */
  answer?: unknown;
}

export interface ReconnectingEvent { attempt: number; delay: number; last: CloseInfo | PomeloError; }
export interface ReconnectEvent { attempt: number; url: string; result: any; }
export interface ReconnectFailedEvent { attempts: number; last: CloseInfo | PomeloError; }

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export declare class Client {
  constructor(options?: ClientOptions);
  readonly options: ClientOptions;
  readonly state: ClientState;
  /** Connects to url, handshakes and acks. Resolves with the handshake's user data. */
  init(opts: InitOptions): Promise<any>;
  /** gate query -> urlTemplate -> connector -> entry route. Reconnects repeat all of it. */
  connectViaGate<E = any>(opts: ConnectViaGateOptions): Promise<ConnectViaGateResult<E>>;
  /** Sends a request; resolves with the response body. Rejects with TIMEOUT, CLOSED or NOT_CONNECTED. */
  request<T = any>(route: string, msg?: unknown, opts?: { timeout?: number }): Promise<T>;
  /** Sends a notify (no response). */
  notify(route: string, msg?: unknown): Promise<void>;
  on(event: 'close', handler: (info: CloseInfo) => void): this;
  on(event: 'kick', handler: (body: { reason?: string; [key: string]: unknown }) => void): this;
  on(event: 'error', handler: (err: PomeloError) => void): this;
  on(event: 'reconnecting', handler: (e: ReconnectingEvent) => void): this;
  on(event: 'reconnect', handler: (e: ReconnectEvent) => void): this;
  on(event: 'reconnect_failed', handler: (e: ReconnectFailedEvent) => void): this;
  /** Any other name is a push route, e.g. "onChat". */
  on(route: string, handler: (body: any) => void): this;
  /** Removes one handler, or all handlers of the name when none is given. */
  off(name: string, handler?: (...args: any[]) => void): this;
  /** Closes because the app asks to; stops reconnecting. Resolves with the close info (null if nothing was open). */
  disconnect(): Promise<CloseInfo | null>;
}

export declare function createClient(options?: ClientOptions): Client;
export declare const VERSION: string;

/* The default client, on the global wx, created on first use. */
export declare function init(opts: InitOptions): Promise<any>;
export declare function connectViaGate<E = any>(opts: ConnectViaGateOptions): Promise<ConnectViaGateResult<E>>;
export declare function request<T = any>(route: string, msg?: unknown, opts?: { timeout?: number }): Promise<T>;
export declare function notify(route: string, msg?: unknown): Promise<void>;
export declare function on(name: string, handler: (arg: any) => void): typeof import('./index');
export declare function off(name: string, handler?: (arg: any) => void): typeof import('./index');
export declare function disconnect(): Promise<CloseInfo | null>;

/** Internals, for tests and tools. */
export declare const codec: {
  encodePackage(type: number, body?: Uint8Array | number[]): Uint8Array;
  decodePackages(data: ArrayBuffer | Uint8Array): Array<{ type: number; body: Uint8Array }>;
  encodeMessage(id: number, type: number, route: string | number, body: Uint8Array): Uint8Array;
  decodeMessage(bytes: Uint8Array): { id?: number; type: number; compressRoute: number; route?: string | number; body: Uint8Array };
  utf8Encode(s: string): number[];
  utf8Decode(bytes: Uint8Array | number[], start?: number, end?: number): string;
  pbEncode(protos: object, route: string, msg: object): Uint8Array;
  pbDecode(protos: object, route: string, bytes: Uint8Array): any;
  backoffDelay(attempt: number, o: Required<Pick<ReconnectOptions, 'initialDelay' | 'maxDelay' | 'factor' | 'jitter'>>, random?: () => number): number;
  mapEntryUrl(template: string | ((answer: GateAnswer) => string), answer: GateAnswer): string;
};
