package dev.ppml.keys.cdh;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.ResourceKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

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

    private static final Pattern PATH =
            Pattern.compile("//[A-Za-z0-9._-]*/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+");

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    CdhKeyService(KeyServiceOptions options) {
        this.base = URI.create(options.get(URL).orElse(DEFAULT_URL));
        this.timeout =
                KeyServiceOptions.parseDuration(
                        REQUEST_TIMEOUT, options.get(REQUEST_TIMEOUT).orElse("10 s"));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Aead getAead(KeyUri keyUri) throws KeyServiceException {
        String ssp = keyUri.schemeSpecificPart();
        if (!PATH.matcher(ssp).matches()) {
            throw new KeyServiceException(
                    String.format(
                            "key URI '%s' is not a CDH resource URI; expected"
                                    + " cdh://<repository>/<type>/<tag>",
                            keyUri));
        }
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
