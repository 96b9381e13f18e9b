package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.config.HotlineConfig;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisErrorsTest {

    private static final RedisSettings SETTINGS = RedisSettings.home(HotlineConfig.of(Map.of(
            "hotline.redis.user", "nova", "hotline.redis.password", "s3cret", "hotline.redis.key-prefix", "hl")));

    @Test
    void aMissingAclRightNamesTheKeysChannelAndCommandsNeeded() {
        StoreException e = RedisErrors.translate(
                new JedisDataException("NOPERM User nova has no permissions to run the 'evalsha' command"), SETTINGS,
                "register e1 of nova.conductor");
        assertThat(e).isNotInstanceOf(StoreUnavailableException.class);
        assertThat(e.getMessage()).contains("does not allow this user to register e1 of nova.conductor", "~hl:*",
                "&hl:*", RedisDeployment.ACL_COMMANDS).doesNotContain("s3cret");
    }

    @Test
    void refusedCredentialsNameTheKeysToCheckButNotThePassword() {
        StoreException e = RedisErrors.translate(new JedisAccessControlException(
                "WRONGPASS invalid username-password pair or user is disabled."), SETTINGS, "ping");
        assertThat(e).isNotInstanceOf(StoreUnavailableException.class);
        assertThat(e.getMessage()).contains("refused the credentials to ping", "hotline.redis.user",
                "hotline.redis.password").doesNotContain("s3cret");
    }

    @Test
    void aServerThatCannotAnswerNowIsAnOutage() {
        for (String reply : new String[] {"LOADING Redis is loading the dataset in memory",
                "CLUSTERDOWN The cluster is down", "MASTERDOWN Link with MASTER is down", "READONLY You can't write",
                "TRYAGAIN Multiple keys request during rehashing", "BUSY Redis is busy running a script"}) {
            assertThat(RedisErrors.translate(new JedisDataException(reply), SETTINGS, "read s"))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("is unavailable; cannot read s");
        }
        assertThat(RedisErrors.translate(new JedisConnectionException(new ConnectException("Connection refused")),
                SETTINGS, "read s")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageNotContaining("with TLS");
    }

    @Test
    void otherRepliesAreRefusals() {
        StoreException e = RedisErrors.translate(new JedisDataException("WRONGTYPE Operation against a key holding"
                + " the wrong kind of value"), SETTINGS, "read s");
        assertThat(e).isNotInstanceOf(StoreUnavailableException.class);
        assertThat(e.getMessage()).contains("refused to read s: WRONGTYPE");
    }
}
