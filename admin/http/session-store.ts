// Server-side sessions in Redis for @fastify/session. Each session expires on its own TTL, and
// each user's session ids are indexed so a password reset or role change can end them all.
import type { Session } from "fastify";
import type { Redis } from "ioredis";

type Callback = (err?: Error | null) => void;
type GetCallback = (err: Error | null, session?: Session | null) => void;

export class RedisSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key = (sid: string) => `${this.prefix}:sess:${sid}`;
  private userKey = (userId: string) => `${this.prefix}:sess-user:${userId}`;

  set(sid: string, session: Session, cb: Callback) {
    const json = JSON.stringify(session);
    const userId = typeof session.userId === "string" ? session.userId : null;
    const multi = this.redis.multi().set(this.key(sid), json, "EX", this.ttlSeconds);
    if (userId) multi.sadd(this.userKey(userId), sid).expire(this.userKey(userId), this.ttlSeconds);
    multi.exec().then(
      () => cb(null),
      (e: Error) => cb(e),
    );
  }

  get(sid: string, cb: GetCallback) {
    this.redis.get(this.key(sid)).then(
      (raw) => {
        if (!raw) return cb(null, null);
        try {
          cb(null, JSON.parse(raw) as Session);
        } catch {
          cb(null, null);
        }
      },
      (e: Error) => cb(e),
    );
  }

  destroy(sid: string, cb: Callback) {
    this.redis.del(this.key(sid)).then(
      () => cb(null),
      (e: Error) => cb(e),
    );
  }

  /** Ends every session of a user (after a password reset, role change or deletion). */
  async destroyAllFor(userId: string, exceptSid?: string): Promise<number> {
    const sids = await this.redis.smembers(this.userKey(userId));
    const doomed = sids.filter((s) => s !== exceptSid);
    if (doomed.length === 0) return 0;
    await this.redis
      .multi()
      .del(...doomed.map(this.key))
      .srem(this.userKey(userId), ...doomed)
      .exec();
    return doomed.length;
  }
}
