/** A distributed worker as a child process (`tsconnect distributed worker.properties`), so tests can kill -9 it. */
import { WorkerProcess } from '../../helpers/worker-process.js';

export class DistributedWorkerProcess extends WorkerProcess {
  readonly workerId: string;

  constructor(dir: string, port: number, props: Record<string, string>) {
    super(dir, port, props, 'distributed');
    this.workerId = `127.0.0.1:${port}`;
  }
}
