package dev.ppml.keys.kbs;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyUri;
import java.net.URI;

/**
 * A {@code kbs://host:port/<repo>/<type>/<tag>} key URI, split into the broker's address and the
 * resource path.
 */
public final class KbsResourceUri {
    private final String host;
    private final int port;
    private final String repository;
    private final String type;
    private final String tag;

    private KbsResourceUri(String host, int port, String repository, String type, String tag) {
        this.host = host;
        this.port = port;
        this.repository = repository;
        this.type = type;
        this.tag = tag;
    }

    public static KbsResourceUri parse(KeyUri keyUri) throws InvalidKeyReferenceException {
        URI uri;
        try {
            uri = URI.create(keyUri.toString());
        } catch (IllegalArgumentException e) {
            throw invalid(keyUri);
        }
        if (!"kbs".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw invalid(keyUri);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
        if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw invalid(keyUri);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 8080;
        return new KbsResourceUri(uri.getHost(), port, parts[0], parts[1], parts[2]);
    }

    private static InvalidKeyReferenceException invalid(KeyUri keyUri) {
        return new InvalidKeyReferenceException(
                String.format(
                        "key URI '%s' is not a KBS resource URI; expected"
                                + " kbs://host:port/<repository>/<type>/<tag>",
                        keyUri));
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The path of the resource endpoint, {@code /kbs/v0/resource/<repo>/<type>/<tag>}. */
    public String resourcePath() {
        return "/kbs/v0/resource/" + repository + "/" + type + "/" + tag;
    }

    /** Whether the broker is on this machine (loopback), where plain HTTP may be allowed. */
    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public String toString() {
        return "kbs://" + host + ":" + port + "/" + repository + "/" + type + "/" + tag;
    }
}
