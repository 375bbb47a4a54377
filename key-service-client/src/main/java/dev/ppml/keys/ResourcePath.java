package dev.ppml.keys;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code <repository>/<type>/<tag>} of a KBS resource, as {@code kbs://} and {@code cdh://} key
 * URIs name it: exactly three non-empty segments of letters, digits, {@code .}, {@code _} and
 * {@code -}, none of them {@code .} or {@code ..}. The segments go verbatim into a broker's URL
 * path, so anything a server could resolve to another resource (dot segments, also percent-encoded,
 * or empty segments) is refused here, before anything is sent.
 */
public final class ResourcePath {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private ResourcePath() {}

    /**
     * Checks the three segments of {@code keyUri}'s resource path ({@code raw}, as written, without
     * a leading slash) and returns them.
     *
     * @throws InvalidKeyReferenceException naming the segment and what is wrong with it
     */
    public static List<String> parse(KeyUri keyUri, String raw, String expectedForm)
            throws InvalidKeyReferenceException {
        String[] parts = raw.split("/", -1);
        if (parts.length != 3) {
            throw invalid(
                    keyUri,
                    String.format(
                            "its resource path '%s' has %d segments, not 3", raw, parts.length),
                    expectedForm);
        }
        for (String part : parts) {
            String decoded = decode(part);
            if (part.isEmpty()) {
                throw invalid(
                        keyUri,
                        String.format("its resource path '%s' has an empty segment", raw),
                        expectedForm);
            }
            if (decoded.equals(".") || decoded.equals("..")) {
                throw invalid(
                        keyUri,
                        String.format(
                                "its resource path '%s' has the dot segment '%s'; a broker would"
                                        + " resolve it to another resource",
                                raw, part),
                        expectedForm);
            }
            if (!SEGMENT.matcher(part).matches()) {
                throw invalid(
                        keyUri,
                        String.format(
                                "the segment '%s' of its resource path has characters other than"
                                        + " letters, digits, '.', '_' and '-'",
                                part),
                        expectedForm);
            }
        }
        return List.of(parts);
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return part;
        }
    }

    private static InvalidKeyReferenceException invalid(
            KeyUri keyUri, String problem, String expectedForm) {
        return new InvalidKeyReferenceException(
                String.format("key URI '%s': %s; expected %s", keyUri, problem, expectedForm));
    }
}
