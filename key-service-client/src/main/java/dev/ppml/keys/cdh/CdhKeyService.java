package dev.ppml.keys.cdh;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.ResourceKeys;
import dev.ppml.keys.ResourcePath;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The {@code cdh://<repo>/<type>/<tag>} key service for pods of Confidential Containers: it asks
 * the in-guest Confidential Data Hub ({@code http://127.0.0.1:8006/cdh/resource/...}), whose
 * attestation agent attests to the KBS on its behalf. Nothing is attested here; the CDH only
 * answers inside an attested CoCo guest.
 *
 * <p>Options: {@code cdh.url} (default {@value #DEFAULT_URL}), {@code cdh.request-timeout} (default
 * 10 s).
 */
public final class CdhKeyService implements KeyService {
    public static final String SCHEME = "cdh";
    public static final String URL = "cdh.url";
    public static final String REQUEST_TIMEOUT = "cdh.request-timeout";
    public static final String DEFAULT_URL = "http://127.0.0.1:8006";
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final String FORM = "cdh://<repository>/<type>/<tag>";

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    CdhKeyService(KeyServiceOptions options) throws InvalidKeyReferenceException {
        this.base = baseUrl(options);
        this.timeout = options.getDuration(REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Checks the URI's form and the options, offline. */
    static void validate(KeyUri keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        checkPath(keyUri);
        baseUrl(options);
        options.getDuration(REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    private static void checkPath(KeyUri keyUri) throws InvalidKeyReferenceException {
        String ssp = keyUri.schemeSpecificPart();
        if (!ssp.startsWith("//")) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key URI '%s' is not a CDH resource URI: it does not start with"
                                    + " cdh://; expected %s",
                            keyUri, FORM));
        }
        ResourcePath.parse(keyUri, ssp.substring(2), FORM);
    }

    private static URI baseUrl(KeyServiceOptions options) throws InvalidKeyReferenceException {
        String url = options.getString(URL, DEFAULT_URL);
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(url, "not an http:// URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key-service option '%s' has value '%s'; expected the CDH's http://"
                                    + " URL, e.g. %s",
                            URL, url, DEFAULT_URL),
                    URL);
        }
    }

    @Override
    public Aead getAead(KeyUri keyUri) throws KeyServiceException {
        checkPath(keyUri);
        String ssp = keyUri.schemeSpecificPart();
        URI resource = base.resolve("/cdh/resource/" + ssp.substring(2));
        HttpResponse<byte[]> response;
        try {
            response =
                    http.send(
                            HttpRequest.newBuilder(resource).timeout(timeout).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new KeyServiceException(
                    String.format(
                            "the Confidential Data Hub at %s is unreachable (%s) for key URI '%s';"
                                    + " cdh:// keys work only inside a Confidential Containers pod"
                                    + " (runtimeClassName kata-qemu-tdx or similar)",
                            base, e.getClass().getSimpleName(), keyUri),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyServiceException("interrupted while asking the Confidential Data Hub", e);
        }
        if (response.statusCode() != 200) {
            throw new KeyServiceException(
                    String.format(
                            "the Confidential Data Hub at %s answered HTTP %d for key URI '%s'"
                                    + " (resource missing in the KBS, or the KBS policy refused"
                                    + " this guest)",
                            base, response.statusCode(), keyUri));
        }
        return ResourceKeys.toAead(response.body(), keyUri);
    }

    @Override
    public String toString() {
        return "CdhKeyService{" + base + "}";
    }
}
