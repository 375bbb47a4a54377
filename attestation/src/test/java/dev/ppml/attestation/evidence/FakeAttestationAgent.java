package dev.ppml.attestation.evidence;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;

/**
 * A loopback stand-in for guest-components' {@code api-server-rest} (its {@code router.rs} and
 * {@code utils.rs}), behaving as a given release does:
 *
 * <ul>
 *   <li>the query is form-urlencoded and decoded into strings, lossy UTF-8, as Rust's {@code
 *       form_urlencoded::parse(..).into_owned()} does;
 *   <li>from v0.21.0, {@code encoding=base64} decodes {@code runtime_data} as URL-safe base64
 *       without padding (400 "BAD REQUEST" when invalid or for another encoding); without {@code
 *       encoding}, and in every older release whatever {@code encoding} says, the runtime data is
 *       the UTF-8 bytes of the query value;
 *   <li>{@code GET /info} answers {@code {"version":"Guest Components Version: vX.Y.Z",...}} from
 *       v0.20.0, 404 "URL NOT FOUND" before;
 *   <li>without the attestation feature (the kata agent's default) {@code /aa/*} answers 404
 *       "Attestation Feature Not Enabled";
 *   <li>the attester is TDX (REPORTDATA of a real quote set to the runtime data, zero-padded; more
 *       than 64 bytes is an error, answered 500 with the error text) or sample.
 * </ul>
 */
final class FakeAttestationAgent implements AutoCloseable {
    enum Attester {
        TDX,
        SAMPLE
    }

    private final HttpServer server;
    private final int[] version;
    private final Attester attester;
    private final boolean attestationEnabled;
    final AtomicReference<String> lastRawQuery = new AtomicReference<>();
    final AtomicReference<byte[]> lastRuntimeData = new AtomicReference<>();
    final AtomicReference<Boolean> tamper = new AtomicReference<>(false);

    private FakeAttestationAgent(int[] version, Attester attester, boolean attestationEnabled)
            throws IOException {
        this.version = version;
        this.attester = attester;
        this.attestationEnabled = attestationEnabled;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::route);
        server.start();
    }

    /** An agent of guest-components {@code major.minor.patch}. */
    static FakeAttestationAgent release(
            int major, int minor, int patch, Attester attester, boolean attestationEnabled)
            throws IOException {
        return new FakeAttestationAgent(
                new int[] {major, minor, patch}, attester, attestationEnabled);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private boolean atLeast(int major, int minor) {
        return Arrays.compare(version, new int[] {major, minor, 0}) >= 0;
    }

    private void route(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> params = parseQuery(ex.getRequestURI().getRawQuery());
            if (path.equals("/info") && atLeast(0, 20)) {
                send(
                        ex,
                        200,
                        String.format(
                                "{\"version\":\"Guest Components Version: v%d.%d.%d\","
                                        + "\"tee\":\"tdx\",\"feature\":\"all\"}",
                                version[0], version[1], version[2]));
                return;
            }
            if (!path.startsWith("/aa/")) {
                send(ex, 404, "URL NOT FOUND");
                return;
            }
            if (!attestationEnabled) {
                send(ex, 404, "Attestation Feature Not Enabled");
                return;
            }
            if (!path.equals("/aa/evidence")) {
                send(ex, 404, "URL NOT FOUND");
                return;
            }
            lastRawQuery.set(ex.getRequestURI().getRawQuery());
            String value = params.get("runtime_data");
            if (value == null) {
                send(ex, 400, "BAD REQUEST");
                return;
            }
            byte[] runtimeData;
            String encoding = atLeast(0, 21) ? params.get("encoding") : null;
            if (encoding == null) {
                runtimeData = value.getBytes(StandardCharsets.UTF_8);
            } else if (encoding.equals("base64")) {
                try {
                    if (value.contains("=")) {
                        throw new IllegalArgumentException("padding");
                    }
                    runtimeData = Base64.getUrlDecoder().decode(value);
                } catch (IllegalArgumentException e) {
                    send(ex, 400, "BAD REQUEST");
                    return;
                }
            } else {
                send(ex, 400, "BAD REQUEST");
                return;
            }
            lastRuntimeData.set(runtimeData);
            if (tamper.get()) {
                runtimeData = new byte[] {'x'};
            }
            if (attester == Attester.TDX) {
                if (runtimeData.length > 64) {
                    send(
                            ex,
                            500,
                            "get evidence failed: TDX Attester: runtime data should be no more"
                                    + " than 64 bytes, got "
                                    + runtimeData.length);
                    return;
                }
                byte[] quote = quoteWithReportData(runtimeData);
                send(
                        ex,
                        200,
                        "{\"cc_eventlog\":null,\"quote\":\""
                                + Base64.getEncoder().encodeToString(quote)
                                + "\"}");
            } else {
                send(
                        ex,
                        200,
                        "{\"svn\":\"1\",\"report_data\":\""
                                + Base64.getEncoder().encodeToString(runtimeData)
                                + "\"}");
            }
        }
    }

    /** Trustee's v4 test quote with REPORTDATA (body offset 520) set to the runtime data. */
    private static byte[] quoteWithReportData(byte[] runtimeData) throws IOException {
        byte[] quote =
                Files.readAllBytes(Path.of("src/test/resources/tdx/trustee/tdx_quote_4.dat"));
        byte[] padded = Arrays.copyOf(runtimeData, 64);
        System.arraycopy(padded, 0, quote, 48 + 520, 64);
        return quote;
    }

    private static Map<String, String> parseQuery(@Nullable String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            // percent-decoding to bytes, then lossy UTF-8, as Rust's form_urlencoded does
            out.put(
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
