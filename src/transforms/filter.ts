/** `org.apache.kafka.connect.transforms.Filter`: drops every record (use it with a predicate). */
import { ConfigDef } from '../connect/api/config-def.js';
import type { Transformation } from '../connect/api/transformation.js';

const CONFIG_DEF = new ConfigDef();

export class Filter implements Transformation {
  configure(): void {}
  apply(): null {
    return null;
  }
  config(): ConfigDef {
    return CONFIG_DEF;
  }
  close(): void {}
}
