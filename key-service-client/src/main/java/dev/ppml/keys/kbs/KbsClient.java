package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEObjectJSON;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.ppml.keys.KeyServiceException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a Trustee-compatible Key Broker Service (KBS attestation protocol 0.4.0): it attests
 * with evidence bound to a fresh P-256 key, keeps the session cookie and the attestation token
 * until the token expires, and fetches resources as JWEs encrypted to that key.
 *
 * <pre>
 * POST /kbs/v0/auth     {version, tee, extra-params}                 -> {nonce} + kbs-session-id
 * POST /kbs/v0/attest   {runtime-data:{nonce, tee-pubkey},
 *                        tee-evidence:{primary_evidence, additional_evidence}} -> {token}
 * GET  /kbs/v0/resource/&lt;repo&gt;/&lt;type&gt;/&lt;tag&gt;                  -> flattened JWE
 * </pre>
 *
 * <p>Trustee answers almost every refusal with 401 and tells them apart by the variant at the end
 * of the body's {@code type}; only {@code TokenVerifierError} and {@code TokenNotFound} (the token
 * expired or the broker forgot the session) trigger one new handshake. A missing resource ({@code
 * PluginInternalError}), the resource policy's refusal ({@code PolicyDeny}) and a refused
 * attestation ({@code AttestationError}) become typed {@link KbsException}s that say what to check.
 * Connection failures and 5xx answers are retried with exponential backoff up to {@link
 * KbsClientConfig#maxAttempts()}.
 *
 * <p>Security guarantees: the private key never leaves this object; the token, cookie and resource
 * are never logged; the resource is returned only after JWE decryption succeeded.
 */
public final class KbsClient {
    private static final Logger LOG = LoggerFactory.getLogger(KbsClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The protocol version this client speaks. */
    public static final String PROTOCOL_VERSION = "0.4.0";

    private static final String SESSION_COOKIE = "kbs-session-id";

    private final URI base;
    private final KbsClientConfig config;
    private final EvidenceSource evidence;
    private final RuntimeDataBinder binder;
    private final HttpClient http;
    private final Clock clock;
    @Nullable private Session session;

    public KbsClient(
            URI base,
            KbsClientConfig config,
            EvidenceSource evidence,
            RuntimeDataBinder binder,
            Clock clock)
            throws KeyServiceException {
        this.base = base;
        this.config = config;
        this.evidence = evidence;
        this.binder = binder;
        this.clock = clock;
        this.http = config.httpClient();
    }

    /** The attested session: the TEE key, the cookie and the token with its expiry. */
    private static final class Session {
        final ECKey teeKey;
        final String cookie;
        final String token;
        final Instant expiresAt;

        Session(ECKey teeKey, String cookie, String token, Instant expiresAt) {
            this.teeKey = teeKey;
            this.cookie = cookie;
            this.token = token;
            this.expiresAt = expiresAt;
        }
    }

    /** Fetches and decrypts a resource, attesting first when there is no valid session. */
    public synchronized byte[] getResource(String resourcePath) throws KeyServiceException {
        Session current = validSession();
        try {
            return fetch(current, resourcePath);
        } catch (KbsException.Unauthorized e) {
            LOG.info(
                    "KBS at {} answered {} for {}; attesting again once",
                    base,
                    e.variant(),
                    resourcePath);
            session = null;
            return fetch(validSession(), resourcePath);
        }
    }

    private Session validSession() throws KeyServiceException {
        Session s = session;
        if (s == null || !clock.instant().isBefore(s.expiresAt.minusSeconds(5))) {
            s = handshake();
            session = s;
        }
        return s;
    }

    private Session handshake() throws KeyServiceException {
        ECKey teeKey;
        try {
            teeKey =
                    new ECKeyGenerator(Curve.P_256)
                            .algorithm(JWEAlgorithm.ECDH_ES_A256KW)
                            .generate();
        } catch (JOSEException e) {
            throw new KeyServiceException("cannot generate the TEE key pair: " + e.getMessage());
        }

        ObjectNode request = JSON.createObjectNode();
        request.put("version", PROTOCOL_VERSION);
        request.put("tee", evidence.tee());
        request.putObject("extra-params");
        Reply auth = send(post("/kbs/v0/auth", request, null), "POST /kbs/v0/auth", null);
        String cookie =
                auth.cookie(SESSION_COOKIE)
                        .orElseThrow(
                                () ->
                                        new KbsException.Protocol(
                                                "KBS at " + base + " sent no kbs-session-id cookie",
                                                auth.status,
                                                null));
        String nonce = auth.json().path("nonce").asText(null);
        if (nonce == null || nonce.isEmpty()) {
            throw new KbsException.Protocol(
                    "KBS at " + base + " sent no nonce in its challenge", auth.status, null);
        }

        ObjectNode pubkey = (ObjectNode) JSON.valueToTree(teeKey.toPublicJWK().toJSONObject());
        byte[] reportData = binder.reportData(nonce, pubkey);
        JsonNode primary;
        try {
            primary = evidence.evidence(reportData);
        } catch (IOException e) {
            throw new KeyServiceException(
                    "cannot collect " + evidence.tee() + " evidence: " + e.getMessage(), e);
        }
        ObjectNode attest = JSON.createObjectNode();
        ObjectNode runtime = attest.putObject("runtime-data");
        runtime.put("nonce", nonce);
        runtime.set("tee-pubkey", pubkey);
        ObjectNode teeEvidence = attest.putObject("tee-evidence");
        teeEvidence.set("primary_evidence", primary);
        teeEvidence.put("additional_evidence", "");
        Reply attested = send(post("/kbs/v0/attest", attest, cookie), "POST /kbs/v0/attest", null);
        String token = attested.json().path("token").asText(null);
        if (token == null || token.isEmpty()) {
            throw new KbsException.Protocol(
                    "KBS at " + base + " accepted the evidence but sent no token",
                    attested.status,
                    null);
        }
        Instant expiresAt = tokenExpiry(token);
        LOG.info(
                "Attested to KBS at {} with {} evidence; token valid until {}",
                base,
                evidence.tee(),
                expiresAt);
        return new Session(
                teeKey, attested.cookie(SESSION_COOKIE).orElse(cookie), token, expiresAt);
    }

    private Instant tokenExpiry(String token) {
        try {
            Date exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
            if (exp != null) {
                return exp.toInstant();
            }
        } catch (ParseException e) {
            LOG.debug("KBS token is not a JWT; reusing it for {}", config.sessionTtl());
        }
        return clock.instant().plus(config.sessionTtl());
    }

    private byte[] fetch(Session s, String resourcePath) throws KeyServiceException {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve(resourcePath))
                        .timeout(config.requestTimeout())
                        .header("Cookie", SESSION_COOKIE + "=" + s.cookie)
                        .header("Authorization", "Bearer " + s.token)
                        .GET()
                        .build();
        Reply reply = send(request, "GET " + resourcePath, resourcePath);
        try {
            JWEObjectJSON jwe = JWEObjectJSON.parse(reply.body);
            jwe.decrypt(new ECDHDecrypter(s.teeKey));
            return jwe.getPayload().toBytes();
        } catch (ParseException | JOSEException | RuntimeException e) {
            throw new KbsException.Protocol(
                    String.format(
                            "the resource %s from KBS at %s is not a JWE for this TEE key (%s: %s)",
                            resourcePath, base, e.getClass().getSimpleName(), e.getMessage()),
                    reply.status,
                    null);
        }
    }

    private HttpRequest post(String path, JsonNode body, @Nullable String cookie) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(config.requestTimeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            b.header("Cookie", SESSION_COOKIE + "=" + cookie);
        }
        return b.build();
    }

    /**
     * Sends with retries on connection failures and 5xx; maps error statuses to types. {@code what}
     * names the request ({@code POST /kbs/v0/auth}); {@code resourcePath} is set for resources.
     */
    private Reply send(HttpRequest request, String what, @Nullable String resourcePath)
            throws KeyServiceException {
        Duration backoff = config.retryBackoff();
        KbsException last = null;
        IOException transport = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            try {
                HttpResponse<String> response =
                        http.send(
                                request,
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return new Reply(
                            status, response.body(), response.headers().allValues("set-cookie"));
                }
                KbsException error = error(status, response.body(), what, resourcePath);
                if (!(error instanceof KbsException.Unavailable)) {
                    throw error;
                }
                last = error;
                transport = null;
            } catch (KbsException e) {
                throw e; // a refusal, not a transport failure: no retry
            } catch (IOException e) {
                transport = e;
                last =
                        new KbsException.Unavailable(
                                String.format(
                                        "cannot reach the KBS at %s: %s failed (%s)",
                                        base, what, describe(e)),
                                (Throwable) null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KbsException.Unavailable(
                        "interrupted while calling the KBS at " + base + " (" + what + ")", e);
            }
            if (attempt < config.maxAttempts()) {
                LOG.warn(
                        "KBS {} failed (attempt {} of {}): {}; retrying in {} ms",
                        what,
                        attempt,
                        config.maxAttempts(),
                        last.getMessage(),
                        backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
        KbsException.Unavailable failed =
                new KbsException.Unavailable(
                        String.format(
                                "%s after %d attempts; check that the key broker is running and"
                                        + " reachable from this machine and that the kbs:// key"
                                        + " URI's host and port (%s:%d) are right",
                                last.getMessage(),
                                config.maxAttempts(),
                                base.getHost(),
                                base.getPort()),
                        last.status(),
                        last.problemType());
        // Kept for the stack trace, not as the cause: callers that print the innermost cause
        // would otherwise show a bare "ClosedChannelException" instead of what failed.
        if (transport != null) {
            failed.addSuppressed(transport);
        }
        throw failed;
    }

    /**
     * A transport failure in words. The JDK reports a refused connection as a ConnectException
     * without a message around a bare ClosedChannelException, which says nothing to a reader.
     */
    private String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + config.requestTimeout().toMillis() + " ms";
        }
        if (e instanceof ConnectException || e.getCause() instanceof ClosedChannelException) {
            return "the connection was refused or closed: nothing accepted it";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }

    private KbsException error(
            int status, String body, String what, @Nullable String resourcePath) {
        String type = null;
        String detail = null;
        try {
            JsonNode problem = JSON.readTree(body);
            type = problem.path("type").asText(null);
            detail = problem.path("detail").asText(null);
        } catch (IOException | RuntimeException notJson) {
            // fall through: a plain-text or empty error body
        }
        String variant = type == null ? "" : type.substring(type.lastIndexOf('/') + 1);
        String message =
                String.format(
                        "KBS at %s refused %s with HTTP %d%s%s",
                        base,
                        what,
                        status,
                        variant.isEmpty() ? "" : " " + variant,
                        detail == null ? "" : " (" + detail + ")");
        String resource = resourcePath == null ? null : resourceUri(resourcePath);
        if (status >= 500) {
            return new KbsException.Unavailable(message, status, type);
        }
        if (resourcePath == null && (status == 401 || status == 400 || status == 403)) {
            return new KbsException.AttestationRefused(
                    message
                            + ": the broker refused the attestation; check its attestation policy"
                            + " and reference values (measurements) for this TEE, and that it"
                            + " accepts the '"
                            + evidence.tee()
                            + "' TEE",
                    status,
                    type);
        }
        switch (variant) {
            case "TokenVerifierError":
            case "TokenNotFound":
                return new KbsException.Unauthorized(message, type);
            case "PluginInternalError":
                return new KbsException.NotFound(
                        String.format(
                                "the resource %s does not exist at the KBS at %s (or the broker's"
                                        + " resource plugin failed); %s",
                                resource, base, message),
                        status,
                        type);
            case "PolicyDeny":
                return new KbsException.Denied(
                        String.format(
                                "the resource %s was denied by the KBS resource policy at %s;"
                                        + " the broker attested this TEE but its resource policy"
                                        + " does not release the resource to it (Trustee's"
                                        + " default policy denies the sample TEE: load"
                                        + " allow_all.rego for development); %s",
                                resource, base, message),
                        status,
                        type);
            case "AttestationError":
                return new KbsException.AttestationRefused(
                        message
                                + ": the broker refused the attestation; check its attestation"
                                + " policy and reference values (measurements) for this TEE",
                        status,
                        type);
            default:
                break;
        }
        if (status == 404) {
            return new KbsException.NotFound(
                    String.format(
                            "the KBS at %s has no endpoint for %s (unknown plugin or invalid"
                                    + " path); %s",
                            base, resource == null ? what : resource, message),
                    status,
                    type);
        }
        if (status == 403) {
            return new KbsException.Denied(
                    message + " (the broker's policy does not release it to this TEE)",
                    status,
                    type);
        }
        return new KbsException.Protocol(message, status, type);
    }

    /** {@code /kbs/v0/resource/r/t/g} as the key URI names it, {@code kbs:///r/t/g}. */
    private static String resourceUri(String resourcePath) {
        String prefix = "/kbs/v0/resource/";
        return "kbs:///"
                + (resourcePath.startsWith(prefix)
                        ? resourcePath.substring(prefix.length())
                        : resourcePath);
    }

    private static void sleep(Duration d) throws KbsException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbsException.Unavailable("interrupted while waiting to retry", e);
        }
    }

    /** A successful answer. */
    private static final class Reply {
        final int status;
        final String body;
        final List<String> setCookies;

        Reply(int status, String body, List<String> setCookies) {
            this.status = status;
            this.body = body;
            this.setCookies = setCookies;
        }

        JsonNode json() throws KbsException.Protocol {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new KbsException.Protocol("KBS answer is not JSON", status, null);
            }
        }

        Optional<String> cookie(String name) {
            for (String header : setCookies) {
                for (String part : header.split(";")) {
                    String p = part.trim();
                    if (p.startsWith(name + "=")) {
                        return Optional.of(p.substring(name.length() + 1));
                    }
                }
            }
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "KbsClient{" + base + ", tee=" + evidence.tee() + "}";
    }
}
