package dev.ppml.keys.cdh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.sun.net.httpserver.HttpServer;
import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyServices;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cdh:// backend against a loopback stand-in for the Confidential Data Hub's REST API. */
class CdhKeyServiceTest {

    private static final byte[] RAW_KEY = new byte[32];
    private HttpServer cdh;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private KeyServiceOptions options;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < 32; i++) {
            RAW_KEY[i] = (byte) (i * 7);
        }
        cdh = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdh.createContext(
                "/cdh/resource/",
                ex -> {
                    paths.add(ex.getRequestURI().getPath());
                    byte[] body =
                            ex.getRequestURI().getPath().endsWith("/people")
                                    ? RAW_KEY
                                    : "denied".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(
                            ex.getRequestURI().getPath().endsWith("/people") ? 200 : 403,
                            body.length);
                    ex.getResponseBody().write(body);
                    ex.close();
                });
        cdh.start();
        options =
                KeyServiceOptions.of(
                        Map.of(
                                CdhKeyService.URL,
                                "http://127.0.0.1:" + cdh.getAddress().getPort()));
        KeyServices.invalidateAll();
    }

    @AfterEach
    void stop() {
        cdh.stop(0);
    }

    @Test
    void fetchesTheResourceFromTheDataHubAndBuildsAnAead() throws Exception {
        Aead aead = KeyReference.of("cdh://default/key/people", options).unlock();
        byte[] ct = aead.encrypt("x".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertThat(aead.decrypt(ct, new byte[0])).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        assertThat(paths).containsExactly("/cdh/resource/default/key/people");
    }

    @Test
    void refusalNamesTheUriAndTheLikelyCause() {
        assertThatThrownBy(() -> KeyReference.of("cdh://default/key/other", options).unlock())
                .hasMessageContaining("answered HTTP 403 for key URI 'cdh://default/key/other'")
                .hasMessageContaining("policy");
    }

    @Test
    void unreachableDataHubSaysWhereCdhKeysWork() {
        cdh.stop(0);
        assertThatThrownBy(() -> KeyReference.of("cdh://default/key/people", options).unlock())
                .hasMessageContaining("unreachable")
                .hasMessageContaining("Confidential Containers pod");
    }

    @Test
    void malformedUriIsRejected() {
        assertThatThrownBy(() -> KeyReference.of("cdh://only-two/parts", options).unlock())
                .hasMessageContaining("expected cdh://<repository>/<type>/<tag>");
    }
}
