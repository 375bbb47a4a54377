package dev.ppml.keys.kbs;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.ResourcePath;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code kbs://host[:port]/<repo>/<type>/<tag>} key URI, split into the broker's address and the
 * resource path, checked offline: the port is a number in 1..65535 (8080 when absent), the host a
 * DNS name or an IP literal, the resource path as {@link ResourcePath} wants it.
 */
public final class KbsResourceUri {
    /** The port of a {@code kbs://} URI without one (Trustee's default). */
    public static final int DEFAULT_PORT = 8080;

    private static final String FORM = "kbs://host:port/<repository>/<type>/<tag>";
    private static final Pattern HOST_NAME =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV4 =
            Pattern.compile(
                    "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

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
            uri = new URI(keyUri.toString());
        } catch (URISyntaxException e) {
            throw invalid(keyUri, "it is not a URI (" + e.getReason() + ")");
        }
        if (!"kbs".equalsIgnoreCase(uri.getScheme())) {
            throw invalid(keyUri, "its scheme is not kbs");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw invalid(keyUri, "it names no broker host");
        }
        if (authority.contains("@")) {
            throw invalid(keyUri, "it has user information before the host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(keyUri, "it has a query or fragment");
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw invalid(keyUri, "its IPv6 host has no closing ']'");
            }
            host = authority.substring(0, close + 1);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(keyUri, "'" + rest + "' follows its IPv6 host");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
            if (!HOST_NAME.matcher(host).matches()) {
                throw invalid(keyUri, "its host '" + host + "' is not a host name or IP address");
            }
        }
        int port = portText == null ? DEFAULT_PORT : port(keyUri, portText);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.startsWith("/")) {
            throw invalid(keyUri, "it has no resource path");
        }
        List<String> parts = ResourcePath.parse(keyUri, path.substring(1), FORM);
        return new KbsResourceUri(
                host.toLowerCase(Locale.ROOT), port, parts.get(0), parts.get(1), parts.get(2));
    }

    private static int port(KeyUri keyUri, String text) throws InvalidKeyReferenceException {
        int port;
        try {
            port = text.matches("\\d{1,9}") ? Integer.parseInt(text) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw invalid(
                    keyUri,
                    String.format(
                            "its port '%s' is not a TCP port; expected a number from 1 to 65535"
                                    + " (%d when omitted)",
                            text, DEFAULT_PORT));
        }
        return port;
    }

    private static InvalidKeyReferenceException invalid(KeyUri keyUri, String problem) {
        return new InvalidKeyReferenceException(
                String.format(
                        "key URI '%s' is not a KBS resource URI: %s; expected %s",
                        keyUri, problem, FORM));
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

    /**
     * Whether the broker is on this machine, where plain HTTP may be allowed: the name {@code
     * localhost} or an IP literal in 127.0.0.0/8 or {@code ::1}. Other names are never resolved
     * here, so {@code 127.attacker.example} is not loopback whatever DNS says.
     */
    public boolean isLoopback() {
        if (host.equals("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!host.startsWith("[") && !IPV4.matcher(literal).matches()) {
            return false;
        }
        if (host.startsWith("[") && !literal.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // An IP literal: getByName parses it without a name lookup.
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "kbs://" + host + ":" + port + "/" + repository + "/" + type + "/" + tag;
    }
}
