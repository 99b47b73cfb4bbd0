/**
 * Reading worker and connector configuration files: Java `.properties` (via dot-properties) and connector
 * JSON in either of Kafka Connect's shapes (`{"name":..,"config":{..}}` or a flat map with `name`).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseProperties } from 'dot-properties';
import { ConnectException } from './errors.js';

export async function readPropertiesFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConnectException(`Cannot read ${path}: ${(e as Error).message}`);
  }
  return parseProperties(text) as Record<string, string>;
}

export interface ConnectorFile {
  name: string;
  config: Record<string, string>;
  initialState?: 'RUNNING' | 'PAUSED' | 'STOPPED';
}

export async function readConnectorFile(path: string): Promise<ConnectorFile> {
  if (!path.endsWith('.json')) {
    const config = await readPropertiesFile(path);
    if (!config['name']) throw new ConnectException(`${path}: connector configuration has no 'name'`);
    return { name: config['name'], config };
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ConnectException(`Cannot read connector JSON ${path}: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ConnectException(`${path}: expected a JSON object`);
  const obj = json as Record<string, unknown>;
  const rawConfig = (obj['config'] && typeof obj['config'] === 'object' ? obj['config'] : obj) as Record<string, unknown>;
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawConfig)) config[k] = String(v);
  const name = typeof obj['name'] === 'string' ? obj['name'] : config['name'];
  if (!name) throw new ConnectException(`${path}: connector configuration has no 'name'`);
  const initial = typeof obj['initial_state'] === 'string' ? (obj['initial_state'].toUpperCase() as ConnectorFile['initialState']) : undefined;
  return { name, config, initialState: initial };
}
