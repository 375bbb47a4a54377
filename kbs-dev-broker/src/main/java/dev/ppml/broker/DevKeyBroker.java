package dev.ppml.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWEObjectJSON;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.evidence.EvidenceVerifier;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.attestation.verify.TdxCollateral;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.kbs.KbsClient;
import dev.ppml.keys.kbs.RuntimeDataBinder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A development key broker: our own implementation of the Trustee KBS attestation protocol 0.4.0 on
 * loopback, for tests, the demo and people trying the flow by hand. It verifies evidence with an
 * {@link EvidenceCheck} (the attestation module's verifier and a policy) and releases resources
 * from a directory ({@code <dir>/<repo>/<type>/<tag>}) only to attested clients, as JWEs encrypted
 * to the key the evidence was bound to.
 *
 * <p>Errors are what Trustee's code sends ({@code kbs/src/error.rs}), not what its protocol
 * document says: a body {@code {"type": ".../errors/<Variant>", "detail": ...}} without a
 * Content-Type; 404 only for an unknown plugin or an invalid request path, 401 for everything else,
 * told apart by the variant ({@code PluginInternalError}, {@code PolicyDeny}, {@code
 * TokenVerifierError}, {@code TokenNotFound}, {@code AttestationError}). As in Trustee, an {@code
 * /attest} failure does not say why; the reason is logged here.
 *
 * <p>Restrictions: plain HTTP on 127.0.0.1 only; sessions and tokens live in memory; it is not a
 * production broker. Nonces are single-use and expire with the session; expired sessions are
 * evicted and at most {@link #DEFAULT_MAX_SESSIONS} live at once (the oldest go first).
 */
public final class DevKeyBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevKeyBroker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
    private static final String PROBLEM = "https://github.com/confidential-containers/kbs/errors/";

    /** How many sessions may live at once before the oldest is evicted. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;

    /** Decides whether an attested TEE may have a resource, as Trustee's resource policy does. */
    @FunctionalInterface
    public interface ResourcePolicy {
        /** Whether {@code tee} may have {@code <repo>/<type>/<tag>}. */
        boolean allows(String tee, String resourcePath);

        /** Trustee's {@code allow_all.rego}: every attested client gets every resource. */
        ResourcePolicy ALLOW_ALL = (tee, path) -> true;
    }

    private final EvidenceCheck check;
    private final RuntimeDataBinder binder;
    private final Set<String> allowedTees;
    private final Path resources;
    private final Clock clock;
    private final Duration sessionTtl;
    private final Duration tokenTtl;
    private final ECKey signingKey;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger released = new AtomicInteger();
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile int maxSessions = DEFAULT_MAX_SESSIONS;
    private volatile ResourcePolicy resourcePolicy = ResourcePolicy.ALLOW_ALL;
    private HttpServer server;

    private static final class Session {
        final String tee;
        final String nonce;
        final Instant expiresAt;
        volatile boolean nonceUsed;
        @Nullable volatile ECKey teeKey;
        @Nullable volatile String token;

        Session(String tee, String nonce, Instant expiresAt) {
            this.tee = tee;
            this.nonce = nonce;
            this.expiresAt = expiresAt;
        }
    }

    public DevKeyBroker(
            EvidenceCheck check,
            RuntimeDataBinder binder,
            Set<String> allowedTees,
            Path resources,
            Clock clock,
            Duration sessionTtl,
            Duration tokenTtl)
            throws KeyServiceException {
        this.check = check;
        this.binder = binder;
        this.allowedTees = Set.copyOf(allowedTees);
        this.resources = resources.toAbsolutePath().normalize();
        this.clock = clock;
        this.sessionTtl = sessionTtl;
        this.tokenTtl = tokenTtl;
        try {
            this.signingKey = new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new KeyServiceException("cannot generate the broker's token key", e);
        }
    }

    /**
     * A broker that judges evidence with the attestation module: TDX quotes verified against {@code
     * collateral} (may be null: then TDX evidence is refused) and evaluated by {@code policy}; the
     * sample TEE accepted only if the policy allows it.
     */
    public static DevKeyBroker withPolicy(
            AttestationPolicy policy,
            @Nullable TdxCollateral collateral,
            Path resources,
            Clock clock)
            throws KeyServiceException {
        EvidenceVerifier verifier = new EvidenceVerifier(policy, collateral, clock);
        Set<String> tees = policy.allowSample() ? Set.of("tdx", "sample") : Set.of("tdx");
        return new DevKeyBroker(
                (tee, evidence, expected) -> verifier.verify(tee, evidence, expected).failures(),
                RuntimeDataBinding::digest,
                tees,
                resources,
                clock,
                Duration.ofMinutes(5),
                Duration.ofMinutes(30));
    }

    /** Starts listening on 127.0.0.1 ({@code port} 0 for any free port); returns the base URI. */
    public URI start(int port) throws IOException {
        return start(port, null);
    }

    /**
     * Starts listening on 127.0.0.1, over TLS when {@code tls} is given (tests of the client's TLS
     * settings; the development broker itself serves plain HTTP).
     */
    public URI start(int port, @Nullable SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        if (tls != null) {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(address, 0);
        }
        server.setExecutor(
                Executors.newFixedThreadPool(
                        4,
                        r -> {
                            Thread t = new Thread(r, "dev-kbs");
                            t.setDaemon(true);
                            return t;
                        }));
        server.createContext("/kbs/v0/", this::handle);
        server.start();
        URI uri =
                URI.create(
                        (tls != null ? "https" : "http")
                                + "://127.0.0.1:"
                                + server.getAddress().getPort());
        LOG.warn(
                "Development key broker listening on {} (loopback only, in-memory sessions): for"
                        + " development and tests, not production",
                uri);
        return uri;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** How many resources were released so far. */
    public int releasedCount() {
        return released.get();
    }

    /** Test hook: forget every session and token, as a broker restart would. */
    public void expireAllSessions() {
        sessions.clear();
    }

    /** How many sessions are held (live or not yet evicted). */
    public int sessionCount() {
        return sessions.size();
    }

    /** Bounds the number of live sessions (default {@link #DEFAULT_MAX_SESSIONS}). */
    public void maxSessions(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max sessions must be at least 1, got " + max);
        }
        maxSessions = max;
    }

    /** Replaces the resource policy (default {@link ResourcePolicy#ALLOW_ALL}). */
    public void resourcePolicy(ResourcePolicy policy) {
        resourcePolicy = Objects.requireNonNull(policy, "policy");
    }

    /** Test hook: answer the next {@code n} requests with 503. */
    public void failNextRequests(int n) {
        failNext.set(n);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                problem(exchange, 503, "ServiceUnavailable", "injected failure");
                return;
            }
            String path = exchange.getRequestURI().getRawPath().substring("/kbs/v0/".length());
            String method = exchange.getRequestMethod();
            int slash = path.indexOf('/');
            String plugin = slash < 0 ? path : path.substring(0, slash);
            if (path.isEmpty()) {
                problem(
                        exchange,
                        404,
                        "InvalidRequestPath",
                        "Request path " + path + " is invalid");
            } else if (method.equals("POST") && path.equals("auth")) {
                auth(exchange);
            } else if (method.equals("POST") && path.equals("attest")) {
                attest(exchange);
            } else if (method.equals("GET") && plugin.equals("resource")) {
                resource(exchange, slash < 0 ? "" : path.substring(slash + 1));
            } else {
                problem(exchange, 404, "PluginNotFound", "Plugin " + plugin + " not found");
            }
        } catch (RuntimeException e) {
            LOG.error("Development key broker failed on {}", exchange.getRequestURI().getPath(), e);
        }
    }

    private void auth(HttpExchange exchange) throws IOException {
        JsonNode request = body(exchange);
        if (request == null
                || !request.path("version").isTextual()
                || !request.path("tee").isTextual()
                || !request.has("extra-params")) {
            authFailed(exchange, "the body is not a KBS Request {version, tee, extra-params}");
            return;
        }
        String version = request.path("version").asText("");
        if (!KbsClient.PROTOCOL_VERSION.equals(version)) {
            authFailed(
                    exchange,
                    "KBS Client Protocol Version Mismatch: expect ="
                            + KbsClient.PROTOCOL_VERSION
                            + " while the request is "
                            + version);
            return;
        }
        String tee = request.path("tee").asText("");
        if (!allowedTees.contains(tee)) {
            authFailed(
                    exchange,
                    "TEE '" + tee + "' is not allowed by this broker; allowed: " + allowedTees);
            return;
        }
        evictSessions();
        byte[] nonceBytes = new byte[32];
        random.nextBytes(nonceBytes);
        String nonce = Base64.getEncoder().encodeToString(nonceBytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(16));
        sessions.put(id, new Session(tee, nonce, clock.instant().plus(sessionTtl)));
        exchange.getResponseHeaders()
                .add("Set-Cookie", "kbs-session-id=" + id + "; Path=/kbs; HttpOnly");
        ObjectNode challenge = JSON.createObjectNode();
        challenge.put("nonce", nonce);
        challenge.putObject("extra-params");
        json(exchange, 200, challenge);
    }

    private void attest(HttpExchange exchange) throws IOException {
        Session session = session(exchange);
        if (session == null) {
            attestFailed(exchange, "no live session for the kbs-session-id cookie");
            return;
        }
        JsonNode request = body(exchange);
        JsonNode runtime = request == null ? null : request.get("runtime-data");
        JsonNode pubkey = runtime == null ? null : runtime.get("tee-pubkey");
        if (runtime == null || !(pubkey instanceof ObjectNode)) {
            attestFailed(exchange, "runtime-data with nonce and tee-pubkey required");
            return;
        }
        if (!session.nonce.equals(runtime.path("nonce").asText(""))) {
            attestFailed(
                    exchange,
                    "the runtime-data nonce is not this session's challenge (stale or forged)");
            return;
        }
        synchronized (session) {
            if (session.nonceUsed) {
                attestFailed(
                        exchange,
                        "this session's nonce was already used: evidence cannot be replayed");
                return;
            }
            session.nonceUsed = true;
        }
        ECKey teeKey;
        byte[] expected;
        try {
            teeKey = ECKey.parse(JSON.writeValueAsString(pubkey));
            expected = binder.reportData(session.nonce, (ObjectNode) pubkey);
        } catch (ParseException | KeyServiceException e) {
            attestFailed(exchange, "tee-pubkey is not a P-256 JWK");
            return;
        }
        JsonNode evidence = request.path("tee-evidence").path("primary_evidence");
        List<String> failures = check.failures(session.tee, evidence, expected);
        if (!failures.isEmpty()) {
            attestFailed(
                    exchange, session.tee + " evidence rejected: " + String.join("; ", failures));
            return;
        }
        String token;
        try {
            SignedJWT jwt =
                    new SignedJWT(
                            new JWSHeader.Builder(JWSAlgorithm.ES256)
                                    .keyID(signingKey.getKeyID())
                                    .build(),
                            new JWTClaimsSet.Builder()
                                    .issuer("ppml-dev-kbs")
                                    .expirationTime(Date.from(clock.instant().plus(tokenTtl)))
                                    .claim("tee", session.tee)
                                    .claim("tee-pubkey", teeKey.toPublicJWK().toJSONObject())
                                    .build());
            jwt.sign(new ECDSASigner(signingKey));
            token = jwt.serialize();
        } catch (JOSEException e) {
            attestFailed(exchange, "cannot sign the token");
            return;
        }
        session.teeKey = teeKey;
        session.token = token;
        LOG.info("Development key broker attested a {} client", session.tee);
        ObjectNode reply = JSON.createObjectNode();
        reply.put("token", token);
        json(exchange, 200, reply);
    }

    private void resource(HttpExchange exchange, String id) throws IOException {
        Optional<String> token = attestationToken(exchange);
        if (token.isEmpty()) {
            problem(exchange, 401, "TokenNotFound", "Attestation Token not found");
            return;
        }
        SignedJWT claims = verifiedToken(token.get());
        ECKey teeKey = claims == null ? null : teePubKey(claims);
        if (teeKey == null) {
            problem(exchange, 401, "TokenVerifierError", "Token Verifier error");
            return;
        }
        String tee = claimTee(claims);
        if (!resourcePolicy.allows(tee, id)) {
            LOG.warn("Development key broker's resource policy denied {} to {}", id, tee);
            problem(exchange, 401, "PolicyDeny", "Access denied by policy");
            return;
        }
        String[] parts = id.split("/", -1);
        if (parts.length != 3
                || !SEGMENT.matcher(parts[1]).matches()
                || !SEGMENT.matcher(parts[2]).matches()
                || !(parts[0].isEmpty() || SEGMENT.matcher(parts[0]).matches())
                || Arrays.stream(parts).anyMatch(p -> p.equals(".") || p.equals(".."))) {
            LOG.warn("Development key broker: invalid resource path {}", id);
            problem(exchange, 401, "PluginInternalError", "Plugin internal error");
            return;
        }
        Path file =
                resources
                        .resolve(parts[0].isEmpty() ? "default" : parts[0])
                        .resolve(parts[1])
                        .resolve(parts[2])
                        .normalize();
        if (!file.startsWith(resources) || !Files.isRegularFile(file)) {
            LOG.warn("Development key broker has no resource {}", id);
            problem(exchange, 401, "PluginInternalError", "Plugin internal error");
            return;
        }
        byte[] secret = Files.readAllBytes(file);
        try {
            // Encrypt as a compact JWE first so the ephemeral key (epk) lands in the protected
            // header, where Trustee's KBS puts it, then serialize it flattened.
            JWEObject compact =
                    new JWEObject(
                            new JWEHeader(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM),
                            new Payload(secret));
            compact.encrypt(new ECDHEncrypter(teeKey));
            JWEObjectJSON jwe = new JWEObjectJSON(compact);
            released.incrementAndGet();
            LOG.info("Development key broker released resource {}", id);
            byte[] body = jwe.serializeFlattened().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (JOSEException e) {
            problem(exchange, 401, "JweError", "JWE failed");
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** As Trustee: the token of the cookie's attested session first, then a bearer token. */
    private Optional<String> attestationToken(HttpExchange exchange) {
        Session session = session(exchange);
        if (session != null && session.token != null) {
            return Optional.of(session.token);
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ") && auth.length() > "Bearer ".length()) {
            return Optional.of(auth.substring("Bearer ".length()));
        }
        return Optional.empty();
    }

    /** The token if this broker signed it and it has not expired, else null. */
    @Nullable
    private SignedJWT verifiedToken(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            Date exp = jwt.getJWTClaimsSet().getExpirationTime();
            if (jwt.verify(new ECDSAVerifier(signingKey.toPublicJWK()))
                    && exp != null
                    && clock.instant().isBefore(exp.toInstant())) {
                return jwt;
            }
        } catch (ParseException | JOSEException e) {
            LOG.debug("Development key broker got a malformed token: {}", e.getMessage());
        }
        return null;
    }

    @Nullable
    private static ECKey teePubKey(SignedJWT jwt) {
        try {
            return ECKey.parse(jwt.getJWTClaimsSet().getJSONObjectClaim("tee-pubkey"));
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static String claimTee(SignedJWT jwt) {
        try {
            String tee = jwt.getJWTClaimsSet().getStringClaim("tee");
            return tee == null ? "" : tee;
        } catch (ParseException e) {
            return "";
        }
    }

    /** Drops expired sessions, then the oldest ones while there is no room for one more. */
    private void evictSessions() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !now.isBefore(s.expiresAt));
        while (sessions.size() >= maxSessions) {
            sessions.entrySet().stream()
                    .min(Comparator.comparing(e -> e.getValue().expiresAt))
                    .ifPresent(oldest -> sessions.remove(oldest.getKey(), oldest.getValue()));
        }
    }

    /** Trustee's answer to a failed {@code /auth}: an AttestationError with the reason. */
    private static void authFailed(HttpExchange exchange, String reason) throws IOException {
        attestationError(exchange, "/auth", reason, "RCAR handshake Auth failed: " + reason);
    }

    /** Trustee's answer to a failed {@code /attest}: an AttestationError that gives no cause. */
    private static void attestFailed(HttpExchange exchange, String reason) throws IOException {
        attestationError(exchange, "/attest", reason, "RCAR handshake Attest failed");
    }

    private static void attestationError(
            HttpExchange exchange, String step, String reason, String detail) throws IOException {
        LOG.warn("Development key broker refused {}: {}", step, reason);
        problem(exchange, 401, "AttestationError", "Attestation error: " + detail);
    }

    @Nullable
    private Session session(HttpExchange exchange) {
        List<String> cookies = exchange.getRequestHeaders().get("Cookie");
        if (cookies == null) {
            return null;
        }
        for (String header : cookies) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith("kbs-session-id=")) {
                    Session s = sessions.get(p.substring("kbs-session-id=".length()));
                    if (s != null && clock.instant().isBefore(s.expiresAt)) {
                        return s;
                    }
                }
            }
        }
        return null;
    }

    @Nullable
    private static JsonNode body(HttpExchange exchange) throws IOException {
        try {
            return JSON.readTree(exchange.getRequestBody());
        } catch (IOException e) {
            return null;
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * An error as Trustee's {@code ResponseError} writes it: {@code {"type", "detail"}} with no
     * Content-Type header.
     */
    private static void problem(HttpExchange exchange, int status, String variant, String detail)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", PROBLEM + variant);
        body.put("detail", detail);
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
