package io.hotline.discovery.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua scripts that make every write and the read atomic. Each runs on the server that holds the service's
 * keys (they share the {@code {service}} hash tag), takes its time from that server's clock ({@code TIME}), so
 * client clocks never matter, and announces a change on the store's channel with {@code PUBLISH}.
 *
 * <p>Keys: 1 records (hash id to JSON), 2 down (sorted set, id scored by the time it turns critical), 3 gone (id
 * scored by the time it is removed), 4 lease (hash id to "downAfterMs deregisterAfterMs", what a renewal extends
 * by), 5 since (id scored by the time it last turned passing: registered, or revived by a renewal). Times are
 * milliseconds of the server clock.
 */
final class RedisScripts {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /** ARGV: id, record, down-after ms, deregister-after ms, channel, message. Returns the server time. */
    static final Script REGISTER = new Script("register", NOW + """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
            redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[1])
            redis.call('HSET', KEYS[4], ARGV[1], ARGV[3] .. ' ' .. ARGV[4])
            redis.call('ZADD', KEYS[5], now, ARGV[1])
            redis.call('PUBLISH', ARGV[5], ARGV[6])
            return now
            """);

    /**
     * ARGV: id, channel, message. Returns 1, or 0 when the registration is unknown or already past its
     * deregister-after (then the owner registers again, which rewrites it whole).
     */
    static final Script RENEW = new Script("renew", NOW + """
            local lease = redis.call('HGET', KEYS[4], ARGV[1])
            local gone = redis.call('ZSCORE', KEYS[3], ARGV[1])
            if (not lease) or (not gone) or tonumber(gone) <= now or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
              return 0
            end
            local sp = string.find(lease, ' ', 1, true)
            local down_ms = sp and tonumber(string.sub(lease, 1, sp - 1))
            local gone_ms = sp and tonumber(string.sub(lease, sp + 1))
            if (not down_ms) or (not gone_ms) then
              return 0
            end
            local down = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
            redis.call('ZADD', KEYS[2], now + down_ms, ARGV[1])
            redis.call('ZADD', KEYS[3], now + gone_ms, ARGV[1])
            if down <= now then
              redis.call('ZADD', KEYS[5], now, ARGV[1])
              redis.call('PUBLISH', ARGV[2], ARGV[3])
            end
            return 1
            """);

    /** ARGV: id, channel, message. Returns how many records were removed (0 or 1). */
    static final Script DEREGISTER = new Script("deregister", """
            local n = redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('HDEL', KEYS[4], ARGV[1])
            redis.call('ZREM', KEYS[5], ARGV[1])
            if n > 0 then
              redis.call('PUBLISH', ARGV[2], ARGV[3])
            end
            return n
            """);

    /**
     * Removes the registrations past their deregister-after and announces it like a deregistration (ARGV: channel,
     * message). Ids go to commands in chunks: Lua's unpack fails near 8,000 values.
     */
    private static final String SWEEP_EXPIRED = NOW + """
            local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
            for i = 1, #gone, 1000 do
              local last = math.min(i + 999, #gone)
              redis.call('HDEL', KEYS[1], unpack(gone, i, last))
              redis.call('ZREM', KEYS[2], unpack(gone, i, last))
              redis.call('ZREM', KEYS[3], unpack(gone, i, last))
              redis.call('HDEL', KEYS[4], unpack(gone, i, last))
              redis.call('ZREM', KEYS[5], unpack(gone, i, last))
            end
            if #gone > 0 then
              redis.call('PUBLISH', ARGV[1], ARGV[2])
            end
            """;

    /** ARGV: channel, message. Sweeps, then returns how many registrations it removed. */
    static final Script SWEEP = new Script("sweep", SWEEP_EXPIRED + """
            return #gone
            """);

    /**
     * ARGV: channel, message. Sweeps, then returns {server time, records as id/JSON pairs, down as id/time pairs,
     * the next removal as an id/time pair or nothing, since as id/time pairs}.
     */
    static final Script READ = new Script("read", SWEEP_EXPIRED + """
            return {now, redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES'),
                    redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES'), redis.call('ZRANGE', KEYS[5], 0, -1, 'WITHSCORES')}
            """);

    private RedisScripts() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A script and its SHA-1, run by hash and sent in full only when the server does not have it (after a restart).
     * Replies are left as bytes (Jedis would otherwise copy every string of a large read into a String first), so
     * records are parsed straight from UTF-8.
     */
    record Script(String name, byte[] text, byte[] sha) {

        Script(String name, String text) {
            this(name, text.getBytes(StandardCharsets.UTF_8), sha1(text));
        }

        Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
            List<byte[]> k = keys.stream().map(RedisScripts::utf8).toList();
            List<byte[]> a = args.stream().map(RedisScripts::utf8).toList();
            try {
                return redis.evalsha(sha, k, a);
            } catch (JedisNoScriptException e) {
                return redis.eval(text, k, a);
            }
        }

        private static byte[] sha1(String text) {
            try {
                return utf8(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8))));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-1, which every Java platform must have", e);
            }
        }
    }
}
