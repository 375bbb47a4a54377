package dev.ppml.keys.kbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kbs://} key URIs and their options as {@link KeyReference#of} checks them, offline and
 * before any job runs: ports, resource paths, the loopback rule for plain HTTP, {@code kbs.hash}.
 */
class KbsResourceUriTest {

    private static KeyServiceOptions options(String... extra) {
        Map<String, String> m = new HashMap<>();
        m.put(KbsClientConfig.TEE, "sample");
        m.put(KbsClientConfig.PLAINTEXT_HTTP, "true");
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return KeyServiceOptions.of(m);
    }

    @Test
    void portsOutsideOneTo65535AreRejectedNamingThePort() {
        for (String port : List.of("99999", "0", "-1", "abc", "65536", "")) {
            String uri = "kbs://127.0.0.1:" + port + "/a/b/c";
            assertThatThrownBy(() -> KeyReference.of(uri, options()))
                    .as(uri)
                    .isInstanceOf(InvalidKeyReferenceException.class)
                    .hasMessageContaining("key URI '" + uri + "'")
                    .hasMessageContaining("its port '" + port + "' is not a TCP port")
                    .hasMessageContaining("1 to 65535");
        }
    }

    @Test
    void portIsKeptOrDefaults() throws Exception {
        assertThat(KbsResourceUri.parse(KeyUri.parse("kbs://127.0.0.1:65535/a/b/c")).port())
                .isEqualTo(65535);
        assertThat(KbsResourceUri.parse(KeyUri.parse("kbs://kbs.example/a/b/c")).port())
                .isEqualTo(8080);
    }

    @Test
    void dotAndEmptySegmentsAreRejectedNotSent() {
        for (String path :
                List.of(
                        "/../key/x",
                        "/default/../x",
                        "/default/key/..",
                        "/./key/x",
                        "/%2e%2e/key/x",
                        "/default/%2E%2e/x",
                        "/default/.%2e/x",
                        "//key/x",
                        "/default//x",
                        "/default/key/",
                        "/default/key/x/",
                        "/default/k%2fy/x")) {
            String uri = "kbs://127.0.0.1:8080" + path;
            assertThatThrownBy(() -> KeyReference.of(uri, options()))
                    .as(uri)
                    .isInstanceOf(InvalidKeyReferenceException.class)
                    .hasMessageContaining("key URI '" + uri + "'")
                    .hasMessageMatching(
                            "(?s).*(dot segment|empty segment|segments, not 3|characters other).*");
        }
    }

    @Test
    void cdhUrisWithABadShapeAreRejected() {
        for (String uri :
                List.of(
                        "cdh://../key/x",
                        "cdh://default/%2e%2e/x",
                        "cdh:///key/x",
                        "cdh://default//x",
                        "cdh:default/key/x",
                        "cdh://a/b/c/d")) {
            assertThatThrownBy(() -> KeyReference.of(uri))
                    .as(uri)
                    .isInstanceOf(InvalidKeyReferenceException.class)
                    .hasMessageContaining("key URI '" + uri + "'")
                    .hasMessageContaining("cdh://<repository>/<type>/<tag>");
        }
    }

    @Test
    void plainHttpOnlyToLoopbackLiteralsNotToNamesThatLookLikeThem() {
        for (String host :
                List.of(
                        "127.attacker.example",
                        "127.0.0.1.attacker.example",
                        "localhost.attacker.example",
                        "127.0.0.1.nip.io",
                        "[::2]",
                        "10.0.0.1",
                        "0x7f000001",
                        "2130706433",
                        "127.1")) {
            String uri = "kbs://" + host + ":8080/default/key/people";
            assertThatThrownBy(() -> KeyReference.of(uri, options()))
                    .as(uri)
                    .isInstanceOf(InvalidKeyReferenceException.class)
                    .hasMessageContaining("plain HTTP to loopback brokers only");
        }
    }

    @Test
    void loopbackLiteralsAndLocalhostMayUsePlainHttp() throws Exception {
        for (String host :
                List.of(
                        "127.0.0.1",
                        "127.9.8.7",
                        "localhost",
                        "LOCALHOST",
                        "[::1]",
                        "[0:0:0:0:0:0:0:1]")) {
            KeyReference.of("kbs://" + host + ":8080/default/key/people", options());
        }
    }

    @Test
    void kbsHashIsLimitedToWhatTrusteeAcceptsForTheTee() throws Exception {
        for (String bad : List.of("sha256", "sha512", "md5")) {
            assertThatThrownBy(
                            () ->
                                    KeyReference.of(
                                            "kbs://127.0.0.1:8080/default/key/people",
                                            options(KbsKeyServiceFactory.HASH, bad)))
                    .isInstanceOf(InvalidKeyReferenceException.class)
                    .hasMessageContaining("key-service option 'kbs.hash' has value '" + bad + "'")
                    .hasMessageContaining("expected sha384 for kbs.tee 'sample'")
                    .satisfies(
                            e ->
                                    assertThat(((InvalidKeyReferenceException) e).option())
                                            .contains(KbsKeyServiceFactory.HASH));
        }
        KeyReference.of(
                "kbs://127.0.0.1:8080/default/key/people",
                options(KbsKeyServiceFactory.HASH, "sha384"));
    }
}
