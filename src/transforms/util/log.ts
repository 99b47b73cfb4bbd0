/** The transforms' logger: a named logger of the worker's logging, so `/admin/loggers` sets its level. */
import { getLogger } from '../../connect/logging.js';

export const logger = getLogger('org.apache.kafka.connect.transforms');
