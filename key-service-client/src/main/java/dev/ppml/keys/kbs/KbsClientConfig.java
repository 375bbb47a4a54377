package dev.ppml.keys.kbs;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Locale;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Settings of the KBS client, read from key-service options. Durations are ISO-8601 in the options
 * map; Flink users write them as Flink durations ({@code ppml.key-service.kbs.request-timeout: 10
 * s}) and the connector converts.
 *
 * <table>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>kbs.tee</td><td>(required)</td><td>evidence provider: tdx, coco-aa or sample</td></tr>
 *   <tr><td>kbs.ca-cert</td><td>JDK trust store</td><td>PEM file of the CA that signed the broker's TLS certificate</td></tr>
 *   <tr><td>kbs.plaintext-http</td><td>false</td><td>use http:// (loopback brokers only, e.g. the development broker)</td></tr>
 *   <tr><td>kbs.request-timeout</td><td>10 s</td><td>timeout of one HTTP request</td></tr>
 *   <tr><td>kbs.max-attempts</td><td>4</td><td>attempts when the broker is unreachable or answers 5xx</td></tr>
 *   <tr><td>kbs.retry-backoff</td><td>250 ms</td><td>first pause between attempts, doubled each time</td></tr>
 *   <tr><td>kbs.session-ttl</td><td>5 min</td><td>how long a token without an expiry claim is reused</td></tr>
 * </table>
 */
public final class KbsClientConfig {
    public static final String TEE = "kbs.tee";
    public static final String CA_CERT = "kbs.ca-cert";
    public static final String PLAINTEXT_HTTP = "kbs.plaintext-http";
    public static final String REQUEST_TIMEOUT = "kbs.request-timeout";
    public static final String MAX_ATTEMPTS = "kbs.max-attempts";
    public static final String RETRY_BACKOFF = "kbs.retry-backoff";
    public static final String SESSION_TTL = "kbs.session-ttl";

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(250);
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofMinutes(5);

    private final String tee;
    @Nullable private final Path caCert;
    private final boolean plaintextHttp;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Duration sessionTtl;

    private KbsClientConfig(
            String tee,
            @Nullable Path caCert,
            boolean plaintextHttp,
            Duration requestTimeout,
            int maxAttempts,
            Duration retryBackoff,
            Duration sessionTtl) {
        this.tee = tee;
        this.caCert = caCert;
        this.plaintextHttp = plaintextHttp;
        this.requestTimeout = requestTimeout;
        this.maxAttempts = maxAttempts;
        this.retryBackoff = retryBackoff;
        this.sessionTtl = sessionTtl;
    }

    /**
     * Reads and checks the settings.
     *
     * @throws InvalidKeyReferenceException naming the option when one is missing or malformed
     */
    public static KbsClientConfig from(KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        String tee =
                options.get(TEE)
                        .map(t -> t.trim().toLowerCase(Locale.ROOT))
                        .filter(t -> !t.isEmpty())
                        .orElseThrow(
                                () ->
                                        new InvalidKeyReferenceException(
                                                "kbs:// key URIs need the evidence provider: set"
                                                        + " key-service option '"
                                                        + TEE
                                                        + "' to tdx, coco-aa or sample; the options"
                                                        + " given were "
                                                        + options.asMap().keySet(),
                                                TEE));
        return new KbsClientConfig(
                tee,
                options.get(CA_CERT).map(Path::of).orElse(null),
                options.getBoolean(PLAINTEXT_HTTP, false),
                options.getDuration(REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
                options.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1),
                options.getDuration(RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF),
                options.getDuration(SESSION_TTL, DEFAULT_SESSION_TTL));
    }

    public String tee() {
        return tee;
    }

    public boolean plaintextHttp() {
        return plaintextHttp;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration sessionTtl() {
        return sessionTtl;
    }

    /** An HTTP client trusting {@code kbs.ca-cert} when set, else the JDK's trust store. */
    HttpClient httpClient() throws KeyServiceException {
        HttpClient.Builder builder =
                HttpClient.newBuilder()
                        .connectTimeout(requestTimeout)
                        .version(HttpClient.Version.HTTP_1_1);
        if (caCert != null) {
            builder.sslContext(sslContext(caCert));
        }
        return builder.build();
    }

    private static SSLContext sslContext(Path caCert) throws KeyServiceException {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate cert :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("kbs-ca-" + i++, cert);
            }
            if (i == 0) {
                throw new KeyServiceException(
                        "kbs.ca-cert " + caCert + " holds no PEM certificate");
            }
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new KeyServiceException(
                    String.format("cannot use kbs.ca-cert %s: %s", caCert, e.getMessage()), e);
        }
    }
}
