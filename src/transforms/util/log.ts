/** The transforms' logger (quiet by default; the runtime may pass its own later). */
import { pino } from 'pino';

export const logger = pino({ name: 'transforms', level: process.env.TSCONNECT_LOG_LEVEL ?? 'warn' });
