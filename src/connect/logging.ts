/**
 * Logging for the whole worker: one pino root logger (stderr, quiet by default) and named child loggers in
 * the style of log4j (`getLogger('io.debezium.connector.postgresql')`), plus the model behind Kafka
 * Connect's `/admin/loggers` endpoints (levels per namespace with `last_modified`, log4j level names).
 *
 * Levels follow log4j's hierarchy: a logger without a level of its own takes the level of its nearest dotted
 * ancestor that has one, else the root's. Setting a namespace's level (REST `PUT /admin/loggers/{ns}`) sets it
 * on the namespace logger and on every existing logger whose name starts with the namespace, as Kafka's
 * `Loggers.setLevel` does.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** log4j level names, most severe first. */
export const LOG4J_LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'ALL'] as const;
export type Log4jLevel = (typeof LOG4J_LEVELS)[number];

const TO_PINO: Record<Log4jLevel, LevelWithSilent> = {
  OFF: 'silent',
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
  ALL: 'trace',
};

const FROM_PINO: Record<string, Log4jLevel> = {
  silent: 'OFF',
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
};

/** The log4j level for a name (case-insensitive), or null when it is not one. */
export function parseLog4jLevel(name: string): Log4jLevel | null {
  const upper = name.trim().toUpperCase();
  return (LOG4J_LEVELS as readonly string[]).includes(upper) ? (upper as Log4jLevel) : null;
}

/** Accepts log4j names (`DEBUG`) and pino names (`debug`, `silent`). */
function toLog4j(level: string): Log4jLevel {
  return parseLog4jLevel(level) ?? FROM_PINO[level.trim().toLowerCase()] ?? 'INFO';
}

export const ROOT_LOGGER_NAME = 'root';

export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

interface NamedLogger {
  /** Level set on this logger itself, or null when it inherits. */
  level: Log4jLevel | null;
  /** The pino child, created on first `getLogger` (namespaces set over REST may have none). */
  pino: Logger | null;
}

export interface LoggingOptions {
  /** Root level (log4j or pino name); default from `TSCONNECT_LOG_LEVEL`, else `INFO`. */
  level?: string;
  /** Where lines go; default stderr. */
  destination?: pino.DestinationStream;
  /** Clock for `last_modified` (tests). */
  now?: () => number;
}

/** The worker's loggers. One instance per process is the norm (`defaultLogging()`); tests make their own. */
export class Logging {
  readonly root: Logger;
  private rootLevel: Log4jLevel;
  private readonly loggers = new Map<string, NamedLogger>();
  private readonly lastModified = new Map<string, number>();
  private readonly now: () => number;

  constructor(options: LoggingOptions = {}) {
    this.rootLevel = toLog4j(options.level ?? process.env.TSCONNECT_LOG_LEVEL ?? 'INFO');
    this.now = options.now ?? Date.now;
    this.root = pino({ level: TO_PINO[this.rootLevel], base: undefined }, options.destination ?? pino.destination(2));
  }

  /** A named logger (created once); its level follows the log4j hierarchy. */
  getLogger(name: string): Logger {
    if (name.toLowerCase() === ROOT_LOGGER_NAME) return this.root;
    let entry = this.loggers.get(name);
    if (!entry) {
      entry = { level: null, pino: null };
      this.loggers.set(name, entry);
    }
    if (!entry.pino) {
      entry.pino = this.root.child({ name });
      entry.pino.level = TO_PINO[this.effectiveLevel(name)];
    }
    return entry.pino;
  }

  /** `GET /admin/loggers/{l}`: the logger's level (effective when not set on it), or null if unknown. */
  level(name: string): LoggerLevel | null {
    if (name.toLowerCase() === ROOT_LOGGER_NAME) return { level: this.rootLevel, last_modified: this.lastModified.get(ROOT_LOGGER_NAME) ?? null };
    if (!this.loggers.has(name)) return null;
    return { level: this.effectiveLevel(name), last_modified: this.lastModified.get(name) ?? null };
  }

  /** `GET /admin/loggers`: loggers with a level of their own, plus root, sorted by name. */
  allLevels(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    const names = [...this.loggers.entries()].filter(([, e]) => e.level !== null).map(([n]) => n);
    names.push(ROOT_LOGGER_NAME);
    for (const n of names.sort(javaCompare)) out[n] = this.level(n)!;
    return out;
  }

  /**
   * `PUT /admin/loggers/{ns}`: sets the level of the namespace logger and of every existing logger whose name
   * starts with `namespace` (`root`: every logger). Returns the affected logger names, sorted.
   */
  setLevel(namespace: string, level: Log4jLevel): string[] {
    const affected: string[] = [];
    if (namespace.toLowerCase() === ROOT_LOGGER_NAME) {
      for (const name of this.loggers.keys()) affected.push(name);
      affected.push(ROOT_LOGGER_NAME);
    } else {
      for (const name of this.loggers.keys()) if (name.startsWith(namespace)) affected.push(name);
      if (!this.loggers.has(namespace)) {
        this.loggers.set(namespace, { level: null, pino: null });
        affected.push(namespace);
      }
    }
    const time = this.now();
    for (const name of affected) {
      if (name === ROOT_LOGGER_NAME) {
        if (this.rootLevel !== level) this.lastModified.set(name, time);
        this.rootLevel = level;
        this.root.level = TO_PINO[level];
        continue;
      }
      const entry = this.loggers.get(name)!;
      if ((entry.level ?? this.effectiveLevel(name)) !== level) this.lastModified.set(name, time);
      entry.level = level;
    }
    this.refreshPinoLevels();
    return affected.sort(javaCompare);
  }

  /** Sets the root level from configuration (not a REST change: `last_modified` stays). */
  configureRootLevel(level: string): void {
    this.rootLevel = toLog4j(level);
    this.root.level = TO_PINO[this.rootLevel];
    this.refreshPinoLevels();
  }

  private effectiveLevel(name: string): Log4jLevel {
    let current: string | null = name;
    while (current !== null) {
      const own = this.loggers.get(current)?.level;
      if (own) return own;
      const dot = current.lastIndexOf('.');
      current = dot > 0 ? current.slice(0, dot) : null;
    }
    return this.rootLevel;
  }

  private refreshPinoLevels(): void {
    for (const [name, entry] of this.loggers) if (entry.pino) entry.pino.level = TO_PINO[this.effectiveLevel(name)];
  }
}

/** Java's String.compareTo order (UTF-16 code units), which is JS's default sort order. */
function javaCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

let defaultInstance: Logging | null = null;

/** The process-wide logging (created on first use with the environment's level). */
export function defaultLogging(): Logging {
  defaultInstance ??= new Logging();
  return defaultInstance;
}

/**
 * Configures the process-wide logging, e.g. once the worker config's `log.level` is known. Loggers handed out
 * earlier keep working: only the root level changes when logging already exists.
 */
export function configureLogging(options: LoggingOptions): Logging {
  if (!defaultInstance) defaultInstance = new Logging(options);
  else if (options.level !== undefined) defaultInstance.configureRootLevel(options.level);
  return defaultInstance;
}

/** A named logger of the process-wide logging. */
export function getLogger(name: string): Logger {
  return defaultLogging().getLogger(name);
}
