import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { RedisServer } from '../../../test/helpers/redis.js';
import { RedisConnection } from '../../src/queues/connection.js';
import { RedisListDepthReader } from '../../src/queues/redis-list.js';

// Real redis-server. Celery and RQ keys are written by the real Python libraries when a
// Python with them is available (PRINTQ_QUEUE_PYTHON, e.g. a venv with `pip install celery
// rq packaging`); without it those two cases are skipped with a notice, never faked.
const python = process.env.PRINTQ_QUEUE_PYTHON ?? 'python3';
const hasPythonProducers =
  spawnSync(python, ['-c', 'import celery, rq, packaging'], { stdio: 'ignore' }).status === 0;
if (!hasPythonProducers) {
  console.warn(
    `Skipping Celery/RQ producer cases: ${python} cannot import celery, rq and packaging`,
  );
}
const describeWithPython = hasPythonProducers ? describe : describe.skip;

let redis: RedisServer;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await RedisServer.start();
  connection = new RedisConnection({ host: redis.host, port: redis.port });
});

afterAll(async () => {
  await connection.close();
  await redis.dispose();
});

function runPython(script: string): void {
  const result = spawnSync(python, ['-c', script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, REDIS_URL: redis.url },
  });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
}

describe('RedisListDepthReader', () => {
  it('reads the length of a plain list that a producer LPUSHes to', async () => {
    const producer = new Redis(redis.url);
    await producer.lpush('plain:jobs', 'a', 'b', 'c');
    await producer.quit();
    const depth = await new RedisListDepthReader(connection, { key: 'plain:jobs' }).readDepth();
    expect(depth).toEqual({ backlog: 3, active: 0 });
  });

  it('reads a missing list as an empty queue', async () => {
    const depth = await new RedisListDepthReader(connection, { key: 'nothing:here' }).readDepth();
    expect(depth).toEqual({ backlog: 0, active: 0 });
  });
});

describeWithPython('RedisListDepthReader on real Python producers', () => {
  it("counts tasks Celery's send_task put on its default `celery` list", async () => {
    runPython(`
import os
from celery import Celery
app = Celery(broker=os.environ["REDIS_URL"])
for i in range(4):
    app.send_task("tasks.quote", args=[i])
`);
    const depth = await new RedisListDepthReader(connection, { key: 'celery' }).readDepth();
    expect(depth.backlog).toBe(4);
  });

  it('counts jobs RQ enqueued on rq:queue:<name>', async () => {
    runPython(`
import os
from redis import Redis
from rq import Queue
queue = Queue("quotes", connection=Redis.from_url(os.environ["REDIS_URL"]))
for i in range(5):
    queue.enqueue("tasks.quote", i)
`);
    const depth = await new RedisListDepthReader(connection, {
      key: 'rq:queue:quotes',
    }).readDepth();
    expect(depth.backlog).toBe(5);
  });
});
